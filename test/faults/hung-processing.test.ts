/**
 * Issue 1 and 2 of the field reports: an order that sits in "processing" for ever. The fault proxy holds the real
 * Pebble order in processing; a fake clock runs ten minutes of polling in a fraction of a second, while every
 * poll is a real request through the proxy.
 */
import assert from 'node:assert/strict';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DEFAULT_POLICY, mergePolicy, nextPollDelay, type PolicyOverride, type WaitPolicy } from '../../src/engine/policy.js';
import { livePaths } from '../../src/engine/store/cert-files.js';
import { readJournal } from '../../src/engine/store/journal.js';
import { driveIssue, engineHarness, journaledKeyPem, requestsOf, SteppingClock, type EngineHarness } from '../support/engine-harness.js';
import type { FaultLogEntry } from '../../src/sandbox/fault-proxy.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const MINUTE = 60_000;
/** DEFAULT_POLICY's backoff without jitter, a 10-minute processing deadline, hung after one minute. */
const OVERRIDE: PolicyOverride = { floorMs: 1000, capMs: 30_000, factor: 2, jitter: 0, hungAfterMs: MINUTE, deadlines: { processing: 10 * MINUTE } };
const POLICY: WaitPolicy = mergePolicy(DEFAULT_POLICY, OVERRIDE);

/**
 * The waits the policy implies for a processing phase that never ends: an early first poll then backoff (nextPollDelay), the last wait cut
 * to end exactly at the deadline, one poll after each wait. `extendAfter` moves the deadline once, after that many
 * waits were scheduled (what keepWaiting does).
 */
function plannedWaits(policy: WaitPolicy, extend?: { afterWaits: number; byMs: number }): number[] {
  const waits: number[] = [];
  let elapsed = 0;
  let deadline = policy.deadlines.processing;
  for (let attempt = 1; ; attempt++) {
    if (extend && waits.length === extend.afterWaits) deadline += extend.byMs;
    const remaining = deadline - elapsed;
    if (remaining <= 0) return waits;
    const delay = Math.min(nextPollDelay(policy, attempt, undefined, () => 0.5).delayMs, remaining);
    waits.push(delay);
    elapsed += delay;
  }
}

/** Order reads the CA answered (a badNonce rejection is retried by acme-client within the same poll). */
const answeredPolls = (log: FaultLogEntry[]) => requestsOf(log, 'order').filter((e) => e.status === 200).length;

const skip = pebbleAvailable() ? false : 'pebble is not installed';

