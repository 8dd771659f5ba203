import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../engine/core/clock.js';
import { startControlServer } from './fault/control-server.js';
import { holdProcessing, interceptedAnswer, orderNotReadyAnswer, upstreamFailedAnswer } from './fault/injected-answers.js';
import { FaultPlan } from './fault/plan.js';
import { classifyResource, type ResourceKind } from './fault/resource.js';
import { sendBuffered, withoutHeader } from './fault/responses.js';
import { NO_FAULTS, type FaultScenario } from './fault/scenario.js';
import { closeServer, listenOnLoopback } from './fault/servers.js';
import { connectUpstream, type UpstreamResponse } from './fault/upstream.js';

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
  /**
   * Let the process exit while the proxy still listens (an embedded proxy must not keep a test process alive
   * when a test forgot close()). @default false
   */
  unref?: boolean;
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

/**
 * An HTTPS reverse proxy in front of Pebble that injects the failures real CAs produce. It keeps the client's Host
 * header: Pebble builds every URL it returns from Host and checks each JWS `url` against it, so clients keep
 * talking to the proxy without any URL rewriting.
 */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const clock = opts.clock ?? systemClock;
  const upstream = connectUpstream(opts.upstream, opts.tls.caPem);
  const logLimit = opts.logLimit ?? 10_000;
  let plan = new FaultPlan(opts.scenario ?? NO_FAULTS, opts.random);
  let entries: FaultLogEntry[] = [];

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const current = plan; // a scenario switch mid-request must not mix two plans
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'https://proxy.invalid').pathname;
    const kind = classifyResource(path);
    const entry: FaultLogEntry = { at: clock.now(), method, path, resource: kind };
    entries.push(entry);
    if (entries.length > logLimit) entries = entries.slice(-logLimit);
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
      answer = await interceptedAnswer(interception, method, upstream, clock);
    } else {
      try {
        answer = await upstream.forward(req, body);
        entry.upstreamStatus = answer.status;
        if ((kind === 'order' || kind === 'finalize') && holdProcessing(current, path, answer, clock.now())) {
          faults.push('hang-processing');
        }
        if (kind === 'finalize' && answer.status === 200 && current.takeOrderNotReady()) {
          faults.push('order-not-ready-after-finalize');
          answer = orderNotReadyAnswer(answer);
        }
      } catch (err) {
        answer = upstreamFailedAnswer(err);
      }
      if (latencyMs > 0) await clock.sleep(latencyMs);
    }
    const skew = current.clockSkewSeconds;
    let headers = answer.headers;
    if (skew !== undefined) {
      faults.push('clock-skew');
      headers = [...withoutHeader(headers, 'Date'), ['Date', new Date(clock.now() + skew * 1000).toUTCString()]];
    }
    if (faults.length) entry.fault = faults.join('+');
    entry.status = answer.status;
    sendBuffered(res, answer.status, headers, answer.body);
  };

  const server = https.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendBuffered(res, 500, [['Content-Type', 'text/plain']], Buffer.from(String(err)));
      else res.destroy();
    });
  });
  let control: Awaited<ReturnType<typeof startControlServer>> | undefined;
  try {
    await listenOnLoopback(server, opts.listenPort ?? 0);
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
        await Promise.all([closeServer(server), control?.close()]);
        upstream.close();
      },
    };
    control = await startControlServer(proxy, opts.controlPort ?? 0);
    proxy.controlUrl = control.url;
    if (opts.unref) {
      server.unref();
      control.unref();
    }
    return proxy;
  } catch (err) {
    await closeServer(server);
    upstream.close();
    throw err;
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
