import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/engine/core/clock.js';
import { normalizeTarget, runDeploy } from '../../src/engine/deploy/index.js';
import type { DeployTarget } from '../../src/engine/deploy/types.js';
import { OUTPUT_LOG_MAX_BYTES, outputLogPath } from '../../src/engine/deploy/output-log.js';
import { DEPLOY_LOG_LIMIT, replay } from '../../src/engine/state.js';
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
    return runDeploy({ paths: fx.paths, certName: fx.certName, targets, clock, emit: fx.emit, env: { PATH: process.env.PATH, HOME: '/home/ops', FROM_CALLER: 'yes', CERTDECK_EAB_HMAC_KEY: 'secret-hmac-from-env' } });
  };
  const logLines = (id: string): string[] => fx.events.flatMap((e) => (e.type === 'deploy:log' && e.targetId === id ? [e.line] : []));

  it('passes the certificate in CERTDECK_* variables (and only a minimal environment), runs without a shell, and streams stdout and stderr lines', async () => {
    const live = path.join(fx.paths.liveDir, fx.certName);
    const outcome = await deploy([
      target({
        kind: 'command',
        id: 'env',
        // "$HOME;rm" would be expanded or split by a shell; as an argv element it must arrive verbatim.
        argv: ['sh', '-c', 'env | grep -E "^(CERTDECK_|FROM_CALLER|EXTRA|HOME=)" | sort; echo "arg=$1"; echo to-stderr >&2', 'sh', '$HOME;rm -rf x'],
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
      'HOME=/home/ops',
      'arg=$HOME;rm -rf x',
      'to-stderr',
      'sh exited with code 0',
    ]) {
      assert.ok(lines.includes(expected), `missing "${expected}" in:\n${lines.join('\n')}`);
    }
    // certdeck's own environment (an EAB HMAC key, whatever cron exported) never reaches a hook.
    assert.equal(lines.some((l) => l.startsWith('FROM_CALLER=')), false, lines.join('\n'));
    assert.equal(lines.some((l) => l.includes('secret-hmac-from-env') || l.startsWith('CERTDECK_EAB_')), false, lines.join('\n'));
  });

  it("a reload script written for certbot's deploy hook (RENEWED_LINEAGE, RENEWED_DOMAINS only) works unchanged", async () => {
    const out = path.join(fx.root, 'certbot-hook.out');
    const hook = await fx.script(
      'certbot-deploy-hook.sh',
      `set -eu\nfor d in $RENEWED_DOMAINS; do echo "$d"; done > "${out}"\ncat "$RENEWED_LINEAGE/fullchain.pem" "$RENEWED_LINEAGE/privkey.pem" >> "${out}"\n`,
    );
    const outcome = await deploy([target({ kind: 'command', id: 'certbot', argv: [hook] })]);
    assert.equal(outcome.outcome, 'succeeded', JSON.stringify(finalStatuses(fx.events)));
    assert.equal(await readFile(out, 'utf8'), `a.test\nb.test\nc.test\n${fx.leaf.certPem + fx.leaf.chainPem + fx.leaf.keyPem}`);
  });

  it("a script written for lego's hook (LEGO_CERT_DOMAIN, LEGO_CERT_PATH, LEGO_CERT_KEY_PATH, LEGO_CERT_PEM_PATH only) works unchanged", async () => {
    const out = path.join(fx.root, 'lego-hook.out');
    const hook = await fx.script(
      'lego-hook.sh',
      `set -eu\necho "$LEGO_CERT_DOMAIN" > "${out}"\ncat "$LEGO_CERT_PATH" "$LEGO_CERT_PEM_PATH" "$LEGO_CERT_KEY_PATH" >> "${out}"\n`,
    );
    const outcome = await deploy([target({ kind: 'command', id: 'lego', argv: [hook] })]);
    assert.equal(outcome.outcome, 'succeeded', JSON.stringify(finalStatuses(fx.events)));
    assert.equal(await readFile(out, 'utf8'), `a.test\n${fx.leaf.certPem}${fx.leaf.certPem + fx.leaf.chainPem}${fx.leaf.keyPem}`);
  });

  it('a hook that prints without end: the run keeps its last lines, the full output goes to a bounded file', async () => {
    const outcome = await deploy([target({ kind: 'command', id: 'chatty', argv: ['sh', '-c', 'i=0; while [ $i -lt 60000 ]; do echo "line $i \\033[2Jwith escape"; i=$((i+1)); done'] })]);
    assert.equal(outcome.outcome, 'succeeded');
    const file = outputLogPath(fx.paths, fx.certName, 'chatty');
    const text = await readFile(file, 'utf8');
    assert.ok(text.startsWith('line 0 with escape\n'), text.slice(0, 80));
    assert.ok(Buffer.byteLength(text) <= OUTPUT_LOG_MAX_BYTES + 100, `${Buffer.byteLength(text)} bytes`);
    assert.doesNotMatch(text, /\u001b/);
    assert.match(text, /\n\[certdeck: output truncated after \d+ bytes\]\n$/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    // The summary is folded from the events; the reducer keeps the last DEPLOY_LOG_LIMIT lines of the target.
    const run = replay(fx.events).deploys[outcome.runId];
    const kept = run?.targets.find((t) => t.id === 'chatty')?.log ?? [];
    assert.equal(kept.length, DEPLOY_LOG_LIMIT);
    assert.equal(kept.at(-1), 'sh exited with code 0');
    assert.equal(kept.at(-2), 'line 59999 with escape');
  });

  it("a hook's escape sequences and control characters reach neither the log nor the failure reason", async () => {
    const outcome = await deploy([target({ kind: 'command', id: 'esc', argv: ['sh', '-c', 'printf "ok\\033[2J\\033]0;pwned\\007 line\\n"; printf "bad\\033[31m thing\\r\\n" >&2; exit 3'] })]);
    assert.equal(outcome.outcome, 'failed');
    assert.ok(logLines('esc').includes('ok line'), logLines('esc').join('\n'));
    assert.equal(finalStatuses(fx.events).esc?.reason, 'sh: exit code 3: bad thing');
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
