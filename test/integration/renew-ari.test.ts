/**
 * `certdeck renew` with ARI (RFC 9773) against the real Pebble behind the sandbox's fault proxy, which serves
 * renewalInfo (Debian's Pebble 2.4 has none): a window that says "now" renews with `replaces`, a window 10 days away
 * orders nothing (and the answer is cached for its Retry-After), alreadyReplaced is retried once without
 * `replaces`, a CA that cannot be reached never fails a certificate that is not due, and a CA without ARI is not
 * contacted at all when nothing is due.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseFaultSpec } from '../../src/sandbox/fault/preset.js';
import { ndjson, runCli } from '../support/cli.js';
import { requestsOf } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';
const DAY = 24 * 60 * 60 * 1000;

interface Summary {
  type: 'summary';
  exitCode: number;
  results: Array<{ certName: string; action: string; replaces?: string; plan?: { dueAt: number; source: string; ari?: { windowStart: number; windowEnd: number; selectedAt: number; explanationUrl?: string } } }>;
}

const summaryOf = (stdout: string): Summary => ndjson(stdout).at(-1) as unknown as Summary;

describe('certdeck renew with ARI', { skip }, () => {
  let sandbox: TestSandbox;
  let env: NodeJS.ProcessEnv;
  const log = () => sandbox.proxy!.log();
  const scenario = (spec: string) => sandbox.proxy!.setScenario(parseFaultSpec(spec));
  const issue = async (name: string, extra: string[] = []) => {
    const r = await runCli(['issue', name, '--ca', 'sandbox', '--agree-tos', '--json', ...extra], env);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
  };
  const serial = async (name: string) => (JSON.parse(await readFile(path.join(sandbox.home, 'live', name, 'meta.json'), 'utf8')) as { serial: string }).serial;

  before(async () => {
    sandbox = await startTestSandbox({ fault: 'none' });
    env = { CERTDECK_HOME: sandbox.home };
  });
  after(async () => sandbox?.stop());

  it('a window that says "now" renews at once, naming the old certificate in replaces', async () => {
    scenario('ari:now');
    await issue('ari-now.test');
    const stored = JSON.parse(await readFile(path.join(sandbox.home, 'requests', 'ari-now.test.json'), 'utf8')) as { renewalInfoUrl?: string };
    assert.match(String(stored.renewalInfoUrl), /\/renewal-info$/, 'the stored request remembers the CA offers ARI');
    const before = await serial('ari-now.test');
    sandbox.proxy!.clearLog();

    const r = await runCli(['renew', 'ari-now.test', '--json'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
    const summary = summaryOf(r.stdout);
    assert.equal(summary.results[0]?.action, 'renewed');
    const asked = log().filter((e) => e.path.startsWith('/renewal-info/'));
    assert.equal(asked.length, 1, 'renewalInfo asked once');
    assert.equal(asked[0]!.status, 200, 'the proxy knew the certID certdeck computed (computed independently with node-forge)');
    const certId = asked[0]!.path.slice('/renewal-info/'.length);
    const orders = requestsOf(log(), 'new-order', 'POST').filter((e) => (e.status ?? 0) < 300);
    assert.equal(orders.length, 1);
    assert.equal(orders[0]!.order?.replaces, certId, 'newOrder carried replaces = the old certificate\'s certID');
    assert.equal(summary.results[0]?.replaces, certId);
    assert.notEqual(await serial('ari-now.test'), before, 'a new certificate is in place');
  });

  it('a window 10 days away orders nothing; the answer is cached until its Retry-After; list shows window and chosen time', async () => {
    scenario('ari:in:10');
    await issue('ari-later.test');
    sandbox.proxy!.clearLog();
    const startedAt = Date.now();
    const r = await runCli(['renew', 'ari-later.test', '--json'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
    const result = summaryOf(r.stdout).results[0]!;
    assert.equal(result.action, 'not-due');
    assert.equal(result.plan?.source, 'ari');
    const ari = result.plan!.ari!;
    assert.ok(ari.windowStart >= startedAt + 10 * DAY - 60_000 && ari.windowEnd <= Date.now() + 11 * DAY, 'the window the CA sent');
    assert.ok(ari.selectedAt >= ari.windowStart && ari.selectedAt <= ari.windowEnd, 'a time chosen inside it');
    assert.equal(requestsOf(log(), 'new-order').length, 0, 'nothing ordered');
    const asked = log().filter((e) => e.path.startsWith('/renewal-info/'));
    assert.equal(asked.length, 1);
    const laterPath = asked[0]!.path;

    sandbox.proxy!.clearLog();
    const again = await runCli(['renew', '--json'], env);
    assert.equal(again.code, 0, again.stderr + again.stdout.slice(-3000));
    assert.equal(log().filter((e) => e.path === laterPath).length, 0, 'within Retry-After (6 h): not asked again');
    const later = summaryOf(again.stdout).results.find((x) => x.certName === 'ari-later.test');
    assert.equal(later?.plan?.ari?.selectedAt, ari.selectedAt, 'the chosen time is kept while the window is unchanged');

    const listed = JSON.parse((await runCli(['list', '--json'], env)).stdout) as { certificates: Array<{ certName: string; renewal?: { ari?: { selectedAt: string } } }> };
    const row = listed.certificates.find((c) => c.certName === 'ari-later.test');
    assert.equal(row?.renewal?.ari?.selectedAt, new Date(ari.selectedAt).toISOString());
    const table = (await runCli(['list'], env)).stdout;
    assert.match(table, new RegExp(`ari-later\\.test .*${new Date(ari.selectedAt).toISOString().slice(0, 16).replace('T', ' ')} ARI`));
  });

  it('409 alreadyReplaced: the order is made once more without replaces', async () => {
    scenario('ari:now');
    await issue('replaced.test');
    scenario('ari:now,already-replaced:1');
    sandbox.proxy!.clearLog();
    const r = await runCli(['renew', 'replaced.test', '--json'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
    assert.equal(summaryOf(r.stdout).results[0]?.action, 'renewed');
    const posts = requestsOf(log(), 'new-order', 'POST').filter((e) => e.status === 409 || (e.status ?? 0) < 300);
    assert.equal(posts.length, 2, JSON.stringify(posts));
    assert.equal(posts[0]!.status, 409);
    assert.ok(posts[0]!.order?.replaces);
    assert.equal(posts[1]!.order?.replaces, undefined, 'the retry has no replaces');
    assert.ok(ndjson(r.stdout).some((e) => e.type === 'log' && /already replaced/.test(String(e.message))));
  });

  it('the CA unreachable and the certificate not due: exit 0, no error, decided from the lifetime rule', async () => {
    scenario('ari');
    await issue('offline.test');
    scenario('ari,reset:any:*');
    sandbox.proxy!.clearLog();
    const r = await runCli(['renew', 'offline.test', '--json'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
    const result = summaryOf(r.stdout).results[0]!;
    assert.equal(result.action, 'not-due');
    assert.equal(result.plan?.source, 'lifetime');
    assert.ok(log().some((e) => e.path.startsWith('/renewal-info/')), 'it did try');
    assert.equal(requestsOf(log(), 'new-order').length, 0);
    assert.ok(ndjson(r.stdout).some((e) => e.type === 'log' && e.level === 'warn' && /no usable ARI answer/.test(String(e.message))));
  });

  it('a CA without ARI and nothing due: exit 0 without any request to the CA', async () => {
    scenario('none');
    await issue('plain.test');
    sandbox.proxy!.clearLog();
    const r = await runCli(['renew', 'plain.test'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^OK plain\.test: not due until \d{4}-/m);
    assert.deepEqual(log(), [], 'the CA was not contacted');
  });
});
