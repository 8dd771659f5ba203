import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import type { Clock } from '../core/clock.js';
import { errnoCode } from '../core/errno.js';
import type { VerifyHost } from './types.js';

/**
 * One TLS handshake to see which certificate an endpoint serves for a name. Chain validation is off on purpose: the
 * question is "is this exactly the certificate we just deployed", answered by the leaf's SHA-256, which is stricter
 * than any chain check and works for private CAs the system does not trust.
 */

export class ProbeError extends Error {
  constructor(
    message: string,
    readonly aborted = false,
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}

function endpoint(h: VerifyHost): string {
  const host = h.address ?? h.name;
  return `${isIP(host) === 6 ? `[${host}]` : host}:${h.port ?? 443}`;
}

function describe(err: unknown, h: VerifyHost): string {
  const at = endpoint(h);
  switch (errnoCode(err)) {
    case 'ECONNREFUSED':
      return `connection refused (${at})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${h.address ?? h.name}`;
    case 'ECONNRESET':
      return `connection reset during the TLS handshake (${at})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to ${at}`;
    default:
      return `${err instanceof Error ? err.message : String(err)} (${at})`;
  }
}

/** Resolves with the served leaf's SHA-256 fingerprint (upper-case hex with colons). */
export function probeTlsFingerprint(h: VerifyHost, opts: { clock: Clock; signal: AbortSignal; timeoutMs: number }): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    if (opts.signal.aborted) return reject(new ProbeError('cancelled', true));
    let socket: TLSSocket | undefined;
    const timer = new AbortController();
    const finish = (fn: () => void): void => {
      timer.abort();
      opts.signal.removeEventListener('abort', onAbort);
      socket?.destroy();
      fn();
    };
    const onAbort = (): void => finish(() => reject(new ProbeError('cancelled', true)));
    opts.signal.addEventListener('abort', onAbort, { once: true });
    opts.clock.sleep(opts.timeoutMs, timer.signal).then(
      () => finish(() => reject(new ProbeError(`no TLS handshake within ${Math.round(opts.timeoutMs / 100) / 10}s (${endpoint(h)})`))),
      () => undefined,
    );
    socket = connect({
      host: h.address ?? h.name,
      port: h.port ?? 443,
      // RFC 6066 3: SNI carries host names only, never IP literals.
      ...(isIP(h.name) ? {} : { servername: h.name }),
      rejectUnauthorized: false,
    });
    socket.once('secureConnect', () => {
      const fp = socket?.getPeerCertificate()?.fingerprint256;
      finish(() => (fp ? resolve(fp) : reject(new ProbeError(`the server sent no certificate (${endpoint(h)})`))));
    });
    socket.once('error', (err) => finish(() => reject(new ProbeError(describe(err, h)))));
  });
}
