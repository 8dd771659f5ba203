import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../engine/core/clock.js';
import { startControlServer } from './fault/control-server.js';
import { FaultPlan, type Interception } from './fault/plan.js';
import { classifyResource, orderKey, type ResourceKind } from './fault/resource.js';
import { endToEndHeaders, problemBody, retryAfterValue, sendBuffered, withoutHeader } from './fault/responses.js';
import { NO_FAULTS, type FaultScenario } from './fault/scenario.js';

export type { FaultScenario, FaultRule } from './fault/scenario.js';
export type { ResourceKind, ResourceMatch } from './fault/resource.js';

/** One request the proxy saw (GET /log on the control endpoint returns these). */
export interface FaultLogEntry {
  /** When it arrived (ms since the epoch, from the proxy's clock). */
  at: number;
  method: string;
  path: string;
  resource: ResourceKind;
  /** Faults injected into this exchange, joined with "+" (e.g. "latency+rate-limit"); absent when none. */
  fault?: string;
  /** What the client got; absent when the connection was reset. */
  status?: number;
  /** What Pebble answered; absent when the request was not forwarded. */
  upstreamStatus?: number;
}

export interface FaultProxyOptions {
  /** Pebble's ACME listener, e.g. https://127.0.0.1:14000. */
  upstream: string;
  /** The proxy's own certificate and key, and the root that signs Pebble's (the sandbox PKI). */
  tls: { certPem: string; keyPem: string; caPem: string };
  /** 0 or absent: any free port. */
  listenPort?: number;
  controlPort?: number;
  /** @default no faults (a plain pass-through that still logs) */
  scenario?: FaultScenario;
  /** Hang durations and latency run on this clock. @default systemClock */
  clock?: Clock;
  /** For `bad-nonce` percentages. @default Math.random */
  random?: () => number;
  /** Oldest log entries are dropped beyond this. @default 10000 */
  logLimit?: number;
}

export interface FaultProxy {
  /** https://127.0.0.1:<port>; the ACME directory is `${url}/dir`. */
  url: string;
  directoryUrl: string;
  /** http://127.0.0.1:<port> (GET/PUT /scenario, GET /log, POST /log/clear). */
  controlUrl: string;
  /** Switches faults at run time; counters and hang timers start again from zero. */
  setScenario(scenario: FaultScenario): void;
  scenario(): FaultScenario;
  log(): FaultLogEntry[];
  clearLog(): void;
  close(): Promise<void>;
}

interface UpstreamResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

const UPSTREAM_TIMEOUT_MS = 30_000;