describe('an order hung in processing (fake clock, real Pebble behind the fault proxy)', { skip }, () => {
  let sb: TestSandbox;
  let h: EngineHarness;
  let clock: SteppingClock;

  before(async () => {
    sb = await startTestSandbox({ fault: { rules: [{ kind: 'hang-processing' }] } });
  });
  after(() => sb?.stop());
  beforeEach(() => {
    sb.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
    sb.proxy!.clearLog();
    clock = new SteppingClock();
    h = engineHarness(sb, { clock });
  });
  afterEach(() => h.close());

  const processingWaits = (orderId?: string) => h.of('wait:scheduled', orderId).filter((e) => e.phase === 'processing');

  it('gives up at the deadline after exactly the polls the policy implies, flags it hung, and says so', async () => {
    const expected = plannedWaits(POLICY);
    // Sanity of the model itself: an early 250 ms poll, 1+2+4+8+16 s, then 30 s steps, the last one cut to the
    // 10-minute mark.
    assert.deepEqual(expected.slice(0, 8), [250, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    assert.equal(expected.reduce((a, b) => a + b, 0), 10 * MINUTE);

    const outcome = await driveIssue(sb, h, h.issue({ domains: ['hung.example.test'], policy: OVERRIDE }));

    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'timeout');
    assert.equal(outcome.error?.code, 'processing-timeout');
    assert.match(outcome.error!.message, new RegExp(`after 10m00s \\(${expected.length} polls\\); the processing deadline of 10m00s ran out`));
    assert.ok(outcome.error?.hint, 'a timeout says what to do next');

    const waits = processingWaits(outcome.orderId);
    assert.deepEqual(
      waits.map((w) => w.delayMs),
      expected,
    );
    const startedAt = waits[0]!.startedAt;
    const processing = h.of('order:status', outcome.orderId).find((e) => e.status === 'processing');
    assert.equal(startedAt, processing?.at, 'the processing clock starts when the CA first said "processing"');
    let now = startedAt;
    for (const [i, w] of waits.entries()) {
      assert.equal(w.attempt, i + 1);
      assert.equal(w.reason, 'backoff');
      assert.equal(w.at, now, `wait ${i + 1} is scheduled right after the previous poll`);
      assert.equal(w.nextPollAt, now + expected[i]!);
      assert.equal(w.deadlineAt, startedAt + 10 * MINUTE);
      now = w.nextPollAt;
    }

    // Every planned poll really went to the CA, at the planned (fake) time, and no more. (Pebble rejects 5% of
    // nonces; acme-client's immediate badNonce retry is part of the same poll, so only answered reads count.)
    const orderUrl = h.of('order:created', outcome.orderId)[0]!.orderUrl;
    const exchanges = h.of('http:exchange', outcome.orderId);
    const afterFinalize = exchanges.slice(exchanges.findIndex((x) => x.url.includes('/finalize-order/')) + 1);
    const pollTimes = afterFinalize.filter((x) => x.url === orderUrl && x.status === 200).map((x) => x.at);
    assert.deepEqual(pollTimes, waits.map((w) => w.nextPollAt));
    const log = sb.proxy!.log();
    const finalizeIndex = log.findIndex((e) => e.resource === 'finalize');
    assert.equal(answeredPolls(log.slice(finalizeIndex)), expected.length);

    // Hung is flagged once, exactly when one minute of processing has passed (mid-wait), naming the next poll.
    const hung = h.of('order:hung', outcome.orderId);
    assert.equal(hung.length, 1);
    const spanning = waits.find((w) => w.at < startedAt + MINUTE && w.nextPollAt > startedAt + MINUTE)!;
    assert.equal(hung[0]!.since, startedAt);
    assert.equal(hung[0]!.at, startedAt + MINUTE);
    assert.equal(hung[0]!.nextPollAt, spanning.nextPollAt);
    assert.equal(hung[0]!.polls, spanning.attempt - 1);
    assert.equal(pollTimes.filter((t) => t > startedAt + MINUTE)[0], spanning.nextPollAt, 'the hung flag does not move the poll');

    const finished = h.of('order:finished', outcome.orderId);
    assert.deepEqual(finished.map((f) => f.outcome), ['failed']);
    assert.equal(clock.now() - startedAt, 10 * MINUTE, 'nothing waits beyond the deadline');
    // A timeout is retryable: the journal keeps the order so the next run resumes it instead of ordering again.
    const journal = await readJournal(h.paths, 'hung.example.test');
    assert.equal(journal?.current?.orderUrl, orderUrl);
  });

  it('falls back to sandbox-b after the deadline with the same key, and links the two orders', async () => {
    const certName = 'fallback.example.test';
    let keyBeforeFallback: string | undefined;
    const outcome = await driveIssue(sb, h, h.issue({ domains: [certName], policy: OVERRIDE, fallback: ['sandbox-b'] }), {
      async onSleep() {
        if (keyBeforeFallback === undefined && processingWaits().length > 0) keyBeforeFallback = await journaledKeyPem(h.paths, certName);
      },
    });

    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.equal(outcome.orderIds.length, 2);
    const [first, second] = outcome.orderIds as [string, string];
    assert.equal(outcome.orderId, second);

    const abandoned = h.of('order:finished', first);
    assert.equal(abandoned.length, 1);
    assert.equal(abandoned[0]!.outcome, 'abandoned');
    assert.equal(abandoned[0]!.replacedBy, second);
    assert.equal(abandoned[0]!.error?.code, 'processing-timeout');
    assert.match(abandoned[0]!.reason ?? '', /still processing after 10m.*Falling back to/);
    assert.equal(processingWaits(first).length, plannedWaits(POLICY).length, 'the first CA got its full deadline');

    const queued = h.of('order:queued', second)[0]!;
    assert.equal(queued.caId, 'sandbox-b');
    assert.equal(queued.replaces, first);
    assert.deepEqual(h.of('order:finished', second).map((f) => f.outcome), ['valid']);

    // Same private key: journaled before the first order, used for the second, saved with the certificate.
    assert.ok(keyBeforeFallback);
    const live = livePaths(h.paths, certName);
    const savedKey = await readFile(live.privkey, 'utf8');
    const spki = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
    const cert = new X509Certificate(await readFile(live.cert, 'utf8'));
    assert.deepEqual(cert.publicKey.export({ type: 'spki', format: 'der' }), spki(keyBeforeFallback));
    assert.deepEqual(spki(savedKey), spki(keyBeforeFallback));
    const meta = JSON.parse(await readFile(live.meta, 'utf8')) as { caId: string };
    assert.equal(meta.caId, 'sandbox-b');
    // Issued by sandbox-b's own CA, not the hung one.
    const chain = (await readFile(live.chain, 'utf8')).split(/(?=-----BEGIN CERTIFICATE-----)/).map((p) => new X509Certificate(p));
    const issuedUnder = async (id: 'sandbox' | 'sandbox-b') => {
      const root = new X509Certificate(await sb.pebbleRootPem(id));
      return chain.some((c) => c.checkIssued(root));
    };
    assert.equal(await issuedUnder('sandbox-b'), true);
    assert.equal(await issuedUnder('sandbox'), false);

    const history = (await readJournal(h.paths, certName))?.history ?? [];
    assert.deepEqual(history.map((e) => [e.caId, e.outcome]), [['sandbox', 'abandoned'], ['sandbox-b', 'valid']]);
  });

  it('keepWaiting moves the deadline: more polls, hung flagged again, the new deadline holds', async () => {
    const extraMs = 5 * MINUTE;
    const afterWaits = 8;
    let orderId: string | undefined;
    const outcome = await driveIssue(sb, h, h.issue({ domains: ['keep.example.test'], policy: OVERRIDE }), {
      onSleep() {
        const waits = processingWaits();
        if (orderId === undefined && waits.length === afterWaits) {
          orderId = waits[0]!.orderId;
          h.engine.keepWaiting(orderId, extraMs);
        }
      },
    });

    assert.equal(outcome.error?.code, 'processing-timeout');
    const base = plannedWaits(POLICY);
    const expected = plannedWaits(POLICY, { afterWaits, byMs: extraMs });
    assert.ok(expected.length > base.length);
    const waits = processingWaits(outcome.orderId);
    assert.deepEqual(waits.map((w) => w.delayMs), expected);
    const startedAt = waits[0]!.startedAt;

    const extended = h.of('wait:extended', outcome.orderId);
    assert.equal(extended.length, 1);
    assert.equal(extended[0]!.phase, 'processing');
    assert.equal(extended[0]!.deadlineAt, startedAt + 10 * MINUTE + extraMs);
    assert.ok(waits.slice(afterWaits).every((w) => w.deadlineAt === startedAt + 15 * MINUTE));
    assert.equal(clock.now() - startedAt, 15 * MINUTE);
    assert.match(outcome.error!.message, new RegExp(`after 15m00s \\(${expected.length} polls\\)`));
    assert.match(outcome.error!.message, /deadline of 15m00s \(extended by 5m00s\) ran out/, 'the message names the deadline that really applied');
    // The operator chose to keep waiting: the next poll flags it hung again so the choice is offered again.
    assert.equal(h.of('order:hung', outcome.orderId).length, 2);
  });

  it('retryNow polls at once without waiting out the backoff', async () => {
    let woke: { at: number; pollsBefore: number } | undefined;
    const outcome = await driveIssue(sb, h, h.issue({ domains: ['now.example.test'], policy: OVERRIDE }), {
      onSleep() {
        const waits = processingWaits();
        const last = waits.at(-1);
        if (!woke && last && last.delayMs === 16_000) {
          woke = { at: clock.now(), pollsBefore: answeredPolls(sb.proxy!.log()) };
          h.engine.retryNow(last.orderId);
          return 'hold';
        }
        if (woke) {
          h.engine.cancel(last!.orderId, 'test over');
          return 'hold';
        }
      },
    });

    assert.ok(woke);
    const waits = processingWaits(outcome.orderId);
    const i = waits.findIndex((w) => w.delayMs === 16_000);
    const afterWake = waits[i + 1]!;
    assert.equal(afterWake.at, woke.at, 'the poll happened without the clock moving');
    assert.equal(afterWake.attempt, waits[i]!.attempt + 1);
    assert.equal(answeredPolls(sb.proxy!.log()), woke.pollsBefore + 1, 'exactly one extra poll');
    assert.equal(outcome.error?.kind, 'cancelled');
  });

  it('switchCa during the hang re-issues at sandbox-b and records why the first order was abandoned', async () => {
    const certName = 'switch.example.test';
    let switched = false;
    let keyBeforeSwitch: string | undefined;
    const outcome = await driveIssue(sb, h, h.issue({ domains: [certName], policy: OVERRIDE }), {
      async onSleep() {
        const waits = processingWaits();
        if (!switched && waits.length === 3) {
          switched = true;
          keyBeforeSwitch = await journaledKeyPem(h.paths, certName);
          h.engine.switchCa(waits[0]!.orderId, 'sandbox-b');
          return 'hold';
        }
      },
    });

    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const [first, second] = outcome.orderIds as [string, string];
    assert.equal(outcome.orderIds.length, 2);
    const abandoned = h.of('order:finished', first)[0]!;
    assert.equal(abandoned.outcome, 'abandoned');
    assert.match(abandoned.reason ?? '', /^switched to .*sandbox.* by the operator$/i);
    assert.equal(abandoned.replacedBy, second);
    assert.equal(h.of('order:queued', second)[0]?.replaces, first);
    assert.equal(h.of('order:queued', second)[0]?.caId, 'sandbox-b');
    assert.equal(processingWaits(first).length, 3, 'no poll of the old order after the switch');
    const live = livePaths(h.paths, certName);
    const cert = new X509Certificate(await readFile(live.cert, 'utf8'));
    assert.deepEqual(
      cert.publicKey.export({ type: 'spki', format: 'der' }),
      createPublicKey(keyBeforeSwitch!).export({ type: 'spki', format: 'der' }),
    );
    const history = (await readJournal(h.paths, certName))?.history ?? [];
    assert.match(history[0]?.reason ?? '', /switched to/);
  });
});
