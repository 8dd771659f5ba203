/**
 * An Engine on a test sandbox, with what fault tests need around it: every event kept in order, waiting for an
 * event (bounded in real time), a ManualClock that knows when its next sleeper wakes so a test can step the
 * engine through hours of polling in milliseconds, and probes of the outside world (the authorization as Pebble
 * sees it, the HTTP-01 listener, the certificate files).
 *
 *   const sb = await startTestSandbox({ fault: { rules: [{ kind: 'hang-processing' }] } });
 *   t.after(() => sb.stop());
 *   const h = engineHarness(sb, { clock: new SteppingClock() });
 *   t.after(() => h.close());
 *   const outcome = await driveClock(h.clock as SteppingClock, h.issue({ domains: ['a.test'] }));
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import https from 'node:https';
import http from 'node:http';
import path from 'node:path';
import acme from 'acme-client';
import type { IssueOutcome, IssueRequest } from '../../src/engine/api.js';
import { runInOperation } from '../../src/engine/acme/transport.js';
import { ManualClock, systemClock, type Clock } from '../../src/engine/core/clock.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineEvent, EngineEventType, EventOf } from '../../src/engine/events.js';
import { loadAccount } from '../../src/engine/store/accounts.js';
import { readJournal } from '../../src/engine/store/journal.js';
import { pathsUnder, type StatePaths } from '../../src/engine/store/paths.js';
import type { FaultLogEntry } from '../../src/sandbox/fault-proxy.js';
import type { ResourceKind } from '../../src/sandbox/fault/resource.js';
import type { TestSandbox } from './sandbox-harness.js';

/**
 * A ManualClock that also knows when its earliest sleeper wakes, so a driver can jump straight there instead of
 * guessing step sizes. Sleeps that end (woken, aborted) drop out of the list.
 */
export class SteppingClock extends ManualClock {
  private readonly wakes = new Set<{ wakeAt: number }>();

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const entry = { wakeAt: this.now() + Math.max(0, ms) };
    this.wakes.add(entry);
    // Registered before ManualClock's own listener, so an aborted sleep is gone from the list synchronously.
    signal?.addEventListener('abort', () => this.wakes.delete(entry), { once: true });
    return super.sleep(ms, signal).finally(() => this.wakes.delete(entry));
  }

  /** When the earliest pending sleep ends (fake time), or undefined when nothing sleeps. */
  nextWakeAt(): number | undefined {
    let next: number | undefined;
    for (const { wakeAt } of this.wakes) if (next === undefined || wakeAt < next) next = wakeAt;
    return next;
  }

  /** Moves time to the earliest pending wake-up (and not beyond), letting that sleeper run. */
  async step(): Promise<void> {
    const at = this.nextWakeAt();
    if (at !== undefined) await this.advance(Math.max(0, at - this.now()));
  }
}

export type DriveStep = void | 'advance' | 'hold' | 'stop';

export interface DriveOptions {
  /**
   * Called each time the engine is blocked on the clock, before time moves. Return 'hold' after an action that
   * ends the sleep itself (retryNow, cancel, switchCa): time then stays put and the driver waits for the next
   * sleep. Return 'stop' to hand the clock back (the driver then just awaits `work`).
   */
  onSleep?: (clock: SteppingClock) => DriveStep | Promise<DriveStep>;
  /** Real-time bound on the whole drive. @default 60000 */
  realTimeoutMs?: number;
}

/**
 * Runs `work` to the end on a fake clock: whenever the engine is blocked in a sleep, time jumps to the earliest
 * wake-up. Real I/O (Pebble, the proxy) happens between jumps, in real time, so waiting for "sleeping" is a real
 * wait (short) and the fake clock never moves while a request is in flight.
 */
export async function driveClock<T>(clock: SteppingClock, work: Promise<T>, opts: DriveOptions = {}): Promise<T> {
  let settled = false;
  void work.then(
    () => (settled = true),
    () => (settled = true),
  );
  const limit = Date.now() + (opts.realTimeoutMs ?? 60_000);
  let handedBack = false;
  while (!settled && !handedBack) {
    while (!settled && clock.pendingSleeps === 0) {
      if (Date.now() > limit) throw new Error(`driveClock: the engine neither slept nor finished within ${opts.realTimeoutMs ?? 60_000} ms`);
      await realDelay(2);
    }
    if (settled) break;
    const next = await opts.onSleep?.(clock);
    if (next === 'stop') handedBack = true;
    else if (next === 'hold') await waitUntil(() => settled || clock.pendingSleeps === 0, limit);
    else await clock.step();
    if (Date.now() > limit) throw new Error('driveClock: real-time limit reached while stepping');
  }
  return work;
}

