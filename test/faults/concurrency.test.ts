/**
 * Field report 3's other cause: two processes working on one certificate. The certificate lock must keep the
 * second off it, so the CA sees exactly one new-order: the second either fails at once with 'lock-held', or
 * (with waitForLock) waits and then resumes the first's order or finds the certificate already issued.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, beforeEach, describe, it, type TestContext } from 'node:test';
import type { IssueOutcome, IssueRequest } from '../../src/engine/api.js';
import { EXIT_CODES } from '../../src/engine/core/errors.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { engineHarness, requestsOf, type EngineHarness } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./issue-child.ts', import.meta.url));

interface Child {
  pid: number;
  events: EngineEvent[];
  waitForEvent(match: (e: EngineEvent) => boolean, timeoutMs?: number): Promise<EngineEvent>;
  /** Resolves when the process exits: its exit code and the outcome it printed. */
  done: Promise<{ code: number | null; outcome: IssueOutcome | undefined; stderr: string }>;
}

/** Starts issue-child.ts (another certdeck process on the same home); killed after the test if still running. */
function startChild(t: TestContext, home: string, request: IssueRequest): Child {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, home, JSON.stringify({ agreeTos: true, ...request })], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const events: EngineEvent[] = [];
  const listeners = new Set<() => void>();
  let outcome: IssueOutcome | undefined;
  let stderr = '';
  let buffer = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const parsed = JSON.parse(line) as { event?: EngineEvent; outcome?: IssueOutcome };
      if (parsed.event) events.push(parsed.event);
      if (parsed.outcome) outcome = parsed.outcome;
      for (const l of [...listeners]) l();
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ code: number | null; outcome: IssueOutcome | undefined; stderr: string }>((resolve) =>
    proc.on('exit', (code) => resolve({ code, outcome, stderr })),
  );
  return {
    pid: proc.pid!,
    events,
    done,
    waitForEvent(match, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = events.find(match);
          if (!hit) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`child ${proc.pid}: no matching event within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`));
        }, timeoutMs);
        listeners.add(check);
        void done.then(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`child ${proc.pid} exited before the event; outcome ${JSON.stringify(outcome)}; stderr: ${stderr.slice(-500)}`));
          }
        });
        check();
      });
    },
  };
}

