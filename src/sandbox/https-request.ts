import http from 'node:http';
import https from 'node:https';

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One small request to a sandbox listener (readiness probes, root download, status), trusting only `ca` for
 * https URLs. Always bounded by `timeoutMs`.
 */
export function simpleRequest(
  url: string,
  opts: { ca?: string; method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<SimpleResponse> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        ...(target.protocol === 'https:' ? { ca: opts.ca, agent: false } : { agent: false }),
        timeout: opts.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${opts.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}
