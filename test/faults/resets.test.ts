/**
 * Connections reset by the network at chosen endpoints: retried within the policy's budget (each retry a freshly
 * signed request), and beyond it a network error that says what failed and how often it was tried.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { readJournal } from '../../src/engine/store/journal.js';
import { engineHarness, requestsOf, type EngineHarness } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';

describe('connection resets (Pebble behind the fault proxy)', { skip }, () => {
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

  it('survives resets on new-order, finalize, order polls and the download within the budget', async () => {
    sb.proxy!.setScenario({
      rules: [
        { kind: 'reset', match: 'new-order', count: 2 },
        { kind: 'reset', match: 'finalize', count: 1 },
        { kind: 'reset', match: 'order', count: 1 },
        { kind: 'reset', match: 'cert', count: 1 },
      ],
    });
    const outcome = await h.issue({ domains: ['reset-ok.example.test'] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));

    const log = sb.proxy!.log();
    assert.equal(log.filter((e) => e.fault === 'reset').length, 5, 'every injected reset was hit');
    assert.equal(requestsOf(log, 'new-order').filter((e) => e.upstreamStatus === 201).length, 1, 'one order at the CA');
    assert.equal(requestsOf(log, 'finalize').filter((e) => e.upstreamStatus === 200).length, 1, 'one finalize at the CA');
    const retries = h.of('retry:scheduled', outcome.orderId);
    assert.equal(retries.length, 5);
    assert.ok(retries.every((r) => r.error.kind === 'network' && r.reason === 'backoff'), JSON.stringify(retries.map((r) => r.error)));
    assert.ok(retries.every((r) => /ECONNRESET/.test(r.error.message)));
    assert.deepEqual(
      retries.filter((r) => r.operation === 'create the order').map((r) => r.attempt),
      [1, 2],
    );
  });

  it('beyond the budget: a network error naming the cause and the retries, and the order resumes next run', async () => {
    sb.proxy!.setScenario({ rules: [{ kind: 'reset', match: 'finalize' }] });
    const certName = 'reset-budget.example.test';
    const outcome = await h.issue({ domains: [certName], policy: { maxRetries: 2 } });

    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'network');
    assert.match(outcome.error!.message, /ECONNRESET.*finalize.*gave up .*after 2 retries/);
    assert.ok(outcome.error?.hint);
    const log = sb.proxy!.log();
    assert.equal(requestsOf(log, 'finalize').length, 3, 'first try + 2 retries, then stop');
    assert.equal(h.of('retry:scheduled', outcome.orderId).length, 2);

    // The hint promises the order resumes: the journal must still hold it, and a second run must use it.
    const journal = await readJournal(h.paths, certName);
    const orderUrl = h.of('order:created', outcome.orderId)[0]!.orderUrl;
    assert.equal(journal?.current?.orderUrl, orderUrl);
    sb.proxy!.setScenario({ rules: [] });
    const again = await h.issue({ domains: [certName] });
    assert.equal(again.ok, true, JSON.stringify(again.error));
    const resumed = h.of('order:created', again.orderId)[0]!;
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.orderUrl, orderUrl);
    assert.equal(requestsOf(sb.proxy!.log(), 'new-order').length, 1, 'the second run ordered nothing new');
  });
});