describe('two certdecks on one certificate (Pebble behind the fault proxy)', { skip }, () => {
  let sb: TestSandbox;

  before(async () => {
    sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 });
  });
  after(() => sb?.stop());
  beforeEach(() => {
    sb.proxy!.setScenario({ rules: [] });
    sb.proxy!.clearLog();
  });

  const acceptedNewOrders = () => requestsOf(sb.proxy!.log(), 'new-order').filter((e) => e.upstreamStatus === 201).length;

  // The first process is held in processing until the test lets go, so a slow start of the second (tsx
  // compiling on a loaded machine) cannot change which of them meets the lock.
  const holdProcessing = () => sb.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
  const letGo = () => sb.proxy!.setScenario({ rules: [] });
  const waitingForLock = (e: EngineEvent) => e.type === 'log' && /^Waiting for another certdeck \(pid \d+/.test(e.message);

  it('two processes: the second fails with lock-held at once, the CA sees one new-order', async (t) => {
    const certName = 'two-procs.example.test';
    holdProcessing();
    const first = startChild(t, sb.home, { domains: [certName], ca: 'sandbox' });
    await first.waitForEvent((e) => e.type === 'order:created');

    const second = startChild(t, sb.home, { domains: [certName], ca: 'sandbox' });
    const secondDone = await second.done;
    letGo();
    assert.equal(secondDone.code, EXIT_CODES.lockHeld, secondDone.stderr);
    assert.equal(secondDone.outcome?.error?.kind, 'lock-held');
    assert.match(secondDone.outcome!.error!.message, new RegExp(`pid ${first.pid}\\b`));
    assert.match(secondDone.outcome!.error!.hint ?? '', /--wait/);
    assert.equal(second.events.filter((e) => e.type === 'order:queued').length, 0, 'the second never started an order');

    const firstDone = await first.done;
    assert.equal(firstDone.code, 0, JSON.stringify(firstDone.outcome?.error) + firstDone.stderr);
    assert.equal(acceptedNewOrders(), 1);
    assert.equal(requestsOf(sb.proxy!.log(), 'directory').length, 1, 'the second process never even contacted the CA');
  });

  it('two processes: the second waits for the lock and resumes the order the first gave up on', async (t) => {
    const certName = 'resume-procs.example.test';
    // The first gives up after 1 s of processing (its journal keeps the order); the CA finishes after 3 s.
    sb.proxy!.setScenario({ rules: [{ kind: 'hang-processing', seconds: 3 }] });
    const first = startChild(t, sb.home, { domains: [certName], ca: 'sandbox', policy: { deadlines: { processing: 1000 } } });
    const created = (await first.waitForEvent((e) => e.type === 'order:created')) as Extract<EngineEvent, { type: 'order:created' }>;
    const second = startChild(t, sb.home, { domains: [certName], ca: 'sandbox', waitForLock: true });

    const firstDone = await first.done;
    assert.equal(firstDone.outcome?.error?.code, 'processing-timeout', firstDone.stderr);
    const secondDone = await second.done;
    assert.equal(secondDone.code, 0, JSON.stringify(secondDone.outcome?.error) + secondDone.stderr);
    const resumed = second.events.find((e): e is Extract<EngineEvent, { type: 'order:created' }> => e.type === 'order:created');
    assert.equal(resumed?.resumed, true);
    assert.equal(resumed?.orderUrl, created.orderUrl, 'the same order, not a new one');
    assert.equal(acceptedNewOrders(), 1);
    assert.equal(requestsOf(sb.proxy!.log(), 'finalize').length, 1, 'finalized once, by the first');
  });

  it('two processes: the second waits for the lock and finds the certificate already issued', async (t) => {
    const certName = 'done-procs.example.test';
    holdProcessing();
    const first = startChild(t, sb.home, { domains: [certName], ca: 'sandbox' });
    await first.waitForEvent((e) => e.type === 'order:created');
    const second = startChild(t, sb.home, { domains: [certName], ca: 'sandbox', waitForLock: true });
    const waiting = await second.waitForEvent(waitingForLock);
    assert.match((waiting as Extract<EngineEvent, { type: 'log' }>).message, new RegExp(`pid ${first.pid}\\b`), 'it says whom it waits for');
    letGo();

    const [firstDone, secondDone] = await Promise.all([first.done, second.done]);
    assert.equal(firstDone.code, 0, firstDone.stderr);
    assert.equal(secondDone.code, 0, JSON.stringify(secondDone.outcome?.error) + secondDone.stderr);
    assert.equal(secondDone.outcome?.certificateDir, firstDone.outcome?.certificateDir);
    assert.equal(second.events.filter((e) => e.type === 'order:queued').length, 0, 'the second ordered nothing');
    assert.equal(acceptedNewOrders(), 1);
  });

  describe('in one process', () => {
    let h: EngineHarness;
    beforeEach(() => {
      h = engineHarness(sb);
    });
    afterEach(() => h.close());

    it('a second issue for the same certificate fails with lock-held while the first runs', async () => {
      holdProcessing();
      const certName = 'one-proc.example.test';
      const since = h.events.length;
      const first = h.issue({ domains: [certName] });
      await h.waitFor('order:created', () => true, { since });
      const second = await h.issue({ domains: [certName] });
      letGo();
      assert.equal(second.ok, false);
      assert.equal(second.error?.kind, 'lock-held');
      assert.deepEqual(second.orderIds, []);
      const outcome = await first;
      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
      assert.equal(acceptedNewOrders(), 1);
    });
  });
});