/**
 * An HTTPS reverse proxy in front of Pebble that injects the failures real CAs produce. It keeps the client's Host
 * header: Pebble builds every URL it returns from Host and checks each JWS `url` against it, so clients keep
 * talking to the proxy without any URL rewriting.
 */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const clock = opts.clock ?? systemClock;
  const upstream = new URL(opts.upstream);
  const agent = new https.Agent({ keepAlive: true, ca: opts.tls.caPem });
  const logLimit = opts.logLimit ?? 10_000;
  let plan = new FaultPlan(opts.scenario ?? NO_FAULTS, opts.random);
  let entries: FaultLogEntry[] = [];

  const record = (entry: FaultLogEntry): void => {
    entries.push(entry);
    if (entries.length > logLimit) entries = entries.slice(-logLimit);
  };

  const forward = (req: http.IncomingMessage, body: Buffer): Promise<UpstreamResponse> =>
    new Promise((resolve, reject) => {
      const headers: string[] = [];
      for (const [name, value] of endToEndHeaders(req.rawHeaders)) headers.push(name, value);
      headers.push('Content-Length', String(body.length));
      const upstreamReq = https.request(
        {
          protocol: 'https:',
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
          servername: '', // an IP address is not a valid SNI name
          timeout: UPSTREAM_TIMEOUT_MS,
        },
        (res) => {
          readAll(res).then(
            (resBody) => resolve({ status: res.statusCode ?? 502, headers: endToEndHeaders(res.rawHeaders), body: resBody }),
            reject,
          );
        },
      );
      upstreamReq.on('timeout', () => upstreamReq.destroy(new Error(`Pebble did not answer within ${UPSTREAM_TIMEOUT_MS} ms`)));
      upstreamReq.on('error', reject);
      upstreamReq.end(body);
    });

  /** A nonce Pebble will accept, for answers the proxy makes up itself (RFC 8555 6.5: errors carry one too). */
  const freshNonce = async (): Promise<string | undefined> => {
    try {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const r = https.request(
          { hostname: upstream.hostname, port: upstream.port, method: 'HEAD', path: '/nonce-plz', agent, servername: '', timeout: 5000 },
          resolve,
        );
        r.on('timeout', () => r.destroy(new Error('timeout')));
        r.on('error', reject);
        r.end();
      });
      res.resume();
      const nonce = res.headers['replay-nonce'];
      return typeof nonce === 'string' ? nonce : undefined;
    } catch {
      return undefined;
    }
  };

  const answerIntercepted = async (
    interception: Exclude<Interception, { type: 'reset' }>,
    method: string,
  ): Promise<UpstreamResponse> => {
    const headers: Array<[string, string]> = [['Content-Type', 'application/problem+json']];
    if (interception.type === 'bad-nonce') {
      const nonce = await freshNonce();
      if (nonce) headers.push(['Replay-Nonce', nonce]);
      return { status: 400, headers, body: problemBody('badNonce', 'JWS has an invalid anti-replay nonce (injected by certdeck fault proxy)', 400) };
    }
    const { rule } = interception;
    if (rule.retryAfterSeconds !== undefined) {
      headers.push(['Retry-After', retryAfterValue(rule.retryAfterSeconds, rule.retryAfterFormat, clock.now())]);
    }
    if (method === 'POST') {
      const nonce = await freshNonce();
      if (nonce) headers.push(['Replay-Nonce', nonce]);
    }
    return rule.kind === 'rate-limit'
      ? { status: 429, headers, body: problemBody('rateLimited', 'Too many requests (injected by certdeck fault proxy)', 429) }
      : { status: 503, headers, body: problemBody('serverInternal', 'Service unavailable (injected by certdeck fault proxy)', 503) };
  };

  /** hang-processing: a "valid" order is shown as still "processing" until the rule lets go. True if it changed `res`. */
  const holdProcessing = (current: FaultPlan, path: string, res: UpstreamResponse): boolean => {
    const rule = current.hangRule;
    const key = orderKey(path);
    if (!rule || !key || res.status !== 200) return false;
    let order: Record<string, unknown>;
    try {
      order = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return false;
    }
    if (order.status !== 'processing' && order.status !== 'valid') return false;
    let changed = false;
    if (current.holdsProcessing(key, clock.now()) && order.status === 'valid') {
      order.status = 'processing';
      delete order.certificate;
      res.body = Buffer.from(JSON.stringify(order, null, 2));
      changed = true;
    }
    if (order.status === 'processing' && rule.retryAfterSeconds !== undefined) {
      res.headers = [...withoutHeader(res.headers, 'Retry-After'), ['Retry-After', String(rule.retryAfterSeconds)]];
      changed = true;
    }
    return changed;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const current = plan; // a scenario switch mid-request must not mix two plans
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'https://proxy.invalid').pathname;
    const kind = classifyResource(path);
    const entry: FaultLogEntry = { at: clock.now(), method, path, resource: kind };
    record(entry);
    const faults: string[] = [];
    const body = await readAll(req);

    const latencyMs = current.latencyFor(kind);
    if (latencyMs > 0) faults.push('latency');
    const interception = current.intercept(method, kind);
    let answer: UpstreamResponse;
    if (interception) {
      faults.push(interception.type === 'reject' ? interception.rule.kind : interception.type);
      entry.fault = faults.join('+');
      if (latencyMs > 0) await clock.sleep(latencyMs);
      if (interception.type === 'reset') {
        req.socket.destroy();
        return;
      }
      answer = await answerIntercepted(interception, method);
    } else {
      let forwarded = true;
      try {
        answer = await forward(req, body);
        entry.upstreamStatus = answer.status;
      } catch (err) {
        forwarded = false;
        answer = {
          status: 502,
          headers: [['Content-Type', 'application/problem+json']],
          body: problemBody('serverInternal', `certdeck fault proxy could not reach Pebble: ${(err as Error).message}`, 502),
        };
      }
      if (forwarded && (kind === 'order' || kind === 'finalize') && holdProcessing(current, path, answer)) {
        faults.push('hang-processing');
      }
      if (forwarded && kind === 'finalize' && answer.status === 200 && current.takeOrderNotReady()) {
        faults.push('order-not-ready-after-finalize');
        const nonce = answer.headers.find(([n]) => n.toLowerCase() === 'replay-nonce');
        answer = {
          status: 403,
          headers: [['Content-Type', 'application/problem+json'], ...(nonce ? [nonce] : [])],
          body: problemBody('orderNotReady', 'Order is not ready for finalization (injected by certdeck fault proxy)', 403),
        };
      }
      if (latencyMs > 0) await clock.sleep(latencyMs);
    }
    if (faults.length) entry.fault = faults.join('+');
    entry.status = answer.status;
    sendBuffered(res, answer.status, answer.headers, answer.body);
  };

  const server = https.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendBuffered(res, 500, [['Content-Type', 'text/plain']], Buffer.from(String(err)));
      else res.destroy();
    });
  });
  await listen(server, opts.listenPort ?? 0);
  const port = (server.address() as AddressInfo).port;

  const proxy: FaultProxy = {
    url: `https://127.0.0.1:${port}`,
    directoryUrl: `https://127.0.0.1:${port}/dir`,
    controlUrl: '',
    setScenario(scenario) {
      plan = new FaultPlan(scenario, opts.random);
    },
    scenario: () => plan.scenario,
    log: () => entries.map((e) => ({ ...e })),
    clearLog() {
      entries = [];
    },
    async close() {
      await Promise.all([closeServer(server), control.close()]);
      agent.destroy();
    },
  };
  const control = await startControlServer(proxy, opts.controlPort ?? 0).catch(async (err: unknown) => {
    await closeServer(server);
    agent.destroy();
    throw err;
  });
  proxy.controlUrl = control.url;
  return proxy;
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export function listen(server: http.Server | https.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
