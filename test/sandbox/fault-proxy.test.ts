import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type acme from 'acme-client';
import { parseFaultSpec } from '../../src/sandbox/fault/preset.js';
import type { FaultLogEntry, FaultProxy } from '../../src/sandbox/fault-proxy.js';
import { simpleRequest } from '../../src/sandbox/https-request.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { newAccountClient, pollOrder, readyOrder, startHttp01Responder, useSandboxTrust, type SeenResponse } from './acme-helpers.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';

describe('fault proxy in front of the real Pebble', { skip }, () => {
  let sb: TestSandbox;
  let proxy: FaultProxy;
  let responder: Awaited<ReturnType<typeof startHttp01Responder>>;
  let seen: SeenResponse[];
  let client: acme.Client;
  let base: string;
  let names = 0;
  const domain = (): string => `fault-${++names}.example.test`;
  const set = (spec: string): void => proxy.setScenario(parseFaultSpec(spec));
  const faulted = (fault: string): FaultLogEntry[] => proxy.log().filter((e) => e.fault === fault);
  const request = (method: string, path: string, body?: string) =>
    simpleRequest(base + path, {
      ca: sb.caBundlePem,
      method,
      ...(body === undefined ? {} : { body, headers: { 'Content-Type': 'application/jose+json' } }),
    });

  before(async () => {
    // Pebble rejects no nonces of its own here, so every badNonce in the log is the proxy's.
    sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 });
    proxy = sb.proxy!;
    base = proxy.url;
    responder = await startHttp01Responder(sb.httpPort);
    seen = useSandboxTrust(sb.caBundlePem);
    client = await newAccountClient(sb.directoryUrl('sandbox'));
  });
  after(async () => {
    await responder?.close();
    await sb?.stop();
  });
  beforeEach(() => {
    set('none');
    proxy.clearLog();
    seen.length = 0;
  });

  it('passes a whole issuance through unchanged, keeping URLs on the proxy', async () => {
    const name = domain();
    const { order, csr } = await readyOrder(client, responder.answers, name);
    assert.ok(order.url.startsWith(base), `order URL ${order.url} points at the proxy`);
    await client.finalizeOrder(order, csr);
    const valid = await pollOrder(client, order, (o) => o.status === 'valid', 10_000);
    const [leaf] = (await client.getCertificate(valid)).split(/(?<=-----END CERTIFICATE-----)/);
    assert.equal(new X509Certificate(leaf!).checkHost(name), name);
    const log = proxy.log();
    assert.ok(log.some((e) => e.resource === 'cert' && e.status === 200));
    assert.ok(log.every((e) => e.fault === undefined && e.status === e.upstreamStatus));
  });

  it('hang-processing:N holds a valid order in processing for N seconds, with Retry-After', async () => {
    set('hang-processing:1:3');
    const { order, csr } = await readyOrder(client, responder.answers, domain());
    const before = Date.now();
    const finalized = await client.finalizeOrder(order, csr);
    assert.equal(finalized.status, 'processing');
    const statuses: string[] = [];
    const valid = await pollOrder(client, order, (o) => o.status === 'valid', 10_000, statuses);
    assert.ok(Date.now() - before >= 1000, 'valid only after the hold');
    assert.ok(valid.certificate);
    assert.ok(statuses.includes('processing'), `polled through the hold: ${statuses.join(',')}`);
    const processingAnswers = seen.filter((r) => r.url.includes('/my-order/') && r.headers['retry-after'] !== undefined);
    assert.ok(processingAnswers.length >= 1);
    assert.ok(processingAnswers.every((r) => r.headers['retry-after'] === '3'));
    assert.ok(faulted('hang-processing').some((e) => e.resource === 'order' && e.upstreamStatus === 200));
  });

  it('hang-processing (forever) holds until the scenario is switched off through the control endpoint', async () => {
    set('hang-processing');
    const { order, csr } = await readyOrder(client, responder.answers, domain());
    await client.finalizeOrder(order, csr);
    const statuses: string[] = [];
    // Pebble issues within milliseconds; 600 ms later it is long valid, yet the client must still see processing.
    const until = Date.now() + 600;
    await pollOrder(client, order, () => Date.now() > until, 5_000, statuses);
    assert.ok(statuses.every((s) => s === 'processing'), statuses.join(','));
    // Without a Retry-After to add, the proxy only marks an exchange when it turned Pebble's "valid" into "processing".
    assert.ok(faulted('hang-processing').some((e) => e.resource === 'order'));

    const put = await simpleRequest(`${proxy.controlUrl}/scenario`, { method: 'PUT', body: JSON.stringify({ rules: [] }) });
    assert.equal(put.status, 200);
    const next = await pollOrder(client, order, (o) => o.status === 'valid', 5_000);
    assert.ok(next.certificate);
  });

  it('order-not-ready-after-finalize forwards the finalize but answers 403 orderNotReady', async () => {
    set('order-not-ready:1');
    const { order, csr } = await readyOrder(client, responder.answers, domain());
    await assert.rejects(client.finalizeOrder(order, csr), /not ready for finalization/);
    const [entry] = faulted('order-not-ready-after-finalize');
    assert.deepEqual(
      { resource: entry?.resource, status: entry?.status, upstreamStatus: entry?.upstreamStatus },
      { resource: 'finalize', status: 403, upstreamStatus: 200 },
    );
    const finalizeAnswer = seen.find((r) => r.url.includes('/finalize-order/'));
    assert.equal(finalizeAnswer?.headers['content-type'], 'application/problem+json');
    assert.ok(finalizeAnswer?.headers['replay-nonce'], 'the 403 still carries a nonce');
    // The order really moved on: it becomes valid without a second finalize.
    const valid = await pollOrder(client, order, (o) => o.status === 'valid', 10_000);
    assert.ok(valid.certificate);
  });

  it('rate-limit answers the first K matching requests 429 without forwarding them', async () => {
    set('rate-limit:new-order:2:7');
    for (let i = 0; i < 2; i++) {
      const res = await request('POST', '/order-plz', '{}');
      assert.equal(res.status, 429);
      assert.equal(res.headers['retry-after'], '7');
      assert.equal(res.headers['content-type'], 'application/problem+json');
      assert.ok(res.headers['replay-nonce']);
      assert.equal((JSON.parse(res.body) as { type: string }).type, 'urn:ietf:params:acme:error:rateLimited');
    }
    const third = await request('POST', '/order-plz', '{}');
    assert.equal(third.status, 400, 'Pebble itself rejects the junk body');
    assert.deepEqual(
      proxy.log().map((e) => [e.fault, e.upstreamStatus]),
      [['rate-limit', undefined], ['rate-limit', undefined], [undefined, 400]],
    );
  });

  it('rate-limit can send Retry-After as an HTTP-date, and rules combine', async () => {
    set('rate-limit:directory:1:date+60,latency:10');
    const res = await request('GET', '/dir');
    assert.equal(res.status, 429);
    const wait = Date.parse(String(res.headers['retry-after'])) - Date.now();
    assert.ok(wait > 55_000 && wait <= 61_000, `Retry-After ${res.headers['retry-after']} is about a minute ahead`);
    assert.equal(proxy.log()[0]?.fault, 'latency+rate-limit');
    assert.equal((await request('GET', '/dir')).status, 200);
  });

  it('unavailable answers 503 with Retry-After on the chosen resource', async () => {
    set('unavailable:new-nonce:1:3');
    const first = await request('HEAD', '/nonce-plz');
    assert.equal(first.status, 503);
    assert.equal(first.headers['retry-after'], '3');
    const second = await request('HEAD', '/nonce-plz');
    assert.equal(second.status, 200);
    assert.ok(second.headers['replay-nonce']);
    assert.deepEqual(faulted('unavailable').map((e) => e.status), [503]);
  });

  it('bad-nonce rejects the first K signed POSTs with a fresh nonce the client can retry with', async () => {
    set('bad-nonce:2');
    const other = await newAccountClient(sb.directoryUrl('sandbox'));
    assert.ok(other.getAccountUrl().startsWith(base));
    const rejected = faulted('bad-nonce');
    assert.deepEqual(rejected.map((e) => [e.resource, e.status, e.upstreamStatus]), [
      ['new-account', 400, undefined],
      ['new-account', 400, undefined],
    ]);
    const badNonceAnswers = seen.filter((r) => r.status === 400);
    assert.equal(badNonceAnswers.length, 2);
    assert.ok(badNonceAnswers.every((r) => r.headers['replay-nonce']));
    assert.ok(proxy.log().some((e) => e.resource === 'new-account' && e.upstreamStatus === 201));
  });

  it('latency delays only the matching responses', async () => {
    set('latency:300:directory');
    const start = Date.now();
    assert.equal((await request('GET', '/dir')).status, 200);
    assert.ok(Date.now() - start >= 300);
    await request('HEAD', '/nonce-plz');
    assert.deepEqual(proxy.log().map((e) => [e.resource, e.fault]), [['directory', 'latency'], ['new-nonce', undefined]]);
  });

  it('reset drops the connection without an answer, then lets requests through', async () => {
    set('reset:directory:1');
    await assert.rejects(request('GET', '/dir'), (err: NodeJS.ErrnoException) => {
      assert.match(`${err.code} ${err.message}`, /ECONNRESET|socket hang up/);
      return true;
    });
    assert.equal((await request('GET', '/dir')).status, 200);
    const [first] = proxy.log();
    assert.equal(first?.fault, 'reset');
    assert.equal(first?.status, undefined);
  });

  it('control endpoint: scenario as JSON or shorthand, log, clear; bad input is a 400 that says why', async () => {
    const control = proxy.controlUrl;
    const put = await simpleRequest(`${control}/scenario`, { method: 'PUT', body: JSON.stringify('bad-nonce:3') });
    assert.equal(put.status, 200);
    const got = await simpleRequest(`${control}/scenario`);
    assert.deepEqual(JSON.parse(got.body), { rules: [{ kind: 'bad-nonce', count: 3 }] });

    const bad = await simpleRequest(`${control}/scenario`, { method: 'PUT', body: '{"rules":[{"kind":"latency"}]}' });
    assert.equal(bad.status, 400);
    assert.match((JSON.parse(bad.body) as { error: string }).error, /rules\[0\]\.ms is required/);
    assert.deepEqual(proxy.scenario().rules, [{ kind: 'bad-nonce', count: 3 }], 'a bad PUT changes nothing');

    await request('GET', '/dir');
    const log = JSON.parse((await simpleRequest(`${control}/log`)).body) as FaultLogEntry[];
    assert.equal(log.length, 1);
    assert.equal(log[0]?.method, 'GET');
    assert.equal(log[0]?.path, '/dir');
    assert.equal(typeof log[0]?.at, 'number');
    assert.equal((await simpleRequest(`${control}/log/clear`, { method: 'POST' })).status, 200);
    assert.deepEqual(JSON.parse((await simpleRequest(`${control}/log`)).body), []);
    assert.equal((await simpleRequest(`${control}/nope`)).status, 404);
  });
});
