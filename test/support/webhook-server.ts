import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the test webhook received, exactly as sent. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

export interface WebhookServer {
  url: string;
  received: ReceivedRequest[];
  /** The answer to the n-th request (0-based); the last one repeats. */
  answers: Answer[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every request and answers from a script. */
export async function startWebhookServer(answers: Answer[] = [{ status: 200 }]): Promise<WebhookServer> {
  const received: ReceivedRequest[] = [];
  const state = { answers };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = state.answers[Math.min(received.length - 1, state.answers.length - 1)]!;
      if (answer === 'hang') return; // never answers; the client's timeout must end it
      res.writeHead(answer.status, answer.headers ?? {});
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get answers() {
      return state.answers;
    },
    set answers(a: Answer[]) {
      state.answers = a;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
