import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { ManualClock, systemClock } from '../../../src/engine/core/clock.js';
import type { EngineEvent, EventOf } from '../../../src/engine/events.js';
import { NotificationDispatcher } from '../../../src/engine/notify/dispatcher.js';
import type { NotifierConfig } from '../../../src/engine/notify/types.js';
import { pathsUnder, type StatePaths } from '../../../src/engine/store/paths.js';
import { updateSetting } from '../../../src/engine/store/settings.js';
import { startWebhookServer, type WebhookServer } from '../../support/webhook-server.js';

const DAY = 86_400_000;

/** A command notifier that writes the environment it was given to `out` (one JSON file per run). */
function envDumper(id: string, out: string, extra: Partial<NotifierConfig> = {}): NotifierConfig {
  const script = "const fs=require('fs');fs.writeFileSync(process.argv[1]+'.'+process.env.CERTDECK_EVENT+'.json', JSON.stringify(process.env))";
  return { id, kind: 'command', argv: [process.execPath, '-e', script, out], ...extra } as NotifierConfig;
}

function failed(now: number, notAfter: number | undefined): EventOf<'issue:finished'> {
  return {
    type: 'issue:finished',
    at: now,
    certName: 'shop.test',
    domains: ['shop.test', 'www.shop.test'],
    ok: false,
    error: { kind: 'ca-problem', code: 'rejected', message: 'the CA refused the order', retryable: false },
    ...(notAfter === undefined ? {} : { onDisk: { serial: '0a1b', notAfter, caId: 'sandbox', domains: ['shop.test', 'www.shop.test'], version: 3 } }),
  };
}

