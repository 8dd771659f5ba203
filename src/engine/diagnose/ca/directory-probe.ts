import http from 'node:http';
import https from 'node:https';
import { rootCertificates, type TLSSocket } from 'node:tls';
import type { Clock } from '../../core/clock.js';

/**
 * One plain GET of an ACME directory, measured: how long it took, what TLS the CA speaks, the Date the CA's clock
 * says, and the directory itself. It is what the doctor's CA tier is built on; nothing is signed and no account or
 * order is touched.
 */

export interface DirectoryProbe {
  url: string;
  /** Set when no HTTP answer came (refused, reset, timeout, untrusted TLS). */
  error?: { code: string; message: string };
  status?: number;
  durationMs?: number;
  /** Our clock half-way through the exchange minus the CA's Date header: positive when the CA is ahead. */
  skewMs?: number;
  dateHeader?: string;
  retryAfter?: string;
  directory?: { newNonce?: unknown; newAccount?: unknown; newOrder?: unknown; meta?: { termsOfService?: unknown; externalAccountRequired?: unknown } };
  tls?: { protocol?: string; validTo?: number; issuer?: string };
}

export const PROBE_TIMEOUT_MS = 15_000;

export function probeDirectory(url: string, opts: { clock: Clock; caBundlePem?: string; signal?: AbortSignal; timeoutMs?: number }): Promise<DirectoryProbe> {
  const { clock } = opts;
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ url, error: { code: 'EBADURL', message: `${url} is not a URL` } });
      return;
    }
    const started = clock.now();
    const isHttps = target.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'GET',
      headers: { accept: 'application/json' },
      timeout: opts.timeoutMs ?? PROBE_TIMEOUT_MS,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(isHttps && opts.caBundlePem ? { ca: [...rootCertificates, opts.caBundlePem] } : {}),
      agent: false,
    };
    const req = (isHttps ? https : http).request(target, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const ended = clock.now();
        const probe: DirectoryProbe = { url, status: res.statusCode ?? 0, durationMs: ended - started };
        const date = res.headers.date;
        if (date) {
          probe.dateHeader = date;
          const at = Date.parse(date);
          // Date has one-second resolution: compare against the middle of the exchange.
          if (!Number.isNaN(at)) probe.skewMs = at - (started + (ended - started) / 2);
        }
        const retryAfter = res.headers['retry-after'];
        if (retryAfter) probe.retryAfter = retryAfter;
        const socket = res.socket as TLSSocket | null;
        if (isHttps && socket && typeof socket.getPeerCertificate === 'function') {
          const peer = socket.getPeerCertificate();
          probe.tls = {
            ...(socket.getProtocol() ? { protocol: socket.getProtocol() ?? '' } : {}),
            ...(peer?.valid_to ? { validTo: Date.parse(peer.valid_to) } : {}),
            ...(peer?.issuer?.CN ? { issuer: String(peer.issuer.CN) } : {}),
          };
        }
        try {
          const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (body && typeof body === 'object') probe.directory = body as DirectoryProbe['directory'];
        } catch {
          // not JSON: reported by the checks as "not a directory"
        }
        resolve(probe);
      });
      res.on('error', (err) => resolve({ url, error: { code: (err as { code?: string }).code ?? 'ERESPONSE', message: err.message } }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${(opts.timeoutMs ?? PROBE_TIMEOUT_MS) / 1000}s`), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => resolve({ url, durationMs: clock.now() - started, error: { code: (err as { code?: string }).code ?? 'EREQUEST', message: err.message } }));
    req.end();
  });
}
