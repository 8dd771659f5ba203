/**
 * Switch CA must not lose the order it switches away from: until the new CA has accepted a new order, the journal
 * keeps the old one, so a switch to a CA that cannot be reached leaves it to resume (issue 12, point 5).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readJournal } from '../../src/engine/store/journal.js';
import { driveIssue, engineHarness, SteppingClock } from '../support/engine-harness.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { systemPackagesSkip } from '../support/system-packages.js';

const skip = systemPackagesSkip(['pebble']);
const OVERRIDE = { floorMs: 1000, capMs: 30_000, factor: 2, jitter: 0, hungAfterMs: 60_000, maxRetries: 2, deadlines: { processing: 600_000 } };

describe('switch CA to a CA that cannot be reached', { skip }, () => {
  let sb: TestSandbox;
  before(async () => {
    sb = await startTestSandbox({ fault: { rules: [{ kind: 'hang-processing' }] } });
  });
  after(() => sb?.stop());

  it('ends with a network error that says the original order is kept, and the next run resumes that very order', async () => {
    const certName = 'keep.example.test';
    const h = engineHarness(sb, { clock: new SteppingClock() });
    let switched = false;
    let originalUrl: string | undefined;
    const outcome = await driveIssue(sb, h, h.issue({ domains: [certName], policy: OVERRIDE }), {
      async onSleep() {
        const waits = h.of('wait:scheduled').filter((e) => e.phase === 'processing');
        if (!switched && waits.length === 2) {
          switched = true;
          originalUrl = (await readJournal(h.paths, certName))?.current?.orderUrl;
          // Nothing listens on port 9: the new CA is unreachable.
          h.engine.switchCa(waits[0]!.orderId, 'https://127.0.0.1:9/dir');
          return 'hold';
        }
      },
    });
    await h.close();
    assert.ok(originalUrl, 'the order URL was journaled before the switch');
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'network', JSON.stringify(outcome.error));
    assert.match(outcome.error?.hint ?? '', /order at .* from before the switch is kept and resumes on the next run with --ca sandbox/);

    const journal = await readJournal(h.paths, certName);
    assert.equal(journal?.current?.orderUrl, originalUrl, 'still the journal\'s order');
    assert.equal(journal?.current?.caId, 'sandbox');
    assert.ok(!journal?.history.some((e) => e.orderUrl === originalUrl), 'not moved to history');

    // The CA lets the order finish now; the next run (same request, the original CA) resumes that order.
    sb.proxy!.setScenario({ rules: [] });
    sb.proxy!.clearLog();
    const again = engineHarness(sb, { clock: new SteppingClock() });
    const resumed = await driveIssue(sb, again, again.issue({ domains: [certName], policy: OVERRIDE }));
    await again.close();
    assert.equal(resumed.ok, true, JSON.stringify(resumed.error));
    const created = again.of('order:created')[0];
    assert.equal(created?.resumed, true);
    assert.equal(created?.orderUrl, originalUrl);
    assert.equal(sb.proxy!.log().filter((e) => e.resource === 'new-order' && (e.status ?? 0) < 300).length, 0, 'no new order at the CA');
  });

  it('a switch the new CA accepts moves the old order to history only then, with why', async () => {
    sb.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
    const certName = 'moved.example.test';
    const h = engineHarness(sb, { clock: new SteppingClock() });
    let switched = false;
    let originalUrl: string | undefined;
    const outcome = await driveIssue(sb, h, h.issue({ domains: [certName], policy: OVERRIDE }), {
      async onSleep() {
        const waits = h.of('wait:scheduled').filter((e) => e.phase === 'processing');
        if (!switched && waits.length === 2) {
          switched = true;
          originalUrl = (await readJournal(h.paths, certName))?.current?.orderUrl;
          h.engine.switchCa(waits[0]!.orderId, 'sandbox-b');
          return 'hold';
        }
      },
    });
    await h.close();
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const history = (await readJournal(h.paths, certName))?.history ?? [];
    const old = history.find((e) => e.orderUrl === originalUrl);
    assert.equal(old?.outcome, 'abandoned');
    assert.match(old?.reason ?? '', /switched to .* by the operator/);
  });
});
