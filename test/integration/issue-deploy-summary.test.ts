import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { ndjson, runCli } from '../support/cli.js';
import { systemPackagesSkip } from '../support/system-packages.js';

const skip = systemPackagesSkip(['pebble']);

describe('certdeck issue: the exit code and summary include the deploy after issuance', { skip }, () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startTestSandbox({});
  });
  after(async () => sandbox?.stop());

  it('a failing deploy target: exit 3, the JSON summary carries each target, ok is false', async () => {
    const home = sandbox.home;
    assert.equal((await runCli(['deploy', 'add', 'dep.test', 'command', '--id', 'good', '--', 'true'], { CERTDECK_HOME: home })).code, 0);
    assert.equal((await runCli(['deploy', 'add', 'dep.test', 'command', '--id', 'bad', '--', 'false'], { CERTDECK_HOME: home })).code, 0);
    const r = await runCli(['issue', 'dep.test', '--ca', 'sandbox', '--agree-tos', '--json'], { CERTDECK_HOME: home });
    assert.equal(r.code, 3, r.stderr);
    const summary = ndjson(r.stdout).at(-1) as unknown as {
      type: string;
      exitCode: number;
      ok: boolean;
      results: Array<{ ok: boolean; deploy?: { outcome: string; targets: Array<{ id: string; status: string; reason?: string }> } }>;
    };
    assert.equal(summary.type, 'summary');
    assert.equal(summary.exitCode, 3);
    assert.equal(summary.ok, false);
    assert.equal(summary.results[0]?.ok, true, 'the certificate itself was obtained');
    assert.equal(summary.results[0]?.deploy?.outcome, 'partial');
    const byId = Object.fromEntries((summary.results[0]?.deploy?.targets ?? []).map((t) => [t.id, t]));
    assert.equal(byId.good?.status, 'succeeded');
    assert.equal(byId.bad?.status, 'failed');
    assert.match(byId.bad?.reason ?? '', /exit/i);
  });

  it('human output: no bare OK, the failed target named, exit 3', async () => {
    const r = await runCli(['issue', 'dep.test', '--ca', 'sandbox', '--agree-tos'], { CERTDECK_HOME: sandbox.home });
    assert.equal(r.code, 3, r.stderr);
    assert.doesNotMatch(r.stdout, /^OK dep\.test/m);
    assert.match(r.stderr, /^PARTIAL dep\.test: certificate saved .*deploy partial/m);
    assert.match(r.stderr, /^ {2}bad \(command\): failed/m);
    assert.match(r.stderr, /^ {2}good \(command\): succeeded/m);
    assert.match(r.stderr, /--only failed/);
  });

  it('all targets succeed: exit 0 and OK with the deploy count', async () => {
    const home = sandbox.home;
    assert.equal((await runCli(['deploy', 'add', 'fine.test', 'command', '--', 'true'], { CERTDECK_HOME: home })).code, 0);
    const r = await runCli(['issue', 'fine.test', '--ca', 'sandbox', '--agree-tos'], { CERTDECK_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^OK fine\.test: .*deployed to 1 target/m);
  });

  it('--if-due with the same names in another order does not order a second certificate', async () => {
    const home = sandbox.home;
    const first = await runCli(['issue', 'a.order.test', 'b.order.test', '--ca', 'sandbox', '--agree-tos', '--json'], { CERTDECK_HOME: home });
    assert.equal(first.code, 0, first.stderr);
    const again = await runCli(['issue', 'b.order.test', 'a.order.test', '--ca', 'sandbox', '--if-due', '--json'], { CERTDECK_HOME: home });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(ndjson(again.stdout).filter((e) => e.type === 'order:queued').length, 0, 'nothing ordered');
    const live = await readdir(path.join(home, 'live'));
    assert.ok(live.includes('a.order.test'));
    assert.ok(!live.includes('b.order.test'), `no second certificate directory: ${live.join(', ')}`);
  });
});
