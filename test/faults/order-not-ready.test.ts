/**
 * Field report 3: a CA answers finalize with 403 orderNotReady although the order moved on. The proxy forwards
 * the finalize to Pebble (so the order really is processing or valid) and answers 403: the engine must re-read,
 * never finalize a second time, and never order again.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { engineHarness, requestsOf, type EngineHarness } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';

describe('403 orderNotReady after a finalize that went through', { skip }, () => {
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

  function assertOneOrderOneFinalize(): void {
    const log = sb.proxy!.log();
    const finalizes = requestsOf(log, 'finalize');
    assert.equal(finalizes.length, 1, `finalize requests: ${JSON.stringify(finalizes)}`);
    assert.equal(finalizes[0]!.upstreamStatus, 200, 'Pebble accepted the one finalize');
    assert.equal(finalizes[0]!.status, 403, 'the client was told orderNotReady');
    assert.equal(requestsOf(log, 'new-order').length, 1, 'no second order');
    const i = log.indexOf(finalizes[0]!);
    assert.equal(log[i + 1]?.resource, 'order', 'the next thing after the 403 is a re-read of the order');
  }

  it('re-reads the order, finds it valid, downloads: one finalize, one order', async () => {
    sb.proxy!.setScenario({ rules: [{ kind: 'order-not-ready-after-finalize', count: 1 }] });
    const outcome = await h.issue({ domains: ['onr.example.test'] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assertOneOrderOneFinalize();
    assert.equal(h.of('retry:scheduled', outcome.orderId).length, 0, 'a 403 is not retried');
    assert.ok(h.of('log', outcome.orderId).some((e) => e.level === 'warn' && /orderNotReady/.test(e.message)));
  });

  it('re-reads the order, finds it still processing, polls it to valid: still one finalize', async () => {
    sb.proxy!.setScenario({ rules: [{ kind: 'order-not-ready-after-finalize', count: 1 }, { kind: 'hang-processing', seconds: 1 }] });
    const outcome = await h.issue({ domains: ['onr-processing.example.test'] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assertOneOrderOneFinalize();
    const statuses = h.of('order:status', outcome.orderId).map((e) => e.status);
    assert.deepEqual(statuses.slice(-2), ['processing', 'valid']);
    assert.ok(h.of('wait:scheduled', outcome.orderId).some((w) => w.phase === 'processing'), 'it polled while processing');
  });
});
