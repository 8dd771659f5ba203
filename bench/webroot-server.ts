import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

export interface WebrootServer {
  close(): Promise<void>;
}

const CHALLENGE_PREFIX = '/.well-known/acme-challenge/';
// RFC 8555 8.3: a token is base64url; anything else is not a file we wrote.
const TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * The web server a uacme user already runs: serves `<webroot>/.well-known/acme-challenge/<token>` on
 * 127.0.0.1:port, where uacme's stock hook (uacme.sh) writes the key authorization. Pebble's validator connects
 * here for HTTP-01. Started outside the timed part, like a web server that is always up.
 */
export async function startWebrootServer(webroot: string, port: number): Promise<WebrootServer> {
  const dir = path.join(webroot, CHALLENGE_PREFIX);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const token = url.pathname.startsWith(CHALLENGE_PREFIX) ? url.pathname.slice(CHALLENGE_PREFIX.length) : '';
    if (req.method !== 'GET' || !TOKEN.test(token)) {
      res.writeHead(404).end();
      return;
    }
    readFile(path.join(dir, token)).then(
      (body) => res.writeHead(200, { 'content-type': 'text/plain' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
