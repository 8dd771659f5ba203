import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../core/errors.js';
import { CHALLENGE_PATH, isSafeToken, type Http01Solver } from './solver.js';

/**
 * HTTP-01 answers shared by a fleet (the storage): a node publishes each answer, and every node's built-in server
 * answers tokens any node published, so the CA's validation may land on any node behind a load balancer.
 */
export interface SharedAnswers {
  publish(token: string, keyAuthorization: string): Promise<void>;
  withdraw(token: string): Promise<void>;
  lookup(token: string): Promise<string | undefined>;
}

/**
 * A built-in HTTP-01 responder: one listening socket serving every token of every order at once.
 */
export class StandaloneHttp01 implements Http01Solver {
  private readonly tokens = new Map<string, string>();
  /** Tokens the validator has fetched, and who waits to hear of it. */
  private readonly fetched = new Set<string>();
  private readonly fetchWaiters = new Map<string, Array<() => void>>();
  private server: http.Server | undefined;

  private constructor(
    readonly host: string,
    public port: number,
    private readonly shared?: SharedAnswers,
  ) {}

  get description(): string {
    return `standalone HTTP-01 server on ${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  static async listen(host: string, port: number, shared?: SharedAnswers): Promise<StandaloneHttp01> {
    const solver = new StandaloneHttp01(host, port, shared);
    await solver.start();
    return solver;
  }

  private start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const url = req.url ?? '';
      const token = url.startsWith(CHALLENGE_PATH) ? url.slice(CHALLENGE_PATH.length) : undefined;
      const local = token === undefined ? undefined : this.tokens.get(token);
      if (local === undefined && token !== undefined && this.shared && isSafeToken(token) && (req.method === 'GET' || req.method === 'HEAD')) {
        // Another node's answer: looked up in the shared storage (an outage there is a 404, as for an unknown token).
        void this.shared.lookup(token).then(
          (found) => (found === undefined ? res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n') : res.writeHead(200, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : found)),
          () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'),
        );
        return;
      }
      const answer = local;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
      } else if (answer === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : answer);
        if (req.method === 'GET' && token !== undefined) this.noteFetched(token);
      }
    });
    // Validators open short connections; don't let idle keep-alive sockets hold the process open.
    server.keepAliveTimeout = 1000;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(listenError(err, this.host, this.port));
      });
      server.listen(this.port, this.host, () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  async present(token: string, keyAuthorization: string): Promise<() => Promise<void>> {
    if (!isSafeToken(token)) throw new ConfigError('bad-token', `The CA sent a malformed challenge token: ${JSON.stringify(token)}.`);
    this.tokens.set(token, keyAuthorization);
    await this.shared?.publish(token, keyAuthorization).catch((err: unknown) => {
      this.tokens.delete(token);
      throw err;
    });
    return async () => {
      await this.shared?.withdraw(token).catch(() => undefined);
      this.tokens.delete(token);
      this.fetched.delete(token);
      this.fetchWaiters.delete(token);
    };
  }

  answered(token: string): Promise<void> {
    if (this.fetched.has(token)) return Promise.resolve();
    return new Promise((resolve) => this.fetchWaiters.set(token, [...(this.fetchWaiters.get(token) ?? []), resolve]));
  }

  private noteFetched(token: string): void {
    this.fetched.add(token);
    for (const resolve of this.fetchWaiters.get(token) ?? []) resolve();
    this.fetchWaiters.delete(token);
  }

  get activeTokens(): number {
    return this.tokens.size;
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): ConfigError {
  if (err.code === 'EADDRINUSE') {
    return new ConfigError(
      'port-in-use',
      `Cannot start the HTTP-01 server: ${host}:${port} is already in use by another program.`,
      'Stop that program, choose another port with --http-port (and forward port 80 to it), or use --webroot DIR of the web server that holds the port.',
      err,
    );
  }
  if (err.code === 'EACCES') {
    return new ConfigError(
      'port-denied',
      `Cannot start the HTTP-01 server on ${host}:${port}: permission denied.`,
      'Ports below 1024 need root or CAP_NET_BIND_SERVICE; use --http-port with a forward from port 80, or --webroot DIR.',
      err,
    );
  }
  return new ConfigError('listen-failed', `Cannot start the HTTP-01 server on ${host}:${port}: ${err.message}.`, 'Check --http-port and the address.', err);
}
