import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, chown, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { targetsFilePath } from '../../src/engine/deploy/index.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { certdeck, certdeckAs, publicInstall } from './support/cli.js';
import { makeFixture, processGone, readPid, type DeployFixture } from './support/fixture.js';
import { writeLive } from './support/test-pki.js';

const isRoot = process.getuid?.() === 0;

describe('certdeck deploy (CLI)', () => {
  let fx: DeployFixture;
  let home: string;
  before(async () => {
    fx = await makeFixture();
    home = path.dirname(fx.paths.liveDir);
  });
  after(() => fx.cleanup());

  it('runs a pipeline where one hook fails and one hangs: exact summary, exit 3, hung tree gone; --only failed then fixes it', async () => {
    const out = await fx.dir('cli-out');
    const fixed = path.join(fx.root, 'fixed');
    const pidFile = path.join(fx.root, 'cli-hang.pid');
    const fail = await fx.script('fail.sh', `[ -e "${fixed}" ] && { echo reloaded; exit 0; }\necho "reload failed: config test failed" >&2\nexit 1`);
    const hang = await fx.script('hang.sh', `[ -e "${fixed}" ] && exit 0\nsleep 300 &\necho $! > "${pidFile}"\necho waiting for the service\nwait`);
    const env = { PFX_PASSWORD: 'pfx pass' };
    const add = async (...args: string[]) => {
      const r = await certdeck(['deploy', 'add', 'site', ...args], { home, env });
      assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    };
    await add('files', '--dir', out);
    await add('command', '--label', 'reload service', '--', fail);
    await add('command', '--timeout', '1s', '--kill-grace', '500ms', '--', hang);
    await add('pfx', '--out', path.join(out, 'site.pfx'), '--password-env', 'PFX_PASSWORD');
    await add('command', '--', 'true');

    const run = await certdeck(['deploy', 'site'], { home, env });
    assert.equal(run.exitCode, 3, run.stdout + run.stderr);
    const summary = run.stdout.slice(run.stdout.indexOf('\nsite: deploy'));
    const lines = summary.trim().split('\n');
    assert.equal(lines[0], 'site: deploy partial — 3 succeeded, 2 failed, 0 skipped or cancelled');
    assert.match(lines[1]!, /^ {2}ok {8}files-1 {3}files -> .*cli-out in \d+(ms|\.\d+s|s)$/);
    assert.equal(lines[2], `  FAILED    command-1 reload service — ${fail}: exit code 1: reload failed: config test failed`);
    assert.equal(lines[3], `  TIMEOUT   command-2 run ${hang} — timed out after 1s; its process tree was killed`);
    assert.match(lines[4]!, /^ {2}ok {8}pfx-1 {5}pfx -> .*site\.pfx in /);
    assert.match(lines[5]!, /^ {2}ok {8}command-3 run true in /);
    assert.equal(lines[6], 'retry what did not succeed: certdeck deploy site --only failed');
    // The failed hook's own words appear live even without --verbose.
    assert.ok(run.stdout.includes('command-1 | reload failed: config test failed'), run.stdout);
    assert.equal(await processGone(await readPid(pidFile)), true, 'the hung hook\'s sleep is gone');

    const list = await certdeck(['deploy', 'list', 'site'], { home });
    assert.equal(list.exitCode, 0);
    assert.match(list.stdout, /command-1 .*\n\s+last run: failed at .* — .*exit code 1/);
    assert.match(list.stdout, /command-2 .*\n\s+last run: timed-out at /);
    // --json after the subcommand is the subcommand's (deploy itself has a --json too).
    const listed = await certdeck(['deploy', 'list', 'site', '--json'], { home });
    const parsed = JSON.parse(listed.stdout) as { certName: string; targets: Array<{ id: string }> };
    assert.equal(parsed.certName, 'site');
    assert.ok(parsed.targets.some((t) => t.id === 'command-1'));
    const usage = await certdeck(['deploy', 'site', '--no-such-flag'], { home });
    assert.equal(usage.exitCode, 2, 'a usage error is bad input');

    await writeFile(fixed, '');
    const retry = await certdeck(['deploy', 'site', '--only', 'failed', '--json'], { home, env });
    assert.equal(retry.exitCode, 0, retry.stdout + retry.stderr);
    const events = retry.stdout.trim().split('\n').map((l) => JSON.parse(l) as EngineEvent | { type: 'summary'; exitCode: number; outcome: string });
    const started = events.find((e) => e.type === 'deploy:started');
    assert.deepEqual(started?.type === 'deploy:started' && started.targets.map((t) => t.id), ['command-1', 'command-2']);
    const last = events.at(-1);
    assert.deepEqual(last?.type === 'summary' && [last.exitCode, last.outcome], [0, 'succeeded']);

    const again = await certdeck(['deploy', 'site', '--only', 'failed'], { home, env });
    assert.equal(again.exitCode, 0);
    assert.equal(again.stdout.trim(), 'nothing to retry for site: no target failed in its last run');
  });

  it('refuses bad targets on add with a clear error and writes nothing', async () => {
    const file = targetsFilePath(fx.paths, 'site');
    const before = await readFile(file, 'utf8');
    const cases: Array<[string[], string]> = [
      [['files', '--dir', path.join(fx.root, 'missing-dir')], `target directory ${path.join(fx.root, 'missing-dir')} does not exist`],
      [['command', '--', 'certdeck-no-such-program', '-x'], 'command not found: certdeck-no-such-program (not on PATH)'],
      [['verify', '--host', 'a.test@127.0.0.1:99999'], 'malformed verify host "a.test@127.0.0.1:99999": port 99999 is outside 1-65535'],
      [['files', '--dir', fx.root, '--key-mode', '999'], '--key-mode "999" is not an octal file mode'],
      [['pfx', '--out', path.join(fx.root, 'x.pfx')], 'a pfx target needs --password-env VAR (the variable that holds the password when deploy runs)'],
      [['verify', '--dir', fx.root], '--dir only applies to files targets, not verify'],
    ];
    for (const [args, message] of cases) {
      const r = await certdeck(['deploy', 'add', 'site', ...args], { home });
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr.split('\n')[0], `certdeck: ${message}`, args.join(' '));
    }
    assert.equal(await readFile(file, 'utf8'), before, 'the targets file is untouched');
    const r = await certdeck(['deploy', 'remove', 'site', 'nope'], { home });
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /site has no deploy target "nope"/);
  });

  it('SIGINT cancels cleanly: the hook tree is killed, the summary says cancelled, exit 130', async () => {
    await writeLive(fx.paths, 'other', fx.leaf, fx.domains);
    const pidFile = path.join(fx.root, 'sigint.pid');
    const hang = await fx.script('sigint-hang.sh', `sleep 300 &\necho $! > "${pidFile}"\necho hanging\nwait`);
    assert.equal((await certdeck(['deploy', 'add', 'other', 'command', '--', hang], { home })).exitCode, 0);
    assert.equal((await certdeck(['deploy', 'add', 'other', 'command', '--', 'true'], { home })).exitCode, 0);
    const child = certdeck(['deploy', 'other', '--verbose'], { home });
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('| hanging')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${stdout}`)));
    });
    const sleeper = await readPid(pidFile);
    child.kill('SIGINT');
    const r = await child;
    assert.equal(r.exitCode, 130, r.stdout + r.stderr);
    assert.match(r.stdout, /other: deploy cancelled — 0 succeeded, 0 failed, 2 skipped or cancelled/);
    assert.match(r.stdout, /\n {2}cancelled command-1 run .*sigint-hang\.sh — interrupted by SIGINT; its process tree was killed\n/);
    assert.match(r.stdout, /\n {2}cancelled command-2 run true — not started: interrupted by SIGINT\n/);
    assert.equal(await processGone(sleeper), true);
  });

  it('an unwritable target directory fails that target only, as an unprivileged user', async (t) => {
    // As root, the CLI runs as "nobody" from a world-readable copy of the build (root itself may write anywhere).
    const install = isRoot ? await publicInstall() : undefined;
    if (typeof install === 'string') return t.skip(install);
    if (install) t.after(install.remove);
    const run = (args: string[]) => (install ? certdeckAs(install, 65534, args, { home }) : certdeck(args, { home }));
    const ro = await fx.dir('cli-ro');
    const ok = await fx.dir('cli-ok');
    await writeFile(path.join(ro, 'cert.pem'), 'OLD');
    await chmod(ro, 0o555);
    if (isRoot) {
      // The unprivileged user needs its own certdeck home and a way into the fixture.
      await chmod(fx.root, 0o755);
      // Earlier runs as root created the lock directories (a deploy takes a lock per certificate).
      const locks = [fx.paths.locksDir, path.join(fx.paths.locksDir, 'deploy')].filter((p) => existsSync(p));
      for (const p of [home, fx.paths.liveDir, fx.paths.deployDir, path.join(fx.paths.liveDir, 'site'), ok, ...locks]) await chown(p, 65534, 65534);
      for (const f of await readdir(path.join(fx.paths.liveDir, 'site'))) await chown(path.join(fx.paths.liveDir, 'site', f), 65534, 65534);
      for (const f of await readdir(fx.paths.deployDir)) await chown(path.join(fx.paths.deployDir, f), 65534, 65534);
    }
    const addRo = await run(['deploy', 'add', 'site', 'files', '--dir', ro, '--id', 'ro']);
    assert.equal(addRo.exitCode, 2);
    assert.equal(addRo.stderr.split('\n')[0], `certdeck: target directory ${ro} is not writable by this user`);
    // Written by hand (as a config management tool would), so the run itself meets the read-only directory.
    const file = targetsFilePath(fx.paths, 'site');
    const existing = JSON.parse(await readFile(file, 'utf8')) as { targets: unknown[] };
    await writeFile(file, JSON.stringify({ version: 1, certName: 'site', targets: [{ kind: 'files', id: 'ro', dir: ro }, { kind: 'files', id: 'ok', dir: ok }] }));
    try {
      const r = await run(['deploy', 'site']);
      assert.equal(r.exitCode, 3, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`FAILED {4}ro {7}files -> .*cli-ro — cannot write ${ro.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/cert\\.pem: permission denied`));
      assert.match(r.stdout, /ok {8}ok {7}files -> /);
      assert.equal(await readFile(path.join(ro, 'cert.pem'), 'utf8'), 'OLD');
      assert.deepEqual((await readdir(ro)).sort(), ['cert.pem'], 'no temp file left behind');
    } finally {
      await writeFile(file, JSON.stringify({ version: 1, certName: 'site', targets: existing.targets }));
      await chmod(ro, 0o755);
    }
  });
});
