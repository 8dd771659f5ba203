import type http from 'node:http';
import https from 'node:https';
import { endToEndHeaders } from './responses.js';

export interface UpstreamResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface Upstream {
  /** Sends the client's request on unchanged (Host included) and buffers Pebble's whole answer. */
  forward(req: http.IncomingMessage, body: Buffer): Promise<UpstreamResponse>;
  /** A nonce Pebble will accept, for answers the proxy makes up itself; undefined if Pebble does not answer. */
  freshNonce(): Promise<string | undefined>;
  close(): void;
}

const UPSTREAM_TIMEOUT_MS = 30_000;
const NONCE_TIMEOUT_MS = 5_000;

/** Pebble's ACME listener over HTTPS, trusting only the sandbox root. */
export function connectUpstream(upstreamUrl: string, caPem: string): Upstream {
  const upstream = new URL(upstreamUrl);
  const agent = new https.Agent({ keepAlive: true, ca: caPem });
  const base = {
    hostname: upstream.hostname,
    port: upstream.port,
    agent,
    servername: '', // an IP address is not a valid SNI name
  };

  const send = (
    options: https.RequestOptions,
    body: Buffer | undefined,
    timeoutMs: number,
  ): Promise<UpstreamResponse> =>
    new Promise((resolve, reject) => {
      const req = https.request({ ...base, ...options, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, headers: endToEndHeaders(res.rawHeaders), body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`Pebble did not answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });

  return {
    forward(req, body) {
      const headers: string[] = [];
      for (const [name, value] of endToEndHeaders(req.rawHeaders)) headers.push(name, value);
      headers.push('Content-Length', String(body.length));
      return send({ method: req.method, path: req.url, headers }, body, UPSTREAM_TIMEOUT_MS);
    },
    async freshNonce() {
      try {
        const res = await send({ method: 'HEAD', path: '/nonce-plz' }, undefined, NONCE_TIMEOUT_MS);
        return res.headers.find(([name]) => name.toLowerCase() === 'replay-nonce')?.[1];
      } catch {
        return undefined;
      }
    },
    close() {
      agent.destroy();
    },
  };
}
