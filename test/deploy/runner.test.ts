import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock, systemClock } from '../../src/engine/core/clock.js';
import { BadInputError, ConfigError } from '../../src/engine/core/errors.js';
import { loadResults, normalizeTarget, runDeploy, targetsFilePath } from '../../src/engine/deploy/index.js';
import type { DeployTarget } from '../../src/engine/deploy/types.js';
import { replay } from '../../src/engine/state.js';
import { finalStatuses, makeFixture, processGone, readPid, targetEvents, type DeployFixture } from './support/fixture.js';

const target = (input: Record<string, unknown>): DeployTarget => normalizeTarget(input, 'test');

describe('runDeploy', () => {
  let fx: DeployFixture;
  before(async () => {
    fx = await makeFixture();
  });
  after(() => fx.cleanup());

  const run = (targets: DeployTarget[], extra: { clock?: ManualClock; only?: string[]; signal?: AbortSignal } = {}) => {
    fx.events.length = 0;
    let n = 0;
    return runDeploy({
      paths: fx.paths,
      certName: fx.certName,
      targets,
      clock: extra.clock ?? new ManualClock(),
      emit: fx.emit,
      newId: () => `run-${++n}`,
      env: { PATH: process.env.PATH },
      ...(extra.only ? { only: extra.only } : {}),
      ...(extra.signal ? { signal: extra.signal } : {}),
    });
  };

  it('two runs of one certificate do not overlap: the second queues behind the first and says so', async () => {
    const trace = path.join(fx.root, 'overlap.trace');
    await writeFile(trace, '');
    const slow = [target({ kind: 'command', id: 'slow', argv: ['sh', '-c', `echo start >> "${trace}"; sleep 0.4; echo end >> "${trace}"`] })];
    fx.events.length = 0;
    const runOnce = (id: string) =>
      runDeploy({ paths: fx.paths, certName: fx.certName, targets: slow, clock: systemClock, emit: fx.emit, newId: () => id, env: { PATH: process.env.PATH } });
    const [a, b] = await Promise.all([runOnce('first'), runOnce('second')]);
    assert.deepEqual([a.outcome, b.outcome], ['succeeded', 'succeeded']);
    assert.deepEqual((await readFile(trace, 'utf8')).trim().split('\n'), ['start', 'end', 'start', 'end']);
    const waits = fx.events.filter((e) => e.type === 'log' && /Waiting for the deploy of site already running \(pid \d+/.test(e.message));
    assert.equal(waits.length, 1, 'said once, naming who holds it');
  });

  it('gives every target its own result and exact counts; a failure does not stop later targets by default', async () => {
    const out = await fx.dir('order-out');
    const targets = [
      target({ kind: 'files', id: 'files-1', dir: out }),
      target({ kind: 'command', id: 'fails', argv: ['sh', '-c', 'echo about to fail; echo boom >&2; exit 7'] }),
      target({ kind: 'command', id: 'works', argv: ['sh', '-c', 'echo fine'] }),
    ];
    const outcome = await run(targets);
    const { targets: ran, ...counts } = outcome;
    assert.deepEqual(counts, { runId: 'run-1', certName: 'site', outcome: 'partial', succeeded: 2, failed: 1, skipped: 0 });
    // The outcome carries each target's own result, in run order (the issue summary prints them).
    assert.deepEqual(ran.map((t) => `${t.id}=${t.status}`), ['files-1=succeeded', 'fails=failed', 'works=succeeded']);
    assert.match(ran[1]?.reason ?? '', /7/);
    assert.deepEqual(finalStatuses(fx.events), {
      'files-1': { status: 'succeeded' },
      fails: { status: 'failed', reason: 'sh: exit code 7: boom' },
      works: { status: 'succeeded' },
    });
    const started = fx.events[0];
    assert.equal(started?.type, 'deploy:started');
    assert.deepEqual(started.type === 'deploy:started' && started.targets.map((t) => t.id), ['files-1', 'fails', 'works']);
    const finished = fx.events.at(-1);
    assert.deepEqual(finished?.type === 'deploy:finished' && [finished.succeeded, finished.failed, finished.skipped, finished.outcome], [2, 1, 0, 'partial']);
    // Output lines are streamed per target, never mixed into another target's log.
    const logs = fx.events.filter((e) => e.type === 'deploy:log' && e.targetId === 'fails').map((e) => (e.type === 'deploy:log' ? e.line : ''));
    assert.ok(logs.includes('about to fail') && logs.includes('boom'), logs.join('|'));

    // The reducer folds the same stream into the view the TUI shows.
    const snap = replay(fx.events);
    const view = snap.deploys['run-1'];
    assert.deepEqual(view?.summary, { succeeded: 2, failed: 1, skipped: 0 });
    assert.deepEqual(view?.targets.map((t) => [t.id, t.status]), [['files-1', 'succeeded'], ['fails', 'failed'], ['works', 'succeeded']]);
  });

  it('skips the later targets when a failing target has continueOnFailure: false', async () => {
    const targets = [
      target({ kind: 'files', id: 'files-1', dir: path.join(fx.root, 'does-not-exist'), continueOnFailure: false }),
      target({ kind: 'command', id: 'reload', argv: ['true'] }),
    ];
    const outcome = await run(targets);
    assert.equal(outcome.outcome, 'failed');
    assert.deepEqual([outcome.succeeded, outcome.failed, outcome.skipped], [0, 1, 1]);
    const statuses = finalStatuses(fx.events);
    assert.match(statuses['files-1']?.reason ?? '', /target directory .*does-not-exist does not exist/);
    assert.deepEqual(statuses.reload, { status: 'skipped', reason: 'skipped: files-1 failed and stops later targets (continueOnFailure: false)' });
    assert.equal(targetEvents(fx.events, 'reload').some((e) => e.status === 'running'), false, 'a skipped target never runs');
  });

  it('retries a failed attempt after the backoff, on the injected clock', async () => {
    const counter = path.join(fx.root, 'attempts');
    await writeFile(counter, '');
    const flaky = await fx.script('flaky.sh', `echo x >> "${counter}"\n[ "$(wc -l < "${counter}")" -ge 2 ] || { echo "not yet" >&2; exit 1; }\necho ok`);
    const clock = new ManualClock();
    const done = run([target({ kind: 'command', id: 'flaky', argv: [flaky], retries: { count: 3, backoffMs: 4000 } })], { clock });
    await fx.waitFor((e) => e.type === 'deploy:log' && /retrying in 4s/.test(e.line));
    assert.equal((await readFile(counter, 'utf8')).split('\n').filter(Boolean).length, 1, 'no second attempt before the clock moves');
    await clock.advance(3999);
    assert.equal((await readFile(counter, 'utf8')).split('\n').filter(Boolean).length, 1);
    await clock.advance(1);
    const outcome = await done;
    assert.equal(outcome.outcome, 'succeeded');
    const ev = targetEvents(fx.events, 'flaky');
    assert.deepEqual(ev.filter((e) => e.status === 'running').map((e) => e.attempt), [1, 2]);
    assert.deepEqual([ev.at(-1)?.status, ev.at(-1)?.attempt], ['succeeded', 2]);
  });

  it('times out a hung hook and kills its whole process tree, grandchildren included', async () => {
    const pidFile = path.join(fx.root, 'grandchild.pid');
    const leaderFile = path.join(fx.root, 'leader.pid');
    const hang = await fx.script('hang.sh', `echo $$ > "${leaderFile}"\nsleep 300 &\necho $! > "${pidFile}"\necho started\nwait`);
    const clock = new ManualClock();
    const done = run(
      [target({ kind: 'command', id: 'hang', argv: [hang], timeoutMs: 5000 }), target({ kind: 'command', id: 'after', argv: ['true'] })],
      { clock },
    );
    await fx.waitFor((e) => e.type === 'deploy:log' && e.line === 'started');
    const grandchild = await readPid(pidFile);
    const leader = await readPid(leaderFile);
    assert.equal(await processGone(grandchild), false);
    await clock.advance(5000);
    const outcome = await done;
    assert.deepEqual(finalStatuses(fx.events), {
      hang: { status: 'timed-out', reason: 'timed out after 5s; its process tree was killed' },
      after: { status: 'succeeded' },
    });
    assert.deepEqual([outcome.outcome, outcome.succeeded, outcome.failed], ['partial', 1, 1]);
    assert.equal(await processGone(grandchild), true, 'the backgrounded sleep is gone');
    assert.equal(await processGone(leader), true);
  });

  it('cancel kills the running hook tree and marks it and the rest cancelled', async () => {
    const pidFile = path.join(fx.root, 'cancel-grandchild.pid');
    const hang = await fx.script('hang2.sh', `sleep 300 &\necho $! > "${pidFile}"\necho started\nwait`);
    const abort = new AbortController();
    const done = run(
      [target({ kind: 'command', id: 'hang', argv: [hang] }), target({ kind: 'files', id: 'later', dir: await fx.dir('cancel-out') })],
      { signal: abort.signal },
    );
    await fx.waitFor((e) => e.type === 'deploy:log' && e.line === 'started');
    const grandchild = await readPid(pidFile);
    abort.abort('operator pressed c');
    const outcome = await done;
    const { targets: ran, ...counts } = outcome;
    assert.deepEqual(counts, { runId: 'run-1', certName: 'site', outcome: 'cancelled', succeeded: 0, failed: 0, skipped: 2 });
    assert.deepEqual(ran.map((t) => `${t.id}=${t.status}`), ['hang=cancelled', 'later=cancelled']);
    const statuses = finalStatuses(fx.events);
    assert.deepEqual(statuses.hang, { status: 'cancelled', reason: 'operator pressed c; its process tree was killed' });
    assert.deepEqual(statuses.later, { status: 'cancelled', reason: 'not started: operator pressed c' });
    assert.equal(await processGone(grandchild), true);
  });

  it('saves each target result so --only failed retries exactly the ones that failed', async () => {
    const fixable = path.join(fx.root, 'fixable-ok');
    const flag = await fx.script('fixable.sh', `[ -e "${fixable}" ] || { echo "not fixed" >&2; exit 2; }\necho fixed`);
    const targets = [
      target({ kind: 'command', id: 'good', argv: ['true'] }),
      target({ kind: 'command', id: 'bad', argv: [flag] }),
      target({ kind: 'command', id: 'also-good', argv: ['true'] }),
    ];
    await writeFile(targetsFilePath(fx.paths, fx.certName), JSON.stringify({ version: 1, certName: fx.certName, targets }));
    await runDeploy({ paths: fx.paths, certName: fx.certName, clock: new ManualClock(), emit: fx.emit });
    const saved = await loadResults(fx.paths, fx.certName);
    assert.deepEqual(Object.fromEntries(Object.entries(saved.targets).map(([id, r]) => [id, r.status])), { good: 'succeeded', bad: 'failed', 'also-good': 'succeeded' });
    assert.equal(saved.lastRun?.outcome, 'partial');

    await writeFile(fixable, '');
    fx.events.length = 0;
    const retry = await runDeploy({ paths: fx.paths, certName: fx.certName, only: ['failed'], clock: new ManualClock(), emit: fx.emit });
    assert.deepEqual([retry.outcome, retry.succeeded, retry.failed, retry.skipped], ['succeeded', 1, 0, 0]);
    const started = fx.events.find((e) => e.type === 'deploy:started');
    assert.deepEqual(started?.type === 'deploy:started' && started.targets.map((t) => t.id), ['bad']);
    const merged = await loadResults(fx.paths, fx.certName);
    assert.deepEqual(Object.fromEntries(Object.entries(merged.targets).map(([id, r]) => [id, r.status])), { good: 'succeeded', bad: 'succeeded', 'also-good': 'succeeded' });
    assert.equal(merged.targets.good?.runId, saved.targets.good?.runId, 'targets that did not run keep their earlier result');

    await assert.rejects(
      runDeploy({ paths: fx.paths, certName: fx.certName, only: ['failed'], clock: new ManualClock(), emit: fx.emit }),
      (err: unknown) => err instanceof BadInputError && err.code === 'nothing-to-deploy',
    );
  });

  it('refuses before starting: unknown --only id, broken targets file, missing certificate', async () => {
    fx.events.length = 0;
    await assert.rejects(run([target({ kind: 'command', id: 'x', argv: ['true'] })], { only: ['nope'] }), (err: unknown) => err instanceof BadInputError && /no deploy target "nope" \(targets: x\)/.test(err.message));
    await writeFile(targetsFilePath(fx.paths, fx.certName), '{"version": 1, "targets": [{"kind": "command", "id": "c"}]}');
    await assert.rejects(
      runDeploy({ paths: fx.paths, certName: fx.certName, clock: new ManualClock(), emit: fx.emit }),
      (err: unknown) => err instanceof ConfigError && err.message.includes(targetsFilePath(fx.paths, fx.certName)) && err.message.includes('targets[0].argv'),
    );
    await writeFile(targetsFilePath(fx.paths, fx.certName), '{"version": 1, "targets": [');
    await assert.rejects(
      runDeploy({ paths: fx.paths, certName: fx.certName, clock: new ManualClock(), emit: fx.emit }),
      (err: unknown) => err instanceof ConfigError && err.message.startsWith(`deploy targets file ${targetsFilePath(fx.paths, fx.certName)} is broken`),
    );
    await assert.rejects(
      runDeploy({ paths: fx.paths, certName: 'other', targets: [target({ kind: 'command', id: 'x', argv: ['true'] })], clock: new ManualClock(), emit: fx.emit }),
      (err: unknown) => err instanceof BadInputError && err.code === 'no-certificate',
    );
    assert.equal(fx.events.length, 0, 'nothing was announced for runs that never started');
  });
});
