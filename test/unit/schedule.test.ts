/**
 * `certdeck schedule`: the units it writes are ones systemd accepts (systemd-analyze verify, where installed), carry
 * this CERTDECK_HOME and absolute paths, are enabled through systemctl when systemd runs and certdeck is root, and
 * are removed again; without systemd it prints the equivalent cron line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { renewalScheduler, runScheduleCommand, type ScheduleHost } from '../../src/commands/schedule.js';
import { findOnPath } from '../../src/sandbox/binaries.js';
import { currentCommand } from '../../src/schedule/units.js';

const run = promisify(execFile);
const analyze = findOnPath('systemd-analyze', process.env.PATH ?? '');

function io(env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => ((out += s), true) } as NodeJS.WritableStream, stderr: { write: (s: string) => ((err += s), true) } as NodeJS.WritableStream, env },
    out: () => out,
    err: () => err,
  };
}

describe('certdeck schedule', () => {
  let dir: string;
  const home = () => path.join(dir, 'certdeck home');
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-schedule-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('install --unit-dir writes units systemd accepts, with CERTDECK_HOME and absolute paths; remove removes them', async (t) => {
    const units = path.join(dir, 'units');
    const host: ScheduleHost = { systemd: false, root: false, command: currentCommand() };
    const c = io({ CERTDECK_HOME: home() });
    assert.equal(await runScheduleCommand('install', { unitDir: units }, c.io, host), 0, c.err());
    const service = await readFile(path.join(units, 'certdeck-renew.service'), 'utf8');
    const timer = await readFile(path.join(units, 'certdeck-renew.timer'), 'utf8');
    assert.match(service, new RegExp(`^Environment="CERTDECK_HOME=${home().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"$`, 'm'));
    assert.match(service, /^ExecStart=\/\S+ \/\S+\/dist\/cli\.js renew$/m);
    assert.match(service, /^Type=oneshot$/m);
    assert.match(timer, /^OnCalendar=\*-\*-\* 00,12:00:00$/m, 'twice a day');
    assert.match(timer, /^RandomizedDelaySec=\S+$/m);
    assert.match(timer, /^Persistent=true$/m);
    assert.match(c.out(), /wrote .*certdeck-renew\.service/);

    if (!analyze) {
      t.diagnostic('systemd-analyze is not installed: the units were not verified by systemd');
    } else {
      const verify = (files: string[]) => run(analyze, ['verify', ...files]).then(() => 0, (e: { code?: number; stderr?: string }) => e.code ?? 1);
      assert.equal(await verify([path.join(units, 'certdeck-renew.service'), path.join(units, 'certdeck-renew.timer')]), 0);
      // The check can fail: a unit whose program does not exist is refused.
      const broken = path.join(dir, 'broken', 'certdeck-renew.service');
      await run('mkdir', ['-p', path.dirname(broken)]);
      await writeFile(broken, service.replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/node'));
      assert.notEqual(await verify([broken]), 0);
    }

    const s = io({ CERTDECK_HOME: home() });
    await runScheduleCommand('status', { unitDir: units }, s.io, host);
    assert.match(s.out(), /installed: .*certdeck-renew\.service/);
    const r = io({ CERTDECK_HOME: home() });
    assert.equal(await runScheduleCommand('remove', { unitDir: units }, r.io, host), 0);
    assert.equal(existsSync(path.join(units, 'certdeck-renew.service')), false);
    assert.equal(existsSync(path.join(units, 'certdeck-renew.timer')), false);
    assert.match(r.out(), /removed .*certdeck-renew\.timer/);
  });

  it('with systemd running and root: installs into the unit directory and enables the timer through systemctl', async () => {
    const units = path.join(dir, 'etc-systemd');
    const calls: string[][] = [];
    const host: ScheduleHost = { systemd: true, root: true, unitDir: units, command: currentCommand(), systemctl: async (args) => (calls.push(args), { ok: true, output: 'enabled' }) };
    const c = io({ CERTDECK_HOME: home() });
    assert.equal(await runScheduleCommand('install', {}, c.io, host), 0, c.err());
    assert.ok(existsSync(path.join(units, 'certdeck-renew.timer')));
    assert.deepEqual(calls, [['daemon-reload'], ['enable', '--now', 'certdeck-renew.timer']]);
    calls.length = 0;
    assert.equal(await runScheduleCommand('remove', {}, io().io, host), 0);
    assert.deepEqual(calls, [['disable', '--now', 'certdeck-renew.timer'], ['daemon-reload']]);
    assert.equal(existsSync(path.join(units, 'certdeck-renew.timer')), false);
  });

  it('without systemd (or not root) it prints the cron line instead of writing anything', async () => {
    for (const host of [
      { systemd: false, root: true, command: currentCommand(), unitDir: path.join(dir, 'never') },
      { systemd: true, root: false, command: currentCommand(), unitDir: path.join(dir, 'never') },
    ]) {
      const c = io({ CERTDECK_HOME: home() });
      assert.equal(await runScheduleCommand('install', {}, c.io, host), 0);
      const line = c.out().trim().split('\n').at(-1)!;
      assert.match(line, /^\d{1,2} \d{1,2},\d{1,2} \* \* \* CERTDECK_HOME='[^']*certdeck home' \/\S+ \/\S+\/dist\/cli\.js renew --jitter 1h$/);
      const [, hours] = line.split(' ');
      const [a, b] = hours!.split(',').map(Number);
      assert.equal(b! - a!, 12, 'twice a day, 12 hours apart');
      assert.equal(existsSync(path.join(dir, 'never')), false);
    }
  });

  it("the setup's scheduler decides as install does: the timer as root with systemd (installed into the unit directory), the renew cron line otherwise", async () => {
    const units = path.join(dir, 'setup-units');
    const calls: string[][] = [];
    const host: ScheduleHost = { systemd: true, root: true, unitDir: units, command: currentCommand(), systemctl: async (args) => (calls.push(args), { ok: true, output: '' }) };
    const scheduler = renewalScheduler({ CERTDECK_HOME: home() }, host);
    assert.deepEqual(scheduler.timer, { available: true, unitDir: units });
    assert.match(scheduler.cronLine, /CERTDECK_HOME='[^']*certdeck home' .* renew --jitter 1h$/);
    const result = await scheduler.installTimer();
    assert.equal(result.ok, true);
    assert.ok(existsSync(path.join(units, 'certdeck-renew.timer')) && existsSync(path.join(units, 'certdeck-renew.service')));
    assert.ok(result.lines.some((l) => l.startsWith('wrote ')), result.lines.join('\n'));
    assert.deepEqual(calls, [['daemon-reload'], ['enable', '--now', 'certdeck-renew.timer']]);

    const failing = renewalScheduler({}, { ...host, unitDir: path.join(dir, 'setup-units-2'), systemctl: async () => ({ ok: false, output: 'Failed to connect to bus' }) });
    const failed = await failing.installTimer();
    assert.equal(failed.ok, false);
    assert.ok(failed.lines.some((l) => l.includes('Failed to connect to bus')), failed.lines.join('\n'));

    assert.deepEqual(renewalScheduler({}, { ...host, root: false }).timer, { available: false, why: 'installing a systemd timer needs root' });
    assert.deepEqual(renewalScheduler({}, { ...host, systemd: false }).timer, { available: false, why: 'systemd is not running here' });
  });
});
