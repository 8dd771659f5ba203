import { isIP } from 'node:net';
import { checkServerIdentity, connect, type TLSSocket } from 'node:tls';
import type { Clock } from '../core/clock.js';
import { errnoCode } from '../core/errno.js';
import type { VerifyHost } from './types.js';

/**
 * One TLS handshake to see which certificate an endpoint serves for a name: "is this exactly the certificate we just
 * deployed" (the leaf's SHA-256), and would a client accept it (the chain to its roots, the name).
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

export interface ProbeResult {
  /** The served leaf's SHA-256 fingerprint (upper-case hex with colons). */
  fingerprint: string;
  /** Why a client trusting `opts.ca` would reject the served chain, or undefined when it would accept it. */
  chainError?: string;
  /** Why the served certificate does not cover the name asked for, or undefined when it does. */
  hostnameError?: string;
}

/**
 * One handshake, not aborted on an untrusted chain (the fingerprint is still the first answer), but judged as a
 * client would judge it: the chain against `ca` and the name against the certificate.
 */
export function probeTls(h: VerifyHost, opts: { clock: Clock; signal: AbortSignal; timeoutMs: number; ca?: string[] }): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve, reject) => {
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
      // An intermediate given as an anchor (the stored issuer chain of a lab CA) is enough, as in the browser.
      ...(opts.ca ? { ca: opts.ca, allowPartialTrustChain: true } : {}),
      // The name is checked below, for IP names too (no SNI there); here only the chain decides `authorized`.
      checkServerIdentity: () => undefined,
    });
    socket.once('secureConnect', () => {
      const peer = socket?.getPeerCertificate();
      const fp = peer?.fingerprint256;
      const chainError = socket?.authorized ? undefined : String(socket?.authorizationError ?? 'untrusted chain');
      const identity = peer && fp ? checkServerIdentity(h.name, peer) : undefined;
      finish(() =>
        fp
          ? resolve({ fingerprint: fp, ...(chainError ? { chainError } : {}), ...(identity ? { hostnameError: identity.message } : {}) })
          : reject(new ProbeError(`the server sent no certificate (${endpoint(h)})`)),
      );
    });
    socket.once('error', (err) => finish(() => reject(new ProbeError(describe(err, h)))));
  });
}
