/**
 * ACME profiles against Pebble behind the fault proxy (which advertises meta.profiles; Debian's Pebble 2.4 has
 * none): a listed profile goes into newOrder and the stored request; --require-profile fails before any order when
 * the CA does not list it; --profile falls back with a warning; the engine lists a CA's profiles for the form.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRuntime } from '../../src/app/runtime.js';
import { parseFaultSpec } from '../../src/sandbox/fault/preset.js';
import { ndjson, runCli } from '../support/cli.js';
import { requestsOf } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';

describe('ACME profiles', { skip }, () => {
  let sandbox: TestSandbox;
  let env: NodeJS.ProcessEnv;
  const newOrders = () => requestsOf(sandbox.proxy!.log(), 'new-order', 'POST').filter((e) => (e.status ?? 0) < 300);

  before(async () => {
    sandbox = await startTestSandbox({ fault: 'none' });
    env = { CERTDECK_HOME: sandbox.home };
  });
  after(async () => sandbox?.stop());

  it('a directory listing tlsserver/shortlived: the order carries the profile, and the stored request keeps it', async () => {
    sandbox.proxy!.setScenario(parseFaultSpec('profiles:tlsserver+shortlived'));
    const { engine } = await createRuntime(env);
    try {
      const profiles = await engine.caProfiles('sandbox');
      assert.deepEqual(profiles.map((p) => p.name), ['tlsserver', 'shortlived']);
      assert.match(profiles[1]!.description, /160 hours/);
    } finally {
      await engine.close();
    }
    sandbox.proxy!.clearLog();
    const r = await runCli(['issue', 'prof.test', '--ca', 'sandbox', '--agree-tos', '--profile', 'shortlived', '--json'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    assert.deepEqual(newOrders().map((e) => e.order?.profile), ['shortlived']);
    const stored = JSON.parse(await readFile(path.join(sandbox.home, 'requests', 'prof.test.json'), 'utf8')) as { profile?: { name: string } };
    assert.equal(stored.profile?.name, 'shortlived');

    // A later run of the same certificate asks for it again without the flag (renew --force uses the stored request).
    sandbox.proxy!.clearLog();
    const renewed = await runCli(['renew', 'prof.test', '--force', '--json'], env);
    assert.equal(renewed.code, 0, renewed.stderr + renewed.stdout.slice(-2000));
    assert.deepEqual(newOrders().map((e) => e.order?.profile), ['shortlived']);
  });

  it('--profile the CA does not list: a warning, and the order goes without a profile', async () => {
    sandbox.proxy!.setScenario(parseFaultSpec('profiles:tlsserver+shortlived'));
    sandbox.proxy!.clearLog();
    const r = await runCli(['issue', 'noprof.test', '--ca', 'sandbox', '--agree-tos', '--profile', 'classic', '--json'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    assert.equal(newOrders().length, 1);
    assert.equal(newOrders()[0]!.order?.profile, undefined);
    assert.ok(ndjson(r.stdout).some((e) => e.type === 'log' && e.level === 'warn' && /does not list the profile "classic" \(offered: tlsserver, shortlived\)/.test(String(e.message))));
  });

  it('--require-profile against a directory without it fails clearly before any order', async () => {
    sandbox.proxy!.setScenario(parseFaultSpec('none'));
    sandbox.proxy!.clearLog();
    const r = await runCli(['issue', 'req.test', '--ca', 'sandbox', '--agree-tos', '--require-profile', 'tlsserver', '--no-tui'], env);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    assert.match(r.stderr, /does not offer the certificate profile "tlsserver" \(its directory lists no profiles\); nothing was ordered/);
    assert.equal(requestsOf(sandbox.proxy!.log(), 'new-order').length, 0, 'no newOrder reached the CA');
  });
});
