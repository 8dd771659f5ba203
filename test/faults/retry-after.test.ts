/**
 * 429 and 503 with Retry-After, in real time against Pebble behind the fault proxy: the engine waits what the CA
 * asked (no less, not much more), says why it waits, and refuses to wait past its deadline.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { FaultLogEntry, FaultScenario } from '../../src/sandbox/fault-proxy.js';
import { engineHarness, requestsOf, type EngineHarness } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

/** How much later than Retry-After the next request may come (scheduling, TLS, a loaded CI machine). */
const SLACK_MS = 800;

const skip = pebbleAvailable() ? false : 'pebble is not installed';

/** The gap between a rejected request and the next request the proxy saw (the retry, or the re-read before it). */
function gapAfter(log: FaultLogEntry[], rejected: FaultLogEntry): number {
  const i = log.indexOf(rejected);
  const next = log[i + 1];
  assert.ok(next, `no request after the rejected ${rejected.method} ${rejected.path}`);
  return next.at - rejected.at;
}

describe('Retry-After on 429 and 503 (real time, Pebble behind the fault proxy)', { skip }, () => {
  let sb: TestSandbox;
  let h: EngineHarness;

  before(async () => {
    sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 }); // exact request counts: no random badNonce
  });
  after(() => sb?.stop());
  beforeEach(() => {
    sb.proxy!.clearLog();
    h = engineHarness(sb);
  });
  afterEach(() => h.close());

  const use = (scenario: FaultScenario) => sb.proxy!.setScenario(scenario);

  it('429 rateLimited on new-order: waits Retry-After, then orders once', async () => {
    use({ rules: [{ kind: 'rate-limit', match: 'new-order', count: 1, retryAfterSeconds: 1 }] });
    const outcome = await h.issue({ domains: ['ra-new-order.example.test'] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));

    const log = sb.proxy!.log();
    const newOrders = requestsOf(log, 'new-order');
    assert.deepEqual(newOrders.map((e) => e.status), [429, 201]);
    const gap = gapAfter(log, newOrders[0]!);
    assert.ok(gap >= 1000 && gap < 1000 + SLACK_MS, `next request ${gap} ms after the 429 (Retry-After: 1)`);

    const [retry, ...more] = h.of('retry:scheduled', outcome.orderId);
    assert.equal(more.length, 0);
    assert.equal(retry!.reason, 'retry-after');
    assert.equal(retry!.operation, 'create the order');
    assert.equal(retry!.nextAttemptAt - retry!.at, 1000);
    assert.equal(retry!.error.kind, 'rate-limited');
    assert.equal(retry!.error.retryAfterMs, 1000);
  });

  it('503 on finalize: waits Retry-After, re-reads the order, finalizes once more', async () => {
    use({ rules: [{ kind: 'unavailable', match: 'finalize', count: 1, retryAfterSeconds: 2 }] });
    const outcome = await h.issue({ domains: ['ra-finalize.example.test'] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));

    const log = sb.proxy!.log();
    const finalizes = requestsOf(log, 'finalize');
    assert.deepEqual(finalizes.map((e) => e.status), [503, 200], 'the 503 was never forwarded; one real finalize');
    assert.equal(requestsOf(log, 'new-order').length, 1);
    const gap = gapAfter(log, finalizes[0]!);
    assert.ok(gap >= 2000 && gap < 2000 + SLACK_MS, `next request ${gap} ms after the 503 (Retry-After: 2)`);
    const next = log[log.indexOf(finalizes[0]!) + 1]!;
    assert.equal(next.resource, 'order', 'read before write: the order is re-read before finalizing again');

    const retries = h.of('retry:scheduled', outcome.orderId);
    assert.deepEqual(retries.map((r) => [r.operation, r.reason, r.nextAttemptAt - r.at]), [['finalize', 'retry-after', 2000]]);
    assert.equal(retries[0]!.error.status, 503);
  });

  it('429 on order polls: each retry waits its Retry-After', async () => {
    use({ rules: [{ kind: 'rate-limit', match: 'order', count: 2, retryAfterSeconds: 1 }] });
    const outcome = await h.issue({ domains: ['ra-poll.example.test'] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));

    const log = sb.proxy!.log();
    const limited = requestsOf(log, 'order').filter((e) => e.status === 429);
    assert.equal(limited.length, 2);
    for (const rejected of limited) {
      const gap = gapAfter(log, rejected);
      assert.ok(gap >= 1000 && gap < 1000 + SLACK_MS, `next request ${gap} ms after a 429 (Retry-After: 1)`);
    }
    const retries = h.of('retry:scheduled', outcome.orderId);
    assert.deepEqual(retries.map((r) => [r.operation, r.attempt, r.reason]), [['read the order', 1, 'retry-after'], ['read the order', 2, 'retry-after']]);
  });

  it('Retry-After on a 200 "processing" answer paces the polls (instead of backoff)', async () => {
    use({ rules: [{ kind: 'hang-processing', seconds: 2, retryAfterSeconds: 1 }] });
    const outcome = await h.issue({ domains: ['ra-processing.example.test'] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));

    const waits = h.of('wait:scheduled', outcome.orderId).filter((w) => w.phase === 'processing');
    assert.ok(waits.length >= 2, `${waits.length} processing waits`);
    assert.ok(waits.every((w) => w.reason === 'retry-after' && w.delayMs === 1000), JSON.stringify(waits.map((w) => [w.reason, w.delayMs])));
    const log = sb.proxy!.log();
    const afterFinalize = log.slice(log.findIndex((e) => e.resource === 'finalize'));
    // Answered polls only: a badNonce from Pebble (5% of nonces) is re-sent at once by acme-client, same poll.
    const polls = requestsOf(afterFinalize, 'order', 'POST').filter((p) => p.status === 200);
    const times = [afterFinalize[0]!.at, ...polls.map((p) => p.at)];
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!;
      assert.ok(gap >= 1000 && gap < 1000 + SLACK_MS, `poll ${i} came ${gap} ms after the previous answer`);
    }
  });

  it('503 with Retry-After as an HTTP-date is honoured too', async () => {
    use({ rules: [{ kind: 'unavailable', match: 'new-order', count: 1, retryAfterSeconds: 2, retryAfterFormat: 'http-date' }] });
    const outcome = await h.issue({ domains: ['ra-date.example.test'] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const log = sb.proxy!.log();
    const [rejected] = requestsOf(log, 'new-order');
    assert.equal(rejected?.status, 503);
    // An HTTP-date has whole seconds: "2 s from now" lands 1-2 s ahead.
    const gap = gapAfter(log, rejected!);
    assert.ok(gap >= 1000 && gap < 2000 + SLACK_MS, `next request ${gap} ms after the 503`);
    assert.equal(h.of('retry:scheduled', outcome.orderId)[0]?.reason, 'retry-after');
  });

  it('a processing Retry-After beyond the deadline is reported at once instead of waited out', async () => {
    use({ rules: [{ kind: 'hang-processing', retryAfterSeconds: 120 }] });
    const started = Date.now();
    const outcome = await h.issue({ domains: ['ra-beyond.example.test'], policy: { deadlines: { processing: 10_000 } } });
    assert.ok(Date.now() - started < 5000, 'did not wait');
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'timeout');
    assert.equal(outcome.error?.code, 'processing-retry-after-beyond-deadline');
    assert.match(outcome.error!.message, /asked to wait 2m00s \(Retry-After\).*deadline is in 10s/);
    assert.ok(outcome.error?.hint);
    const log = sb.proxy!.log();
    assert.equal(requestsOf(log.slice(log.findIndex((e) => e.resource === 'finalize')), 'order').length, 0, 'no poll after finalize');
    assert.equal(h.of('wait:scheduled', outcome.orderId).filter((w) => w.phase === 'processing').length, 0);
  });

  it('a rate limit longer than any deadline fails as rate-limited, saying when to try again', async () => {
    use({ rules: [{ kind: 'rate-limit', match: 'new-order', retryAfterSeconds: 3600 }] });
    const started = Date.now();
    const outcome = await h.issue({ domains: ['ra-hour.example.test'] });
    assert.ok(Date.now() - started < 5000, 'did not wait');
    assert.equal(outcome.error?.kind, 'rate-limited');
    assert.match(outcome.error!.message, /retry in 1h.*longer than certdeck waits in one run/);
    assert.match(outcome.error?.hint ?? '', /Try again after \d{4}-\d\d-\d\dT/);
    assert.equal(requestsOf(sb.proxy!.log(), 'new-order').length, 1, 'asked once, not hammered');
    assert.equal(h.of('retry:scheduled').length, 0);
  });
});
