/**
 * badNonce (RFC 8555 6.5): bursts injected by the proxy, and Pebble rejecting 30% of nonces on its own. Issuance
 * must succeed, and a rejected nonce must never turn into a duplicate order or a second finalize.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineHarness, requestsOf } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';

describe('badNonce', { skip }, () => {
  it('survives bursts from the proxy longer than acme-client retries by itself, without duplicating anything', async (t) => {
    const sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 });
    t.after(() => sb.stop());
    const h = engineHarness(sb);
    t.after(() => h.close());
    // acme-client re-sends a badNonce request up to 5 times; 7 in a row on finalize needs the engine's own retry.
    sb.proxy!.setScenario({
      rules: [
        { kind: 'bad-nonce', match: 'finalize', count: 7 },
        { kind: 'bad-nonce', match: 'new-order', count: 3 },
        { kind: 'bad-nonce', match: 'challenge', count: 2 },
      ],
    });
    const outcome = await h.issue({ domains: ['nonce-burst.example.test'] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));

    const log = sb.proxy!.log();
    assert.equal(log.filter((e) => e.fault === 'bad-nonce').length, 12, 'every injected badNonce was hit');
    assert.deepEqual(requestsOf(log, 'new-order').filter((e) => e.upstreamStatus !== undefined).map((e) => e.upstreamStatus), [201]);
    assert.deepEqual(requestsOf(log, 'finalize').filter((e) => e.upstreamStatus !== undefined).map((e) => e.upstreamStatus), [200]);
    const retries = h.of('retry:scheduled', outcome.orderId);
    assert.deepEqual(retries.map((r) => [r.operation, r.error.code]), [['finalize', 'badNonce']]);
  });

  it('issues three certificates while Pebble rejects 30% of nonces', async (t) => {
    const sb = await startTestSandbox({ nonceRejectPercent: 30 });
    t.after(() => sb.stop());
    const h = engineHarness(sb);
    t.after(() => h.close());
    const outcomes = await h.engine.issueMany(
      ['n1.example.test', 'n2.example.test', 'n3.example.test'].map((d) => ({ domains: [d], ca: 'sandbox', agreeTos: true })),
      3,
    );
    assert.deepEqual(outcomes.map((o) => [o.ok, o.error?.message]), outcomes.map(() => [true, undefined]));
    const exchanges = h.of('http:exchange');
    const rejected = exchanges.filter((x) => x.problemType === 'urn:ietf:params:acme:error:badNonce');
    assert.ok(rejected.length > 0, 'Pebble really rejected nonces');
    const created = exchanges.filter((x) => x.method === 'POST' && x.status === 201 && /\/order-plz$/.test(x.url));
    assert.equal(created.length, 3, 'one order per certificate');
  });

  it('never hands one nonce to two concurrent requests: six orders at once, no badNonce when Pebble rejects none', async (t) => {
    const sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 });
    t.after(() => sb.stop());
    const h = engineHarness(sb);
    t.after(() => h.close());
    const domains = [1, 2, 3, 4, 5, 6].map((i) => `pool${i}.example.test`);
    const outcomes = await h.engine.issueMany(domains.map((d) => ({ domains: [d], ca: 'sandbox', agreeTos: true })), 6);
    assert.deepEqual(outcomes.map((o) => o.ok), domains.map(() => true));
    const exchanges = h.of('http:exchange');
    const rejected = exchanges.filter((x) => x.problemType === 'urn:ietf:params:acme:error:badNonce');
    assert.deepEqual(rejected.map((x) => x.url), [], 'a pooled nonce was used twice');
    // The pool is what makes a signed POST one request, and a burst of orders waits for nonces on their way back
    // rather than each asking newNonce (the old behaviour: one HEAD per order at least).
    const heads = exchanges.filter((x) => x.method === 'HEAD').length;
    const posts = exchanges.filter((x) => x.method === 'POST').length;
    assert.ok(heads < domains.length, `${heads} HEAD newNonce for ${domains.length} orders started at once (${posts} POSTs)`);
  });
});