async function waitUntil(done: () => boolean, limit: number): Promise<void> {
  while (!done()) {
    if (Date.now() > limit) throw new Error('driveClock: real-time limit reached waiting for the engine to react');
    await realDelay(2);
  }
}

function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface EngineHarness {
  engine: Engine;
  paths: StatePaths;
  clock: Clock;
  /** Every event so far, in order. */
  events: EngineEvent[];
  of<T extends EngineEventType>(type: T, orderId?: string): Array<EventOf<T>>;
  /**
   * The first event of `type` that satisfies `match`, among those from index `since` of `events` on (already seen
   * or still to come); rejects after `timeoutMs` (default 15 s) of real time, naming what it waited for.
   */
  waitFor<T extends EngineEventType>(type: T, match?: (e: EventOf<T>) => boolean, opts?: { since?: number; timeoutMs?: number }): Promise<EventOf<T>>;
  /** engine.issue with test defaults: ca "sandbox", agreeTos. */
  issue(request: Partial<IssueRequest> & Pick<IssueRequest, 'domains'>, signal?: AbortSignal): Promise<IssueOutcome>;
  /** engine.close(); safe to call twice. */
  close(): Promise<void>;
}

export function engineHarness(sandbox: TestSandbox, opts: { clock?: Clock; random?: () => number; requestTimeoutMs?: number } = {}): EngineHarness {
  const paths = pathsUnder(sandbox.home);
  const clock = opts.clock ?? systemClock;
  // Zero jitter by default: tests compute exact delays from the policy.
  const engine = new Engine({
    paths,
    clock,
    userAgent: 'certdeck-test',
    random: opts.random ?? (() => 0.5),
    ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
  });
  const events: EngineEvent[] = [];
  const waiters = new Set<(e: EngineEvent) => void>();
  engine.onEvent((e) => {
    events.push(e);
    for (const w of [...waiters]) w(e);
  });
  let closed: Promise<void> | undefined;
  const harness: EngineHarness = {
    engine,
    paths,
    clock,
    events,
    of: (type, orderId) =>
      events.filter((e): e is EventOf<typeof type> => e.type === type && (orderId === undefined || (e as { orderId?: string }).orderId === orderId)),
    waitFor(type, match = () => true, { since = 0, timeoutMs = 15_000 } = {}) {
      const hit = (e: EngineEvent): e is EventOf<typeof type> => e.type === type && match(e as EventOf<typeof type>);
      const seen = events.slice(since).find(hit);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(listener);
          reject(new Error(`no "${type}" event matching the test's condition within ${timeoutMs} ms; last events: ${events.slice(-5).map((e) => e.type).join(', ')}`));
        }, timeoutMs);
        const listener = (e: EngineEvent): void => {
          if (!hit(e)) return;
          clearTimeout(timer);
          waiters.delete(listener);
          resolve(e);
        };
        waiters.add(listener);
      });
    },
    issue: (request, signal) => engine.issue({ ca: 'sandbox', agreeTos: true, ...request }, signal),
    close() {
      closed ??= engine.close();
      return closed;
    },
  };
  return harness;
}

/** Requests of one kind in the proxy log, in arrival order. */
export function requestsOf(log: FaultLogEntry[], resource: ResourceKind, method?: string): FaultLogEntry[] {
  return log.filter((e) => e.resource === resource && (method === undefined || e.method === method));
}

type SandboxCaId = 'sandbox' | 'sandbox-b';

/**
 * POST-as-GET straight at Pebble (bypassing the fault proxy, so it neither meets faults nor shows in the proxy's
 * log), with the account the engine registered. Pebble refuses plain GET, and builds and checks URLs from the Host
 * header, so the proxy's URLs are rewritten to Pebble's own origin.
 */
