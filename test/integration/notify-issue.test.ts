import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ndjson, runCli } from '../support/cli.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { closedPort, startWebhookServer, type WebhookServer } from '../support/webhook-server.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';

describe('notifications from real issuances (Pebble)', { skip }, () => {
  let sandbox: TestSandbox;
  let server: WebhookServer;
  let envOut: string;
  const cli = (args: string[]) => runCli(args, { CERTDECK_HOME: sandbox.home }, { timeoutMs: 120_000 });

  before(async () => {
    sandbox = await startTestSandbox({});
    server = await startWebhookServer([{ status: 400 }]);
    envOut = path.join(sandbox.home, 'notified');
    const dump = "require('fs').writeFileSync(process.argv[1] + '.' + process.env.CERTDECK_EVENT + '.json', JSON.stringify(process.env))";
    for (const args of [
      ['notify', 'add', 'command', '--id', 'dump', '--', process.execPath, '-e', dump, envOut],
      ['notify', 'add', 'webhook', `${server.url}?token=SEKRET`, '--id', 'refusing'],
      ['notify', 'add', 'command', '--id', 'false', '--', 'false'],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await server?.close();
    await sandbox?.stop();
  });

  it('issued: the command gets the certificate, failing notifiers are warnings and the exit code stays 0', async () => {
    const r = await cli(['issue', 'notified.test', '--ca', 'sandbox', '--agree-tos', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const events = ndjson(r.stdout);
    const saved = events.find((e) => e.type === 'certificate:saved') as unknown as { certificate: { serial: string } };
    const env = JSON.parse(await readFile(`${envOut}.issued.json`, 'utf8')) as Record<string, string>;
    assert.equal(env.CERTDECK_CERT_NAME, 'notified.test');
    assert.equal(env.CERTDECK_DOMAINS, 'notified.test');
    assert.equal(env.CERTDECK_SERIAL, saved.certificate.serial);
    const warnings = events.filter((e) => e.type === 'log' && e.level === 'warn').map((e) => String(e.message));
    assert.ok(warnings.some((w) => /refusing \(issued\): HTTP 400/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /false \(issued\): false: exit code 1/.test(w)), warnings.join('\n'));
    assert.equal(server.received.length, 1, 'a 400 is not retried');
    assert.doesNotMatch(r.stdout + r.stderr, /SEKRET/);
    assert.equal(events.at(-1)?.type, 'summary');
  });

  it('a failed renewal of a valid certificate still exits 10, and says so to the notifiers', async () => {
    const port = await closedPort();
    const r = await cli(['issue', 'notified.test', '--ca', `https://127.0.0.1:${port}/directory`]);
    assert.equal(r.code, 10, r.stderr + r.stdout);
    const env = JSON.parse(await readFile(`${envOut}.renewal-failed-still-valid.json`, 'utf8')) as Record<string, string>;
    assert.match(env.CERTDECK_MESSAGE!, /notified\.test: renewal failed .*still valid/);
    assert.match(r.stdout + r.stderr, /warn: could not notify webhook notifier refusing \(renewal-failed-still-valid\): HTTP 400/);
    assert.doesNotMatch(r.stdout + r.stderr, /SEKRET/);
  });
});