describe('notification dispatcher: engine events to notifiers', () => {
  let dir: string;
  let paths: StatePaths;
  let server: WebhookServer;
  let events: EngineEvent[];
  let dispatcher: NotificationDispatcher;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-notify-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => server?.close());

  async function setup(notifiers: NotifierConfig[]): Promise<void> {
    paths = pathsUnder(await mkdtemp(path.join(dir, 'home-')));
    updateSetting(paths, 'notifications', { notifiers });
    events = [];
    dispatcher = new NotificationDispatcher({ paths, clock: systemClock, emit: (e) => events.push(e), env: { PATH: process.env.PATH, CERTDECK_EAB_HMAC_KEY: 'must-not-leak' }, userAgent: 'certdeck/test', random: () => 0.5 });
  }

  it('a failed renewal with a valid certificate: the command gets the event variables, filters are honoured', async () => {
    server = await startWebhookServer();
    const out = path.join(dir, 'env-a');
    await setup([
      envDumper('cmd', out),
      { id: 'only-failed', kind: 'webhook', url: server.url, events: ['renewal-failed'] },
      { id: 'other-cert', kind: 'webhook', url: server.url, certificates: ['other.test'] },
      { id: 'expiring-soon', kind: 'webhook', url: server.url, events: ['expiring'], expiringWithinDays: 5 },
    ]);
    const now = Date.now();
    await dispatcher.handle(failed(now, now + 9 * DAY + 60_000));
    const env = JSON.parse(await readFile(`${out}.renewal-failed-still-valid.json`, 'utf8')) as Record<string, string>;
    assert.equal(env.CERTDECK_EVENT, 'renewal-failed-still-valid');
    assert.equal(env.CERTDECK_CERT_NAME, 'shop.test');
    assert.equal(env.CERTDECK_DOMAINS, 'shop.test www.shop.test');
    assert.equal(env.CERTDECK_DAYS_LEFT, '9');
    assert.equal(env.CERTDECK_SERIAL, '0a1b');
    assert.equal(env.CERTDECK_ERROR, 'the CA refused the order');
    assert.match(env.CERTDECK_MESSAGE!, /renewal failed .*still valid for 9 days/);
    assert.equal(JSON.parse(env.CERTDECK_NOTIFICATION_JSON!).event, 'renewal-failed-still-valid');
    assert.equal(env.CERTDECK_EAB_HMAC_KEY, undefined, "certdeck's own environment is not passed on");
    // 9 days left is within the default 14: the command (all events) also got `expiring`.
    const expiring = JSON.parse(await readFile(`${out}.expiring.json`, 'utf8')) as Record<string, string>;
    assert.match(expiring.CERTDECK_MESSAGE!, /expires in 9 days/);
    // The webhooks: one wants only renewal-failed (this was still-valid), one another certificate, one 5 days.
    assert.equal(server.received.length, 0, server.received.map((r) => r.body).join('\n'));
    assert.ok(events.some((e) => e.type === 'log' && e.level === 'info' && /notified command notifier cmd \(renewal-failed-still-valid\)/.test(e.message)));
  });

  it('an expired certificate: renewal-failed, sent to the webhook that wants it', async () => {
    server = await startWebhookServer();
    await setup([{ id: 'hook', kind: 'webhook', url: server.url, events: ['renewal-failed'] }]);
    const now = Date.now();
    await dispatcher.handle(failed(now, now - 2 * DAY));
    assert.equal(server.received.length, 1);
    const body = JSON.parse(server.received[0]!.body) as Record<string, unknown>;
    assert.equal(body.event, 'renewal-failed');
    assert.equal(body.certName, 'shop.test');
    assert.deepEqual(body.domains, ['shop.test', 'www.shop.test']);
    assert.equal((body.error as { message: string }).message, 'the CA refused the order');
    assert.equal(typeof body.at, 'string');
  });

  it('issued, renewed, deploy partial; a cancel or a not-due run makes nothing', async () => {
    server = await startWebhookServer();
    await setup([{ id: 'hook', kind: 'webhook', url: server.url }]);
    const now = Date.now();
    const onDisk = { serial: '0c', notAfter: now + 90 * DAY, caId: 'sandbox', domains: ['shop.test'], version: 2 };
    await dispatcher.handle({ type: 'issue:finished', at: now, certName: 'shop.test', domains: ['shop.test'], ok: true, onDisk });
    // Not due, though 5 days from expiry (a short-lived certificate): healthy, so no `expiring`.
    await dispatcher.handle({ type: 'issue:finished', at: now, certName: 'shop.test', domains: ['shop.test'], ok: true, notDue: true, onDisk: { ...onDisk, notAfter: now + 5 * DAY } });
    await dispatcher.handle({ type: 'issue:finished', at: now, certName: 'shop.test', domains: ['shop.test'], ok: false, error: { kind: 'cancelled', code: 'cancelled', message: 'x', retryable: false }, onDisk });
    await dispatcher.handle({ type: 'deploy:finished', at: now, runId: 'r1', certName: 'shop.test', succeeded: 1, failed: 1, skipped: 0, outcome: 'partial' });
    await dispatcher.handle({ type: 'deploy:finished', at: now, runId: 'r2', certName: 'shop.test', succeeded: 2, failed: 0, skipped: 0, outcome: 'succeeded' });
    const bodies = server.received.map((r) => JSON.parse(r.body) as { event: string; renewal?: boolean; deploy?: { failed: number } });
    assert.deepEqual(bodies.map((b) => b.event), ['issued', 'deploy-partial']);
    assert.equal(bodies[0]!.renewal, true);
    assert.equal(bodies[1]!.deploy?.failed, 1);
    assert.equal(dispatcher.handle({ type: 'log', at: now, level: 'info', message: 'x' }), undefined);
  });

  it('a failing notifier is a logged warning with the URL redacted; the event handling itself never rejects', async () => {
    server = await startWebhookServer([{ status: 400 }]);
    await setup([
      { id: 'hook', kind: 'webhook', url: `${server.url}?token=SEKRET-TOKEN` },
      { id: 'broken-cmd', kind: 'command', argv: ['/nonexistent/notify-program'] },
      { id: 'failing-cmd', kind: 'command', argv: [process.execPath, '-e', "console.error('pager said no'); process.exit(3)"] },
    ]);
    const now = Date.now();
    await dispatcher.handle(failed(now, undefined));
    const warnings = events.filter((e): e is EventOf<'log'> => e.type === 'log' && e.level === 'warn').map((e) => e.message);
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.ok(warnings.some((w) => /webhook notifier hook \(renewal-failed\): HTTP 400/.test(w)));
    assert.ok(warnings.some((w) => /broken-cmd.*cannot start/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /failing-cmd.*exit code 3: pager said no/.test(w)), warnings.join('\n'));
    assert.doesNotMatch(JSON.stringify(events), /SEKRET-TOKEN/);
  });

  it('a command that does not exit in time is killed with its children', async () => {
    const pidFile = path.join(dir, 'child.pid');
    // The notifier's program starts a grandchild that would outlive a plain kill of the direct child.
    const script = `const { spawn } = require('child_process'); const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000);`;
    await setup([{ id: 'slow', kind: 'command', argv: [process.execPath, '-e', script], timeoutMs: 500 }]);
    // The timeout runs on a manual clock: it fires once the program is surely running, however slow the machine.
    const clock = new ManualClock(Date.now());
    dispatcher = new NotificationDispatcher({ paths, clock, emit: (e) => events.push(e), env: { PATH: process.env.PATH }, userAgent: 'certdeck/test', random: () => 0.5 });
    const delivery = dispatcher.handle(failed(clock.now(), undefined));
    for (let i = 0; i < 300 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    await clock.untilSleeping(1);
    await clock.advance(500);
    await delivery;
    assert.ok(events.some((e) => e.type === 'log' && e.level === 'warn' && /slow .*no exit within 500 ms; killed/.test(e.message)));
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      try {
        process.kill(grandchild, 0);
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        alive = false;
      }
    }
    assert.equal(alive, false, 'the grandchild is gone too');
  });
});
