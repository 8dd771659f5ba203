/**
 * The retry schedule across runs, on the engine with an injected clock against Pebble behind the fault proxy:
 * after a failed renewal the next attempt waits 1 minute, then 10 minutes, 100 minutes, then a day each time;
 * runs inside the wait skip the certificate saying when it tries next; --force goes at once, and a success clears
 * the schedule.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRuntime } from '../../src/app/runtime.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { parseFaultSpec } from '../../src/sandbox/fault/preset.js';
import { runCli } from '../support/cli.js';
import { driveClock, requestsOf, SteppingClock } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';
const MIN = 60_000;

describe('renew: retry schedule after failures', { skip }, () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startTestSandbox({ fault: 'ari:now' });
  });
  after(async () => sandbox?.stop());

  it('1 min, 10 min, 100 min, then daily; skipped in between; --force at once; success clears it', async () => {
    const env = { CERTDECK_HOME: sandbox.home };
    // --max-retries 0 (stored with the request): each renewal is one newOrder, failed by the proxy.
    const issued = await runCli(['issue', 'retry.test', '--ca', 'sandbox', '--agree-tos', '--max-retries', '0', '--json'], env);
    assert.equal(issued.code, 0, issued.stderr + issued.stdout.slice(-2000));
    sandbox.proxy!.setScenario(parseFaultSpec('ari:now,unavailable:new-order:*:none'));
    // Stepping: the engine's own short waits (a nonce on its way back) pass in fake time too.
    const clock = new SteppingClock(Date.now());
    const { engine } = await createRuntime(env, { clock });
    const logs: string[] = [];
    engine.onEvent((e: EngineEvent) => void (e.type === 'log' && logs.push(e.message)));
    const attempts = () => requestsOf(sandbox.proxy!.log(), 'new-order', 'POST').length;
    const renew = async (force = false) => (await driveClock(clock, engine.renew({ names: ['retry.test'], force })))[0]!;
    try {
      sandbox.proxy!.clearLog();
      let r = await renew();
      assert.equal(r.action, 'failed', JSON.stringify(r.error));
      assert.equal(r.certificateStillValid, true);
      assert.equal(attempts(), 1);
      let expectedNext = r.plan!.retry!.lastAt + MIN;
      assert.equal(r.plan?.retry?.nextAttemptAt, expectedNext);

      for (const [step, wait] of [[2, 10 * MIN], [3, 100 * MIN], [4, 24 * 60 * MIN], [5, 24 * 60 * MIN]] as const) {
        await clock.advance(expectedNext - clock.now() - 1000);
        r = await renew();
        assert.equal(r.action, 'backoff', `step ${step}: still waiting one second before the next attempt`);
        assert.equal(attempts(), step - 1, 'nothing sent while waiting');
        assert.match(logs.at(-1)!, new RegExp(`next attempt at ${new Date(expectedNext).toISOString()}`));
        await clock.advance(1000);
        r = await renew();
        assert.equal(r.action, 'failed');
        assert.equal(attempts(), step);
        assert.equal(r.plan?.retry?.failures, step);
        expectedNext = r.plan!.retry!.lastAt + wait;
        assert.ok(r.plan!.retry!.lastAt >= clock.now() - 5000, 'counted from this failure');
        assert.equal(r.plan?.retry?.nextAttemptAt, expectedNext, `after failure ${step} the wait is ${wait / MIN} min`);
      }

      // The schedule shows in the listing (list, the dashboard) ...
      const listed = (await engine.listCertificates()).certificates.find((c) => c.certName === 'retry.test');
      assert.equal(listed?.renewal?.retry?.nextAttemptAt, expectedNext);
      // ... and --force goes at once.
      r = await renew(true);
      assert.equal(r.action, 'failed');
      assert.equal(attempts(), 6);

      sandbox.proxy!.setScenario(parseFaultSpec('ari:now'));
      r = await renew(true);
      assert.equal(r.action, 'renewed', JSON.stringify(r.error));
      const after = (await engine.listCertificates()).certificates.find((c) => c.certName === 'retry.test');
      assert.equal(after?.renewal?.retry, undefined, 'a new certificate starts without a retry schedule');
    } finally {
      await engine.close();
    }
  });
});
