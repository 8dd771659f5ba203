import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { startWebhookServer, type WebhookServer } from '../support/webhook-server.js';

describe('certdeck notify: add, list, test, remove', () => {
  let home: string;
  let server: WebhookServer;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'certdeck-notify-cli-'));
  });
  after(() => rm(home, { recursive: true, force: true }));
  afterEach(() => server?.close());
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { CERTDECK_HOME: home, ...env });

  it('secrets in the URL are redacted in add and list output; the HMAC secret is never in the settings file', async () => {
    server = await startWebhookServer();
    const secretFile = path.join(home, 'hook.key');
    await writeFile(secretFile, 'the-hmac-secret\n', { mode: 0o600 });
    const url = server.url.replace('http://', 'http://bot:hunter2@') + '?token=TOKEN-123';
    const added = await cli(['notify', 'add', 'webhook', url, '--secret-file', secretFile, '--cert', 'shop.test', '--events', 'renewal-failed,expiring']);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stderr, '', 'a 0600 secret file draws no warning');
    assert.match(added.stdout, /^added webhook-1: webhook http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/hook\?token=\*\*\*/);
    const list = await cli(['notify', 'list']);
    const json = await cli(['notify', 'list', '--json']);
    for (const r of [added, list, json]) assert.doesNotMatch(r.stdout + r.stderr, /hunter2|TOKEN-123|the-hmac-secret/);
    const [n] = (JSON.parse(json.stdout) as { notifiers: Array<Record<string, unknown>> }).notifiers;
    assert.equal(n!.signedWith, `file ${secretFile}`);
    assert.deepEqual(n!.certificates, ['shop.test']);
    assert.deepEqual(n!.events, ['renewal-failed', 'expiring']);
    assert.doesNotMatch(await readFile(path.join(home, 'config.json'), 'utf8'), /the-hmac-secret/);
  });

  it('notify test delivers a signed test notification; a refusing receiver makes exit 1 and a redacted message', async () => {
    server = await startWebhookServer();
    const r = await cli(['notify', 'add', 'webhook', `${server.url}?token=TOKEN-456`, '--id', 'live', '--secret-env', 'HOOK_SECRET'], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /HOOK_SECRET is not set here/);
    const sent = await cli(['notify', 'test', 'live'], { HOOK_SECRET: 'env-secret' });
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    assert.match(sent.stdout, /^ok +live: HTTP 200/);
    const body = server.received[0]!.body;
    assert.equal(JSON.parse(body).test, true);
    assert.equal(server.received[0]!.headers['x-certdeck-signature'], `sha256=${createHmac('sha256', 'env-secret').update(body).digest('hex')}`);
    server.answers = [{ status: 403 }];
    const refused = await cli(['notify', 'test', 'live'], { HOOK_SECRET: 'env-secret' });
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /FAILED live: HTTP 403/);
    assert.doesNotMatch(refused.stdout + refused.stderr, /TOKEN-456|env-secret/);
  });

  it('bad input is refused with exit 2 and nothing saved', async () => {
    const before = await readFile(path.join(home, 'config.json'), 'utf8');
    const cases: Array<[string[], RegExp]> = [
      [['notify', 'add', 'webhook', 'ftp://127.0.0.1/x'], /http:\/\/ or https:\/\//],
      [['notify', 'add', 'webhook', 'not a url'], /not a URL/],
      [['notify', 'add', 'webhook', 'http://127.0.0.1/x', '--events', 'sometimes'], /unknown event "sometimes"/],
      [['notify', 'add', 'webhook', 'http://127.0.0.1/x', '--secret-file', '/nonexistent/key'], /cannot be read/],
      [['notify', 'add', 'webhook', 'http://127.0.0.1/x', '--id', 'live'], /exists already/],
      [['notify', 'add', 'command'], /needs the program after --/],
      [['notify', 'add', 'webhook', 'http://127.0.0.1/x', '--secret-file', '/etc/hostname', '--secret-env', 'X'], /not both/],
      [['notify', 'add', 'command', '--secret-env', 'X', '--', 'true'], /only applies to webhook/],
      [['notify', 'remove', 'nope'], /no notifier "nope"/],
      [['notify', 'test', 'nope'], /no notifier "nope"/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    assert.equal(await readFile(path.join(home, 'config.json'), 'utf8'), before);
  });

  it('remove takes a notifier out of the list', async () => {
    const r = await cli(['notify', 'remove', 'webhook-1']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse((await cli(['notify', 'list', '--json'])).stdout) as { notifiers: Array<{ id: string }> };
    assert.deepEqual(list.notifiers.map((n) => n.id), ['live']);
  });
});
