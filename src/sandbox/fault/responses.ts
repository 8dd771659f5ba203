import type http from 'node:http';

/** Headers that describe one connection, not the message: never copied between client and upstream. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
]);

/** Header pairs from `raw` (node's rawHeaders), minus hop-by-hop ones, duplicates kept (Link comes several times). */
export function endToEndHeaders(raw: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (!HOP_BY_HOP.has(name.toLowerCase())) pairs.push([name, raw[i + 1]!]);
  }
  return pairs;
}

export function withoutHeader(pairs: Array<[string, string]>, name: string): Array<[string, string]> {
  const lower = name.toLowerCase();
  return pairs.filter(([n]) => n.toLowerCase() !== lower);
}

/** Writes a complete response with a correct Content-Length (the body may have been rewritten). */
export function sendBuffered(
  res: http.ServerResponse,
  status: number,
  headers: Array<[string, string]>,
  body: Buffer,
): void {
  const flat: string[] = [];
  for (const [name, value] of headers) flat.push(name, value);
  flat.push('Content-Length', String(body.length));
  res.writeHead(status, flat);
  res.end(body);
}

/** An RFC 7807 problem document as Pebble would send it. */
export function problemBody(type: string, detail: string, status: number): Buffer {
  return Buffer.from(JSON.stringify({ type: `urn:ietf:params:acme:error:${type}`, detail, status }, null, 2));
}

/** Retry-After as delta-seconds or as an HTTP-date `seconds` after `now` (RFC 9110 10.2.3). */
export function retryAfterValue(seconds: number, format: 'seconds' | 'http-date' | undefined, now: number): string {
  return format === 'http-date' ? new Date(now + seconds * 1000).toUTCString() : String(Math.round(seconds));
}
