/**
 * Fault 3 of issue 11: read before write. When the CA acted on a POST but its answer was lost (the connection reset,
 * or no answer within the request timeout), the engine re-reads the resource and follows its real state instead of
 * sending the POST again. Real time against Pebble behind the fault proxy, whose lost-answer rule forwards the
 * request (Pebble acts on it) and then drops the answer.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { engineHarness, requestsOf, type EngineHarness } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';

describe('a lost answer to a POST the CA acted on (Pebble behind the fault proxy)', { skip }, () => {
  let sb: TestSandbox;
  let h: EngineHarness;

  before(async () => {
    sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0, authzReusePercent: 0 });
  });
  after(() => sb?.stop());
  beforeEach(() => {
    sb.proxy!.clearLog();
    // A short request timeout, so "no answer" is found out in a second rather than the default 30 s.
    h = engineHarness(sb, { requestTimeoutMs: 1500 });
  });
  afterEach(() => h.close());

  async function assertIssuedOnce(certName: string): Promise<void> {
    const log = sb.proxy!.log();
    assert.equal(requestsOf(log, 'new-order').filter((e) => e.upstreamStatus === 201).length, 1, 'one order at the CA');
    assert.equal(requestsOf(log, 'finalize').filter((e) => e.upstreamStatus === 200).length, 1, 'one certificate at the CA');
    assert.deepEqual(requestsOf(log, 'finalize').filter((e) => e.upstreamStatus !== undefined && e.upstreamStatus >= 400), [], 'no refused finalize');
    const cert = new X509Certificate(await readFile(path.join(h.paths.liveDir, certName, 'cert.pem'), 'utf8'));
    assert.equal(cert.subjectAltName, `DNS:${certName}`);
  }

  for (const mode of ['reset', 'withhold'] as const) {
    it(`challenge POST answered at the CA, answer lost (${mode}): re-reads the authorization, never posts again`, async () => {
      const certName = `lost-chal-${mode}.example.test`;
      sb.proxy!.setScenario({ rules: [{ kind: 'lost-answer', match: 'challenge', count: 1, mode }] });
      const outcome = await h.issue({ domains: [certName] });
      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));

      const log = sb.proxy!.log();
      const challengePosts = requestsOf(log, 'challenge', 'POST');
      assert.equal(challengePosts.length, 1, `the challenge was answered once: ${JSON.stringify(challengePosts)}`);
      assert.equal(challengePosts[0]!.fault, `lost-answer-${mode}`);
      assert.equal(challengePosts[0]!.upstreamStatus, 200, 'Pebble took the answer');
      const retry = h.of('retry:scheduled', outcome.orderId).find((r) => r.operation === 'answer the challenge');
      assert.ok(retry, 'the lost answer was noticed');
      assert.equal(retry.error.kind, 'network');
      const note = h.of('log', outcome.orderId).find((l) => /already has the challenge answer/.test(l.message));
      assert.ok(note, 'says why it did not post again');
      await assertIssuedOnce(certName);
    });
  }

  it('finalize answer lost: re-reads the order, finds it processing or valid, downloads: one certificate', async () => {
    const certName = 'lost-finalize.example.test';
    sb.proxy!.setScenario({ rules: [{ kind: 'lost-answer', match: 'finalize', count: 1, mode: 'reset' }] });
    const outcome = await h.issue({ domains: [certName] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.equal(requestsOf(sb.proxy!.log(), 'finalize').length, 1, 'finalize was sent once');
    await assertIssuedOnce(certName);
  });
});
