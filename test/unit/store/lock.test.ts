import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/engine/core/clock.js';
import { CancelledError, LockHeldError } from '../../../src/engine/core/errors.js';
import { acquireLock, commandWords, lockFile, type LockOwner } from '../../../src/engine/store/lock.js';
import type { StatePaths } from '../../../src/engine/store/paths.js';
import { NODE, withHome } from './helpers.js';

const CHILD = path.join(import.meta.dirname, 'fixtures', 'lock-child.ts');

function deadPid(): number {
  const r = spawnSync(NODE, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

async function plantLock(paths: StatePaths, owner: Partial<LockOwner>): Promise<void> {
  const full: LockOwner = { pid: 1, host: hostname(), startedAt: 0, command: 'planted', token: 'planted-token', ...owner };
  await writeFile(lockFile(paths, 'shared.test'), JSON.stringify(full), { flag: 'w' });
}

function startChild(args: string[]): ChildProcess {
  return spawn(NODE, ['--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
}

async function lineFrom(child: ChildProcess): Promise<string> {
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return chunk.toString().trim();
}

async function reap(children: ChildProcess[]): Promise<void> {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
}

describe('acquireLock in one process', () => {
  it('records the owner, refuses a second taker with who/since and --wait, and releases', async () => {
    await withHome(async (paths) => {
      const clock = new ManualClock();
      await mkdir(paths.locksDir, { recursive: true });
      const lock = await acquireLock(paths, 'shared.test', { wait: false, clock, command: 'certdeck renew' });
      const owner = JSON.parse(await readFile(lock.file, 'utf8')) as LockOwner;
      assert.equal(owner.pid, process.pid);
      assert.equal(owner.host, hostname());
      assert.equal(owner.startedAt, clock.now());
      assert.equal(owner.command, 'certdeck renew');
      await assert.rejects(acquireLock(paths, 'shared.test', { wait: false, clock }), (e: unknown) => {
        assert.ok(e instanceof LockHeldError);
        assert.match(e.message, new RegExp(`pid ${process.pid} on ${hostname()}, since 2026-01-01T00:00:00.000Z, running "certdeck renew"`));
        assert.match(e.hint ?? '', /--wait/);
        return true;
      });
      await lock.release();
      await lock.release(); // idempotent
      assert.deepEqual(await readdir(paths.locksDir), []);
    });
  });

  it('records only the leading words of the command line, never flags that may hold secrets', () => {
    assert.equal(commandWords(['issue', 'example.com', '--eab-hmac-key', 'SECRET']), 'certdeck issue example.com');
    assert.equal(commandWords(['--eab-hmac-key', 'SECRET', 'renew']), 'certdeck');
  });

  it('waits on the injected clock and gets the lock once it is released', async () => {
    await withHome(async (paths) => {
      const clock = new ManualClock();
      const first = await acquireLock(paths, 'shared.test', { wait: false, clock });
      const waitedFor: Array<LockOwner | undefined> = [];
      let got = false;
      const second = acquireLock(paths, 'shared.test', { wait: true, clock, pollMs: 1000, onWait: (o) => waitedFor.push(o) }).then((l) => {
        got = true;
        return l;
      });
      await clock.untilSleeping();
      await clock.advance(1000);
      await clock.untilSleeping();
      assert.equal(got, false);
      assert.equal(waitedFor[0]?.pid, process.pid);
      await first.release();
      await clock.advance(1000);
      const lock = await second;
      assert.equal(got, true);
      assert.ok(waitedFor.length >= 2);
      await lock.release();
    });
  });

  it('stops waiting when the signal aborts', async () => {
    await withHome(async (paths) => {
      const clock = new ManualClock();
      const held = await acquireLock(paths, 'shared.test', { wait: false, clock });
      const ac = new AbortController();
      const waiting = acquireLock(paths, 'shared.test', { wait: true, clock, signal: ac.signal });
      await clock.untilSleeping();
      ac.abort('operator cancelled');
      await assert.rejects(waiting, (e: unknown) => e instanceof CancelledError && e.message === 'operator cancelled');
      await held.release();
    });
  });

  it('takes over a lock whose pid is dead on this host', async () => {
    await withHome(async (paths) => {
      await mkdir(paths.locksDir, { recursive: true });
      await plantLock(paths, { pid: deadPid() });
      const lock = await acquireLock(paths, 'shared.test', { wait: false, clock: new ManualClock() });
      assert.equal((JSON.parse(await readFile(lock.file, 'utf8')) as LockOwner).pid, process.pid);
      await lock.release();
      assert.deepEqual(await readdir(paths.locksDir), [], 'no stale or break files left');
    });
  });

  it('judges another host by age only', async () => {
    await withHome(async (paths) => {
      const clock = new ManualClock();
      await mkdir(paths.locksDir, { recursive: true });
      await plantLock(paths, { host: 'elsewhere.invalid', pid: process.pid, startedAt: clock.now() - 60 * 60_000 });
      await assert.rejects(acquireLock(paths, 'shared.test', { wait: false, clock }), LockHeldError);
      await plantLock(paths, { host: 'elsewhere.invalid', pid: process.pid, startedAt: clock.now() - 3 * 60 * 60_000 });
      const lock = await acquireLock(paths, 'shared.test', { wait: false, clock });
      await lock.release();
      await plantLock(paths, { host: 'elsewhere.invalid', startedAt: clock.now() - 20 * 60_000 });
      const early = await acquireLock(paths, 'shared.test', { wait: false, clock, staleAfterMs: 10 * 60_000 });
      await early.release();
    });
  });

  it('treats a garbled lock file as stale, and release leaves a lock that is no longer ours', async () => {
    await withHome(async (paths) => {
      const clock = new ManualClock();
      await mkdir(paths.locksDir, { recursive: true });
      await writeFile(lockFile(paths, 'shared.test'), 'garbage');
      const lock = await acquireLock(paths, 'shared.test', { wait: false, clock });
      await plantLock(paths, { pid: process.pid, token: 'someone-else' });
      await lock.release();
      assert.equal((JSON.parse(await readFile(lockFile(paths, 'shared.test'), 'utf8')) as LockOwner).token, 'someone-else');
    });
  });
});

describe('acquireLock across processes', () => {
  it('serializes three waiting processes: no two inside at once', async () => {
    await withHome(async (paths, root) => {
      const log = path.join(root, 'log.txt');
      await writeFile(log, '');
      const children = ['a', 'b', 'c'].map((id) => startChild(['contend', root, id, log, '3']));
      try {
        const codes = await Promise.all(children.map(async (c) => (c.exitCode ?? (await once(c, 'exit'))[0]) as number));
        assert.deepEqual(codes, [0, 0, 0]);
      } finally {
        await reap(children);
      }
      const lines = (await readFile(log, 'utf8')).trim().split('\n');
      assert.equal(lines.length, 18);
      for (let i = 0; i < lines.length; i += 2) {
        const [enter, exit] = [lines[i]!, lines[i + 1]!];
        assert.match(enter, /^enter /);
        assert.equal(exit, enter.replace('enter', 'exit'), `overlap at line ${i}: ${lines.join(' | ')}`);
      }
      assert.deepEqual(await readdir(paths.locksDir), []);
    });
  });

  it('lets exactly one of several processes take over a stale lock', async () => {
    await withHome(async (paths, root) => {
      await mkdir(paths.locksDir, { recursive: true });
      await plantLock(paths, { pid: deadPid() });
      const children = ['1', '2', '3', '4'].map((id) => startChild(['race', root, id]));
      try {
        for (const c of children) assert.equal(await lineFrom(c), 'ready');
        for (const c of children) c.stdin!.write('go\n');
        const results = await Promise.all(children.map(lineFrom));
        assert.equal(results.filter((r) => r === 'won').length, 1, results.join(' | '));
        for (const r of results.filter((x) => x !== 'won')) assert.match(r, /^held .*running "racer \d"/);
        await Promise.all(children.map(async (c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
      } finally {
        await reap(children);
      }
      assert.deepEqual(await readdir(paths.locksDir), []);
    });
  });

  it('recovers the lock of a process that was killed while holding it', async () => {
    await withHome(async (paths, root) => {
      const holder = startChild(['hold', root]);
      try {
        assert.equal(await lineFrom(holder), 'locked');
        await assert.rejects(acquireLock(paths, 'shared.test', { wait: false, clock: new ManualClock() }), LockHeldError);
        holder.kill('SIGKILL');
        await once(holder, 'exit');
        const lock = await acquireLock(paths, 'shared.test', { wait: false, clock: new ManualClock() });
        await lock.release();
      } finally {
        await reap([holder]);
      }
    });
  });
});
