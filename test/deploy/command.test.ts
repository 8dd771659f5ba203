import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/engine/core/clock.js';
import { normalizeTarget, runDeploy } from '../../src/engine/deploy/index.js';
import type { DeployTarget } from '../../src/engine/deploy/types.js';
import { finalStatuses, makeFixture, processGone, readPid, type DeployFixture } from './support/fixture.js';

const target = (input: Record<string, unknown>): DeployTarget => normalizeTarget(input, 'test');

describe('command target', () => {
  let fx: DeployFixture;
  before(async () => {
    fx = await makeFixture();
  });
  after(() => fx.cleanup());

  const deploy = (targets: DeployTarget[], clock = new ManualClock()) => {
    fx.events.length = 0;
    return runDeploy({ paths: fx.paths, certName: fx.certName, targets, clock, emit: fx.emit, env: { PATH: process.env.PATH, FROM_CALLER: 'yes' } });
  };
  const logLines = (id: string): string[] => fx.events.flatMap((e) => (e.type === 'deploy:log' && e.targetId === id ? [e.line] : []));

  it('passes the certificate in CERTDECK_* variables, runs without a shell, and streams stdout and stderr lines', async () => {
    const live = path.join(fx.paths.liveDir, fx.certName);
    const outcome = await deploy([
      target({
        kind: 'command',
        id: 'env',
        // "$HOME;rm" would be expanded or split by a shell; as an argv element it must arrive verbatim.
        argv: ['sh', '-c', 'env | grep -E "^(CERTDECK_|FROM_CALLER|EXTRA)" | sort; echo "arg=$1"; echo to-stderr >&2', 'sh', '$HOME;rm -rf x'],
        env: { EXTRA: 'from target' },
      }),
    ]);
    assert.equal(outcome.outcome, 'succeeded');
    const lines = logLines('env');
    for (const expected of [
      `CERTDECK_CERT_NAME=${fx.certName}`,
      'CERTDECK_DOMAINS=a.test b.test c.test',
      `CERTDECK_CERT_PATH=${path.join(live, 'cert.pem')}`,
      `CERTDECK_CHAIN_PATH=${path.join(live, 'chain.pem')}`,
      `CERTDECK_FULLCHAIN_PATH=${path.join(live, 'fullchain.pem')}`,
      `CERTDECK_KEY_PATH=${path.join(live, 'privkey.pem')}`,
      'EXTRA=from target',
      'FROM_CALLER=yes',
      'arg=$HOME;rm -rf x',
      'to-stderr',
      'sh exited with code 0',
    ]) {
      assert.ok(lines.includes(expected), `missing "${expected}" in:\n${lines.join('\n')}`);
    }
  });

  it('says "command not found" for a missing program and "not executable" for a file without +x', async () => {
    const plain = path.join(fx.root, 'not-executable.sh');
    await writeFile(plain, '#!/bin/sh\necho hi\n');
    await chmod(plain, 0o644);
    const outcome = await deploy([
      target({ kind: 'command', id: 'missing', argv: ['certdeck-no-such-program', '--flag'] }),
      target({ kind: 'command', id: 'noexec', argv: [plain] }),
      target({ kind: 'command', id: 'ok', argv: ['true'] }),
    ]);
    assert.deepEqual([outcome.outcome, outcome.succeeded, outcome.failed], ['partial', 1, 2]);
    const s = finalStatuses(fx.events);
    assert.equal(s.missing?.reason, 'command not found: certdeck-no-such-program');
    assert.equal(s.noexec?.reason, `command not executable: ${plain} (permission denied)`);
    assert.equal(s.ok?.status, 'succeeded');
  });

  it('keeps the exit code and the last stderr line as the reason', async () => {
    const outcome = await deploy([target({ kind: 'command', id: 'c', argv: ['sh', '-c', 'echo first >&2; echo "nginx: [emerg] cannot load certificate" >&2; exit 3'] })]);
    assert.equal(outcome.outcome, 'failed');
    assert.equal(finalStatuses(fx.events).c?.reason, 'sh: exit code 3: nginx: [emerg] cannot load certificate');
  });

  it('does not wait for a daemon the hook left behind holding its output', async () => {
    const pidFile = path.join(fx.root, 'daemon.pid');
    const clock = new ManualClock();
    const done = deploy([target({ kind: 'command', id: 'd', argv: ['sh', '-c', `sleep 300 & echo $! > "${pidFile}"; echo started; exit 0`] })], clock);
    await fx.waitFor((e) => e.type === 'deploy:log' && e.line === 'started');
    const daemon = await readPid(pidFile);
    try {
      // The hook exited; its pipes are still open. Pending: the attempt timeout and the pipe grace.
      await clock.untilSleeping(2);
      await clock.advance(2000);
      const outcome = await done;
      assert.equal(outcome.outcome, 'succeeded');
      assert.ok(logLines('d').some((l) => l.includes('still holds its output')));
      assert.equal(await processGone(daemon), false, 'a daemon started on purpose is left running after a successful hook');
    } finally {
      process.kill(daemon, 'SIGKILL');
    }
  });

  it('kills a process tree that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const pidFile = path.join(fx.root, 'stubborn.pid');
    const script = await fx.script('stubborn.sh', `trap '' TERM\nsh -c 'trap "" TERM; sleep 300' &\necho $! > "${pidFile}"\necho started\nwhile :; do sleep 1; done`);
    const clock = new ManualClock();
    const done = deploy([target({ kind: 'command', id: 's', argv: [script], timeoutMs: 1000, killGraceMs: 3000 })], clock);
    await fx.waitFor((e) => e.type === 'deploy:log' && e.line === 'started');
    const child = await readPid(pidFile);
    await clock.advance(1000);
    // SIGTERM was ignored: only the grace sleep is left; the tree must still be alive until it runs out.
    await clock.untilSleeping(1);
    assert.equal(await processGone(child), false);
    await clock.advance(3000);
    const outcome = await done;
    assert.equal(finalStatuses(fx.events).s?.status, 'timed-out');
    assert.equal(outcome.outcome, 'failed');
    assert.equal(await processGone(child), true);
  });
});
