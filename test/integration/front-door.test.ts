/**
 * The one front door (issue 9), against the real Pebble: every run of a certificate after the first starts from
 * its stored request and reuses the account that obtained it (the CA sees no new registration), whether it is a
 * plain re-issue, the dashboard's renew (`e`), or `--if-due` once the certificate is due; the dashboard's orders use
 * config.json's defaults and per-CA wait policy; `account list --json` shows the terms of service agreed to.
 */
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { createRuntime } from '../../src/app/runtime.js';
import type { AccountInfo } from '../../src/engine/api.js';
import { systemClock, type Clock } from '../../src/engine/core/clock.js';
import type { EngineEvent, EventOf } from '../../src/engine/events.js';
import { ndjson, runCli } from '../support/cli.js';
import { requestsOf } from '../support/engine-harness.js';
import { KEYS, renderApp } from '../support/render.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';
const EMAIL = 'ops@example.test';

describe('one front door: stored request, reused account, settings everywhere', { skip }, () => {
  let sandbox: TestSandbox;
  let env: NodeJS.ProcessEnv;
  /** newAccount POSTs the CA accepted (Pebble rejects some nonces at random; a rejected POST did nothing). */
  const registrations = () => requestsOf(sandbox.proxy!.log(), 'new-account', 'POST').filter((l) => (l.status ?? 0) < 300).length;

  before(async () => {
    sandbox = await startTestSandbox({ fault: 'none' });
    env = { CERTDECK_HOME: sandbox.home };
  });
  after(async () => {
    cleanup();
    await sandbox?.stop();
  });

  it('a first issue with --email --agree-tos stores the request; a second issue of the same certificate needs neither', async () => {
    const first = await runCli(['issue', 'door.test', '--ca', 'sandbox', '--email', EMAIL, '--agree-tos', '--key-type', 'ec-p384', '--json'], env);
    assert.equal(first.code, 0, first.stderr + first.stdout.slice(-2000));
    assert.equal(registrations(), 1, 'the first run registers the account');
    const stored = JSON.parse(await readFile(path.join(sandbox.home, 'requests', 'door.test.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(stored.ca, 'sandbox');
    assert.equal(stored.keyType, 'ec-p384');
    assert.match(String(stored.account), /\/ops@example\.test$/);
    assert.equal((await stat(path.join(sandbox.home, 'requests', 'door.test.json'))).mode & 0o777, 0o600);

    // No --ca, --email, --agree-tos or --key-type: all of it from the stored request.
    const again = await runCli(['issue', 'door.test', '--json'], env);
    assert.equal(again.code, 0, again.stderr + again.stdout.slice(-2000));
    const events = ndjson(again.stdout);
    const queued = events.find((e) => e.type === 'order:queued') as unknown as EventOf<'order:queued'>;
    assert.equal(queued.caId, 'sandbox');
    assert.equal(queued.keyType, 'ec-p384');
    const note = events.find((e) => e.type === 'log' && String(e.message).startsWith('using stored request for door.test'));
    assert.match(String(note?.message), /CA sandbox, account \S+\/ops@example\.test, key ec-p384/);
    assert.equal(registrations(), 1, 'the CA saw no new registration');

    // A flag overrides the stored request for the run, and the run says so.
    const rsa = await runCli(['issue', 'door.test', '--key-type', 'rsa-2048', '--json'], env);
    assert.equal(rsa.code, 0, rsa.stderr + rsa.stdout.slice(-2000));
    const override = ndjson(rsa.stdout).find((e) => e.type === 'log' && String(e.message).startsWith('using stored request'));
    assert.match(String(override?.message), /given for this run: --key-type ec-p384 -> rsa-2048/);
    assert.equal(registrations(), 1);
  });

  it("the dashboard's renew (e on the certificate) reuses the stored request and the account", async () => {
    const { engine } = await createRuntime(env);
    const seen: EngineEvent[] = [];
    engine.onEvent((e) => seen.push(e));
    await engine.loadCertificates();
    const ui = renderApp(engine, { clock: systemClock, columns: 120, rows: 30 });
    try {
      await ui.waitForText('door.test');
      ui.press('e');
      await ui.waitForText('Renew door.test');
      // The form starts from the stored request, which the last run left at rsa-2048.
      await ui.waitForText('rsa-2048');
      for (let i = 0; i < 4; i++) ui.press(KEYS.tab);
      await ui.waitForText('› [ Request certificate ]');
      ui.press(KEYS.enter);
      await ui.waitForText('Requested door.test');
      await engine.idle();
    } finally {
      ui.unmount();
      await engine.close();
    }
    const finished = seen.find((e): e is EventOf<'order:finished'> => e.type === 'order:finished');
    assert.equal(finished?.outcome, 'valid', JSON.stringify(seen.filter((e) => e.type === 'log' || e.type === 'order:finished')));
    const queued = seen.find((e): e is EventOf<'order:queued'> => e.type === 'order:queued');
    assert.equal(queued?.certName, 'door.test');
    assert.equal(queued?.keyType, 'rsa-2048');
    assert.equal(registrations(), 1, 'the CA saw no new registration');
  });

  it('--if-due orders once the certificate is due, with the stored account and no flags', async () => {
    const meta = JSON.parse(await readFile(path.join(sandbox.home, 'live', 'door.test', 'meta.json'), 'utf8')) as { notBefore: string; notAfter: string };
    const notBefore = Date.parse(meta.notBefore);
    const notAfter = Date.parse(meta.notAfter);
    // Not due today: nothing is ordered.
    const notDue = await runCli(['issue', 'door.test', '--if-due', '--json'], env);
    assert.equal(notDue.code, 0, notDue.stderr);
    assert.deepEqual(ndjson(notDue.stdout).filter((e) => e.type === 'order:queued'), []);
    // An injected clock inside the renewal window (a quarter of the lifetime left): the same request is due.
    const offset = notAfter - (notAfter - notBefore) / 4 - Date.now();
    const clock: Clock = { now: () => Date.now() + offset, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
    const { engine } = await createRuntime(env, { clock, deployAfterIssue: false });
    try {
      const outcome = await engine.issue({ domains: ['door.test'], onlyIfDue: true });
      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
      assert.equal(outcome.notDueUntil, undefined, 'ordered, not skipped');
      assert.equal(outcome.orderIds.length, 1);
    } finally {
      await engine.close();
    }
    assert.equal(registrations(), 1, 'the CA saw no new registration');
  });

  it('account list --json shows the account, its terms of service (URL and time) and the certificate using it; no secrets', async () => {
    const r = await runCli(['account', 'list', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const { accounts } = JSON.parse(r.stdout) as { accounts: AccountInfo[] };
    const mine = accounts.find((a) => a.email === EMAIL);
    assert.ok(mine, r.stdout);
    assert.equal(mine.caId, 'sandbox');
    assert.equal(mine.status, 'valid');
    assert.equal(mine.termsOfService.agreed, true);
    // The URL the directory's meta.termsOfService named when the account was created (Pebble's is a data: URL).
    assert.match(mine.termsOfService.url ?? '', /^(https?|data):/);
    assert.ok(Date.parse(mine.termsOfService.agreedAt ?? '') > Date.now() - 3_600_000, mine.termsOfService.agreedAt);
    assert.deepEqual(mine.certificates, ['door.test']);
    assert.doesNotMatch(r.stdout, /PRIVATE KEY|hmac/i);

    const shown = await runCli(['account', 'show', mine.id], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`account URL +${mine.accountUrl!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const missing = await runCli(['account', 'show', 'nope/default'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no account "nope\/default"[\s\S]*account list/);
  });

  it("an order placed from the dashboard uses config.json's default CA, key type and that CA's wait policy", async () => {
    await writeFile(
      path.join(sandbox.home, 'config.json'),
      JSON.stringify({ defaultCa: 'sandbox-b', defaultKeyType: 'ec-p384', caPolicies: { 'sandbox-b': { maxRetries: 2, deadlines: { processing: 123_000 } } } }),
    );
    const { engine } = await createRuntime(env);
    // A script creates the account first (sandbox-b has none yet); the dashboard's order then reuses it.
    const added = await engine.addAccount({ ca: 'sandbox-b', email: EMAIL, agreeTos: true });
    assert.equal(added.created, true);
    assert.equal((await engine.addAccount({ ca: 'sandbox-b', email: EMAIL })).created, false, 'adding it again registers nothing');
    const seen: EngineEvent[] = [];
    engine.onEvent((e) => seen.push(e));
    const ui = renderApp(engine, { clock: systemClock, columns: 120, rows: 30 });
    try {
      await ui.waitForText('Press n');
      ui.press('n');
      await ui.waitForText('New certificate');
      await ui.type('dash.test');
      await ui.waitForText('✔ 1 name');
      const form = ui.lastFrame();
      assert.match(form, /CA +Local sandbox B/);
      assert.match(form, /Key type +ec-p384/);
      for (let i = 0; i < 4; i++) ui.press(KEYS.tab);
      await ui.waitForText('› [ Request certificate ]');
      ui.press(KEYS.enter);
      await ui.waitForText('Requested dash.test');
      await engine.idle();
    } finally {
      ui.unmount();
      await engine.close();
    }
    const queued = seen.find((e): e is EventOf<'order:queued'> => e.type === 'order:queued');
    assert.equal(queued?.caId, 'sandbox-b');
    assert.equal(queued?.keyType, 'ec-p384');
    assert.equal(queued?.policy.maxRetries, 2);
    assert.equal(queued?.policy.deadlines.processing, 123_000);
    const finished = seen.find((e): e is EventOf<'order:finished'> => e.type === 'order:finished');
    assert.equal(finished?.outcome, 'valid', JSON.stringify(seen.filter((e) => e.type === 'log' || e.type === 'order:finished')));
  });

  it('account add from a script, then deactivate (RFC 8555 7.3.6): the account is never used again', async () => {
    const added = await runCli(['account', 'add', '--ca', 'sandbox', '--email', 'gone@example.test', '--agree-tos', '--json'], env);
    assert.equal(added.code, 0, added.stderr);
    const { created, account } = JSON.parse(added.stdout) as { created: boolean; account: AccountInfo };
    assert.equal(created, true);
    assert.equal(account.status, 'valid');
    const refused = await runCli(['account', 'deactivate', account.id], env);
    assert.equal(refused.code, 2, 'deactivation needs --yes');
    const gone = await runCli(['account', 'deactivate', account.id, '--yes', '--json'], env);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal((JSON.parse(gone.stdout) as AccountInfo).status, 'deactivated');
    // The CA agrees: the account's own key can no longer order.
    const accountPosts = requestsOf(sandbox.proxy!.log(), 'account', 'POST').filter((l) => (l.status ?? 0) < 300);
    assert.ok(accountPosts.length >= 1, 'the deactivation went to the account URL');
    const issue = await runCli(['issue', 'gone.test', '--ca', 'sandbox', '--email', 'gone@example.test', '--json'], env);
    assert.equal(issue.code, 2, issue.stdout.slice(-1500));
    assert.match(issue.stdout + issue.stderr, /account \S+\/gone@example\.test at .* was deactivated/);
  });
});
