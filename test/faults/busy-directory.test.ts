/**
 * Fault 1 of issue 11: a 429 or 5xx from the directory is a busy CA, as from any other endpoint. The engine waits
 * what the CA asked (Retry-After in seconds or as an HTTP-date) and asks again within its budget; only an answer that
 * is not a directory (a 404, a 2xx of another shape) is a configuration error. Real time against Pebble behind the
 * fault proxy.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { engineHarness, requestsOf, type EngineHarness } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';

describe('a busy directory (Pebble behind the fault proxy)', { skip }, () => {
  let sb: TestSandbox;
  let h: EngineHarness;

  before(async () => {
    sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 });
  });
  after(() => sb?.stop());
  beforeEach(() => {
    sb.proxy!.clearLog();
    h = engineHarness(sb);
  });
  afterEach(() => h.close());

  /** One order and one certificate at the CA: exactly one accepted new-order and one accepted finalize. */
  function assertOneOrderOneCertificate(): void {
    const log = sb.proxy!.log();
    assert.equal(requestsOf(log, 'new-order').filter((e) => e.upstreamStatus === 201).length, 1, 'one order at the CA');
    assert.equal(requestsOf(log, 'finalize').filter((e) => e.upstreamStatus === 200).length, 1, 'one certificate at the CA');
  }

  for (const format of ['seconds', 'http-date'] as const) {
    it(`two 503s with Retry-After (${format}) on the directory: waits, asks again, issues once`, async () => {
      sb.proxy!.setScenario({ rules: [{ kind: 'unavailable', match: 'directory', count: 2, retryAfterSeconds: 1, retryAfterFormat: format }] });
      const outcome = await h.issue({ domains: [`busy-dir-${format}.example.test`] });
      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));

      const dirs = requestsOf(sb.proxy!.log(), 'directory');
      assert.deepEqual(dirs.map((d) => d.status), [503, 503, 200], 'asked three times, the last one answered');
      const retries = h.of('retry:scheduled', outcome.orderId);
      assert.deepEqual(retries.map((r) => [r.operation, r.attempt, r.reason]), [
        ['reach the CA', 1, 'retry-after'],
        ['reach the CA', 2, 'retry-after'],
      ]);
      assert.ok(retries.every((r) => r.error.status === 503 && /busy or down/.test(r.error.message)), JSON.stringify(retries.map((r) => r.error)));
      // Honoured, not guessed: the wait is what the CA asked (an HTTP-date loses sub-second precision).
      for (const r of retries) assert.ok(r.nextAttemptAt - r.at > 0 && r.nextAttemptAt - r.at <= 1000, String(r.nextAttemptAt - r.at));
      assertOneOrderOneCertificate();
      // The directory exchanges belong to the order's history.
      assert.ok(h.of('http:exchange', outcome.orderId).some((x) => x.status === 503 && x.retryAfterMs !== undefined));
    });
  }

  it('a 429 on the directory beyond the budget fails as rate-limited with a next step, not as a wrong URL', async () => {
    sb.proxy!.setScenario({ rules: [{ kind: 'rate-limit', match: 'directory', retryAfterSeconds: 0 }] });
    const outcome = await h.issue({ domains: ['busy-dir-429.example.test'], policy: { maxRetries: 2 } });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'rate-limited');
    assert.match(outcome.error!.message, /answered HTTP 429 to its directory.*gave up to reach the CA after 2 retries/);
    assert.ok(outcome.error?.hint, 'says what to do');
    assert.doesNotMatch(outcome.error!.message, /not an ACME directory/);
    assert.equal(requestsOf(sb.proxy!.log(), 'directory').length, 3);
    assert.equal(requestsOf(sb.proxy!.log(), 'new-order').length, 0);
  });

  it('a 404 is a configuration error at once: one request, exit kind config, check the URL', async () => {
    const outcome = await h.issue({ domains: ['wrong-dir.example.test'], ca: `${sb.proxy!.url}/no-such-directory`, caBundlePath: sb.state.caBundlePath });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'config');
    assert.match(outcome.error!.message, /answered HTTP 404, not an ACME directory/);
    assert.match(outcome.error?.hint ?? '', /Check the directory URL/);
    assert.equal(sb.proxy!.log().filter((e) => e.path === '/no-such-directory').length, 1, 'not retried');
    assert.equal(h.of('retry:scheduled').length, 0);
  });
});