async function atPebble<T>(sandbox: TestSandbox, caId: SandboxCaId, url: string, read: (client: acme.Client, url: string) => Promise<T>): Promise<T> {
  const ca = sandbox.ca(caId);
  const account = await loadAccount(pathsUnder(sandbox.home), ca.directoryUrl, undefined);
  if (!account?.accountUrl) throw new Error(`no registered account for ${ca.directoryUrl} in ${sandbox.home}`);
  const pebbleOrigin = new URL(ca.pebbleDirectoryUrl).origin;
  const direct = (u: string): string => pebbleOrigin + new URL(u).pathname;
  const client = new acme.Client({ directoryUrl: ca.pebbleDirectoryUrl, accountKey: account.keyPem, accountUrl: direct(account.accountUrl) });
  const agent = new https.Agent({ ca: sandbox.caBundlePem, keepAlive: false });
  try {
    return await runInOperation({ clock: systemClock, httpsAgent: agent, signal: AbortSignal.timeout(10_000) }, () => read(client, direct(url)));
  } finally {
    agent.destroy();
  }
}

/** The authorization as the CA itself sees it, independent of the engine's view. */
export async function readAuthorization(sandbox: TestSandbox, caId: SandboxCaId, url: string): Promise<acme.Authorization> {
  const [authz] = await atPebble(sandbox, caId, url, (client, u) => client.getAuthorizations({ authorizations: [u] } as acme.Order));
  if (!authz) throw new Error(`no authorization at ${url}`);
  return authz;
}

/** The order as the CA itself sees it (a hang injected by the proxy does not show here). */
export function readOrderAtCa(sandbox: TestSandbox, caId: SandboxCaId, url: string): Promise<acme.Order> {
  return atPebble(sandbox, caId, url, (client, u) => client.getOrder({ url: u } as acme.Order));
}

/**
 * On a fake clock the engine's polls come back to back in real time, faster than Pebble validates or issues in the
 * background: fake minutes could pass before Pebble had real milliseconds. Before letting fake time move past a
 * poll in the authorization or processing phase, this waits (real time, bounded) until the CA itself has left
 * that state, as it would have long before the poll with a real clock.
 */
export async function letCaCatchUp(sandbox: TestSandbox, h: EngineHarness, timeoutMs = 5000): Promise<void> {
  const wait = [...h.events].reverse().find((e) => e.type === 'wait:scheduled' || e.type === 'retry:scheduled' || e.type === 'order:finished');
  if (wait?.type !== 'wait:scheduled' || wait.phase === 'download') return;
  const queued = h.of('order:queued', wait.orderId)[0];
  const created = h.of('order:created', wait.orderId)[0];
  if (!queued || !created || (queued.caId !== 'sandbox' && queued.caId !== 'sandbox-b')) return;
  const busy = wait.phase === 'authorization' ? 'pending' : 'processing';
  const limit = Date.now() + timeoutMs;
  while (Date.now() < limit) {
    const order = await readOrderAtCa(sandbox, queued.caId, created.orderUrl);
    if (order.status !== busy) return;
    await realDelay(5);
  }
}

/** driveClock for an issue on a test sandbox: lets the CA catch up before each step, then runs `opts.onSleep`. */
export function driveIssue<T>(sandbox: TestSandbox, h: EngineHarness, work: Promise<T>, opts: DriveOptions = {}): Promise<T> {
  if (!(h.clock instanceof SteppingClock)) throw new Error('driveIssue needs a harness built with a SteppingClock');
  const clock = h.clock;
  return driveClock(clock, work, {
    ...opts,
    async onSleep(c) {
      await letCaCatchUp(sandbox, h);
      return opts.onSleep?.(c);
    },
  });
}

/** What 127.0.0.1:port answers for an HTTP-01 token: the status and body, or 'refused' when nothing listens. */
export function challengeResponse(port: number, token: string): Promise<{ status: number; body: string } | 'refused'> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/.well-known/acme-challenge/${token}`, agent: false, timeout: 3000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`127.0.0.1:${port} did not answer within 3 s`)));
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve('refused') : reject(err)));
  });
}

/**
 * Every file under `dir` (following the live/<name> symlink), plus the symlink's target: byte-for-byte what is
 * on disk for a certificate, to compare before and after.
 */
export async function certificateFiles(paths: StatePaths, certName: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const live = path.join(paths.liveDir, certName);
  out.set('(live link)', await readlink(live).catch(() => '(not a link)'));
  for (const name of (await readdir(live)).sort()) out.set(name, (await readFile(path.join(live, name))).toString('base64'));
  return out;
}

/** The pending key the journal names for the order in flight (written before the order existed). */
export async function journaledKeyPem(paths: StatePaths, certName: string): Promise<string> {
  const journal = await readJournal(paths, certName);
  if (!journal?.current) throw new Error(`the journal of ${certName} has no order in flight`);
  return readFile(journal.current.keyFile, 'utf8');
}
