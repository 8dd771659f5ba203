/**
 * Cancel in each phase where an order can sit for long (authorizing, hung in processing, waiting to retry), in
 * real time against Pebble behind the fault proxy: the issue settles within a second, the HTTP-01 listener and its
 * tokens are gone, pending authorizations are given back, the journal says why, the lock is free, and the
 * certificate already on disk for the same name is untouched to the byte.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { IssueOutcome } from '../../src/engine/api.js';
import { readJournal } from '../../src/engine/store/journal.js';
import { lockFile } from '../../src/engine/store/lock.js';
import type { FaultScenario } from '../../src/sandbox/fault-proxy.js';
import {
  certificateFiles,
  challengeResponse,
  engineHarness,
  readAuthorization,
  requestsOf,
  type EngineHarness,
} from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';
const CANCEL_WITHIN_MS = 1000;

describe('cancel (real time, Pebble behind the fault proxy)', { skip }, () => {
  let sb: TestSandbox;
  let h: EngineHarness;

  before(async () => {
    sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 });
  });
  after(() => sb?.stop());
  beforeEach(() => {
    sb.proxy!.setScenario({ rules: [] });
    sb.proxy!.clearLog();
    h = engineHarness(sb);
  });
  afterEach(() => h.close());

  /** A certificate for `certName` from sandbox-b (no faults), and its files as they are now. */
  async function previousCertificate(certName: string): Promise<Map<string, string>> {
    const first = await h.issue({ domains: [certName], ca: 'sandbox-b' });
    assert.equal(first.ok, true, JSON.stringify(first.error));
    return certificateFiles(h.paths, certName);
  }

  /** Cancels `orderId`, returning the outcome and how long (real time) the issue took to settle. */
  async function cancelAndTime(work: Promise<IssueOutcome>, orderId: string, reason: string): Promise<{ outcome: IssueOutcome; ms: number }> {
    const started = performance.now();
    h.engine.cancel(orderId, reason);
    const outcome = await work;
    return { outcome, ms: performance.now() - started };
  }

  /** What every cancel must leave behind, whatever the phase. */
  async function assertCleanCancel(certName: string, outcome: IssueOutcome, ms: number, reason: string, before: Map<string, string>): Promise<void> {
    assert.ok(ms < CANCEL_WITHIN_MS, `settled ${Math.round(ms)} ms after cancel`);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'cancelled');
    assert.equal(outcome.error?.message, reason);
    const finished = h.of('order:finished', outcome.orderId);
    assert.deepEqual(finished.map((f) => [f.outcome, f.reason]), [['cancelled', reason]]);

    assert.equal(await challengeResponse(sb.httpPort, 'any-token'), 'refused', 'the HTTP-01 listener is closed');
    const journal = await readJournal(h.paths, certName);
    assert.equal(journal?.current, undefined, 'nothing left in flight');
    assert.equal(journal?.history.at(-1)?.outcome, 'abandoned');
    assert.equal(journal?.history.at(-1)?.reason, `cancelled: ${reason}`);
    const pendingKeys = (await readdir(h.paths.journalDir)).filter((f) => f.startsWith(`${certName}.`) && f.endsWith('.key'));
    assert.deepEqual(pendingKeys, [], 'the pending private key is not left lying around');
    assert.equal(existsSync(lockFile(h.paths, certName)), false, 'the lock is released');
    assert.deepEqual(await certificateFiles(h.paths, certName), before, 'the certificate on disk is byte-identical');
  }

  /**
   * A cancel after finalize (issue 11): the CA is already issuing, so the run stops but the order stays in the
   * journal (with its key) for the next run to resume and download; nothing else differs from a clean cancel.
   */
  async function assertStoppedForResume(certName: string, outcome: IssueOutcome, ms: number, reason: string, before: Map<string, string>): Promise<void> {
    assert.ok(ms < CANCEL_WITHIN_MS, `settled ${Math.round(ms)} ms after cancel`);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'cancelled');
    assert.match(outcome.error!.message, new RegExp(`^${reason}; the certificate is already being issued, the next run resumes this order`));
    const finished = h.of('order:finished', outcome.orderId);
    assert.deepEqual(finished.map((f) => f.outcome), ['cancelled']);
    assert.equal(await challengeResponse(sb.httpPort, 'any-token'), 'refused', 'the HTTP-01 listener is closed');
    const journal = await readJournal(h.paths, certName);
    assert.equal(journal?.current?.orderUrl, h.of('order:created', outcome.orderId)[0]?.orderUrl, 'the order stays in the journal');
    assert.ok(journal?.current?.finalizeSentAt, 'with finalize recorded');
    assert.ok(existsSync(journal.current.keyFile), 'and its pending key');
    assert.equal(existsSync(lockFile(h.paths, certName)), false, 'the lock is released');
    assert.deepEqual(await certificateFiles(h.paths, certName), before, 'the certificate on disk is byte-identical');
  }

  function use(scenario: FaultScenario): void {
    sb.proxy!.setScenario(scenario);
    sb.proxy!.clearLog();
  }

  it('while authorizing (the challenge answer is held back): tokens gone, authorization deactivated at the CA', async () => {
    const certName = 'cancel-authz.example.test';
    const before = await previousCertificate(certName);
    use({ rules: [{ kind: 'unavailable', match: 'challenge', count: 1, retryAfterSeconds: 30 }] });
    const since = h.events.length;
    const work = h.issue({ domains: [certName] });
    const retry = await h.waitFor('retry:scheduled', (r) => r.operation === 'answer the challenge', { since });
    const pending = h.of('authz:updated', retry.orderId).find((a) => a.status === 'pending')!;

    // Before: the CA has the authorization pending and our listener serves its token.
    const authz = await readAuthorization(sb, 'sandbox', pending.url);
    assert.equal(authz.status, 'pending');
    const token = authz.challenges.find((c) => c.type === 'http-01')!.token;
    const served = await challengeResponse(sb.httpPort, token);
    assert.ok(served !== 'refused' && served.status === 200 && served.body.startsWith(`${token}.`), 'the token was being served');

    const reason = 'test: cancel while authorizing';
    const { outcome, ms } = await cancelAndTime(work, retry.orderId, reason);
    await assertCleanCancel(certName, outcome, ms, reason, before);
    assert.equal((await readAuthorization(sb, 'sandbox', pending.url)).status, 'deactivated', 'given back at the CA');
    assert.ok(h.of('authz:updated', retry.orderId).some((a) => a.url === pending.url && a.status === 'deactivated'));
    assert.equal(requestsOf(sb.proxy!.log(), 'challenge').length, 1, 'the challenge was never answered after the cancel');
  });

  it('while hung in processing (after finalize): polling stops, nothing is left running, the order is kept to resume', async () => {
    const certName = 'cancel-hung.example.test';
    const before = await previousCertificate(certName);
    use({ rules: [{ kind: 'hang-processing' }] });
    const since = h.events.length;
    const work = h.issue({ domains: [certName] });
    const wait = await h.waitFor('wait:scheduled', (w) => w.phase === 'processing' && w.attempt >= 3, { since });
    // Tokens are withdrawn as soon as the authorizations are valid, even though the listener still runs.
    assert.equal(h.of('authz:updated', wait.orderId).filter((a) => a.status === 'valid').length, 1);
    const listening = await challengeResponse(sb.httpPort, 'no-such-token');
    assert.ok(listening !== 'refused' && listening.status === 404);

    const reason = 'test: cancel while hung';
    const { outcome, ms } = await cancelAndTime(work, wait.orderId, reason);
    await assertStoppedForResume(certName, outcome, ms, reason, before);
    const polls = requestsOf(sb.proxy!.log(), 'order').length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(requestsOf(sb.proxy!.log(), 'order').length, polls, 'no poll after the cancel');
  });

  it('while a retry waits (429 with a long Retry-After on new-order): no order is created afterwards', async () => {
    const certName = 'cancel-retry.example.test';
    const before = await previousCertificate(certName);
    use({ rules: [{ kind: 'rate-limit', match: 'new-order', count: 1, retryAfterSeconds: 30 }] });
    const since = h.events.length;
    const work = h.issue({ domains: [certName] });
    const retry = await h.waitFor('retry:scheduled', (r) => r.operation === 'create the order', { since });
    assert.equal(retry.reason, 'retry-after');
    assert.equal(retry.nextAttemptAt - retry.at, 30_000);

    const reason = 'test: cancel while waiting to retry';
    const { outcome, ms } = await cancelAndTime(work, retry.orderId, reason);
    await assertCleanCancel(certName, outcome, ms, reason, before);
    assert.equal(h.of('order:created', outcome.orderId).length, 0);
    assert.deepEqual(requestsOf(sb.proxy!.log(), 'new-order').map((e) => e.status), [429], 'not retried after the cancel');
  });

  it('through the AbortSignal given to issue (what Ctrl+C in a headless run does)', async () => {
    const certName = 'cancel-signal.example.test';
    const before = await previousCertificate(certName);
    use({ rules: [{ kind: 'hang-processing' }] });
    const abort = new AbortController();
    const since = h.events.length;
    const work = h.issue({ domains: [certName] }, abort.signal);
    await h.waitFor('wait:scheduled', (w) => w.phase === 'processing', { since });
    const started = performance.now();
    abort.abort('interrupted (SIGINT)');
    const outcome = await work;
    await assertStoppedForResume(certName, outcome, performance.now() - started, 'interrupted \\(SIGINT\\)', before);
  });
});
