import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { throwIfAborted } from '../core/clock.js';
import { LockHeldError } from '../core/errors.js';
import { assertCertName } from '../names.js';
import { ensureDir, errnoCode, removeFile, storageError, uniqueTempName, writeDurably } from './atomic.js';
import type { StatePaths } from './paths.js';
import { pidAlive } from './pid.js';
import type { LockOwner, LockPurpose } from './storage.js';

/**
 * One process per certificate at a time (cron renewals, the TUI, a second shell): `locks/<name>.lock` holds who
 * owns it. Two processes working one order is how 403 orderNotReady and duplicate orders happen.
 *
 * The lock file is created exclusively. Rather than open(O_EXCL) and then write, we write a complete temp file and
 * link(2) it into place: link fails with EEXIST just as O_EXCL does, and a reader can never see an empty or
 * half-written lock, so an unreadable lock file is never one of ours in progress.
 */

export type { LockOwner, LockPurpose };

export interface LockOptions {
  /** Queue behind a live owner instead of failing at once. */
  wait: boolean;
  signal?: AbortSignal;
  clock: Clock;
  /** A lock from another host older than this is taken over (its pid cannot be checked from here). @default 2 h */
  staleAfterMs?: number;
  /** Poll interval while waiting. @default 500 */
  pollMs?: number;
  /** What the owner is doing, shown to whoever finds the lock held. @default "certdeck" + the leading non-flag arguments */
  command?: string;
  /** Called once per poll while waiting, so a view can say who we are waiting for. */
  onWait?: (owner: LockOwner | undefined) => void;
  /** What the lock guards: ordering the certificate (the default) or deploying it; each has its own lock. */
  purpose?: LockPurpose;
}

export interface HeldLock {
  readonly file: string;
  readonly owner: LockOwner;
  /** Idempotent; leaves alone a lock that is no longer ours. */
  release(): Promise<void>;
}

export const DEFAULT_STALE_AFTER_MS = 2 * 60 * 60 * 1000;
/** A break lock is held for a few file operations; older than this, its holder died mid-break. */
const BREAK_STALE_AFTER_MS = 30_000;
const MAX_CONTENDED_BREAKS = 100;

/** Deploy locks live in a directory of their own: certificate names contain dots, so no suffix could keep apart. */
export function lockFile(paths: StatePaths, certName: string, purpose: LockPurpose = 'issue'): string {
  return purpose === 'issue' ? path.join(paths.locksDir, `${certName}.lock`) : path.join(paths.locksDir, purpose, `${certName}.lock`);
}

export async function acquireLock(paths: StatePaths, certName: string, opts: LockOptions): Promise<HeldLock> {
  assertCertName(certName);
  const file = lockFile(paths, certName, opts.purpose);
  const staleAfterMs = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  await ensureDir(paths.locksDir, 0o700);
  await ensureDir(path.dirname(file), 0o700);
  let contendedBreaks = 0;
  for (;;) {
    throwIfAborted(opts.signal);
    const me: LockOwner = {
      pid: process.pid,
      host: hostname(),
      startedAt: opts.clock.now(),
      command: opts.command ?? commandWords(process.argv.slice(2)),
      token: randomBytes(8).toString('hex'),
    };
    if (await tryCreate(file, me)) return heldLock(file, me);

    const found = await readOwner(file);
    if (found.state === 'gone') continue; // released between our attempt and our read: try again at once
    let owner = found.state === 'owned' ? found.owner : undefined;
    if (isStale(found, opts.clock.now(), staleAfterMs)) {
      if (await breakStale(file, found, opts.clock.now())) continue;
      // Another process is breaking it right now and is about to own it: look again (each look is a few file
      // operations, enough for a break to finish) rather than report the dead owner as the holder.
      if (++contendedBreaks < MAX_CONTENDED_BREAKS) continue;
      owner = undefined;
    }
    if (!opts.wait) throw heldError(file, certName, owner);
    opts.onWait?.(owner);
    await opts.clock.sleep(opts.pollMs ?? 500, opts.signal);
  }
}

export type Found = { state: 'gone' } | { state: 'garbled' } | { state: 'owned'; owner: LockOwner };

async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  const temp = path.join(path.dirname(file), uniqueTempName(path.basename(file)));
  try {
    await writeDurably(temp, `${JSON.stringify(owner)}\n`, 0o644);
    await link(temp, file);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw storageError(err, file, 'create');
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

export async function readOwner(file: string): Promise<Found> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { state: 'gone' };
    throw storageError(err, file, 'read');
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.startedAt === 'number' && typeof o.token === 'string') {
      return { state: 'owned', owner: { pid: o.pid, host: o.host, startedAt: o.startedAt, command: String(o.command ?? ''), token: o.token } };
    }
  } catch {
    // fall through: not ours
  }
  return { state: 'garbled' };
}

/**
 * Stale means: the owner's pid is dead on this host, or the lock is from another host and older than staleAfterMs.
 * A garbled file cannot be one of ours (we link complete files), so it is stale too.
 */
export function isStale(found: Found, now: number, staleAfterMs: number): boolean {
  if (found.state !== 'owned') return found.state === 'garbled';
  const { owner } = found;
  if (owner.host === hostname()) return !pidAlive(owner.pid);
  return now - owner.startedAt > staleAfterMs;
}

/**
 * Takes a stale lock away so that two takers cannot both win. Breakers serialize on a second lock (`.break`), and
 * under it rename the lock file aside and check that what they moved is still the stale owner they judged: if a
 * live owner slipped in, it is put back. Only then is the stale file deleted and the normal create retried.
 */
async function breakStale(file: string, judged: Found, now: number): Promise<boolean> {
  const breakFile = `${file}.break`;
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: now, command: 'break stale lock', token: randomBytes(8).toString('hex') };
  if (!(await tryCreate(breakFile, me))) {
    const other = await readOwner(breakFile);
    if (isStale(other, now, BREAK_STALE_AFTER_MS) || other.state === 'gone') {
      await removeIfSame(breakFile, other);
      return true; // the break lock itself was abandoned (or just released): go round again
    }
    return false;
  }
  try {
    const current = await readOwner(file);
    if (!sameLock(current, judged)) return true; // changed under us: re-read and judge again
    const aside = path.join(path.dirname(file), uniqueTempName(`${path.basename(file)}.stale`));
    try {
      await rename(file, aside);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return true;
      throw storageError(err, file, 'rename');
    }
    const moved = await readOwner(aside);
    if (!sameLock(moved, judged)) {
      // Not the stale lock after all: restore it. link() refuses if a third process took the path meanwhile.
      await link(aside, file).catch(() => undefined);
    }
    await rm(aside, { force: true });
    return true;
  } finally {
    await removeIfSame(breakFile, { state: 'owned', owner: me });
  }
}

function sameLock(a: Found, b: Found): boolean {
  if (a.state === 'owned' && b.state === 'owned') return a.owner.token === b.owner.token;
  return a.state === 'garbled' && b.state === 'garbled';
}

async function removeIfSame(file: string, expected: Found): Promise<void> {
  const now = await readOwner(file);
  if (sameLock(now, expected)) await removeFile(file);
}

function heldLock(file: string, owner: LockOwner): HeldLock {
  let released = false;
  return {
    file,
    owner,
    async release() {
      if (released) return;
      released = true;
      await removeIfSame(file, { state: 'owned', owner });
    },
  };
}

/** Only the leading words ("certdeck renew example.com"): flags may carry secrets (--eab-hmac-key) and the lock is readable. */
export function commandWords(args: string[]): string {
  const words: string[] = [];
  for (const a of args) {
    if (a.startsWith('-') || words.length === 3) break;
    words.push(a);
  }
  return ['certdeck', ...words].join(' ');
}

/** Who holds a lock, for messages: "pid 42 on host, since …, running "certdeck issue …"". */
export function describeLockOwner(owner: LockOwner | undefined): string {
  return owner
    ? `pid ${owner.pid} on ${owner.host}, since ${new Date(owner.startedAt).toISOString()}${owner.command ? `, running "${owner.command}"` : ''}`
    : 'an unknown process';
}

function heldError(file: string, certName: string, owner: LockOwner | undefined): LockHeldError {
  const who = describeLockOwner(owner);
  return new LockHeldError(
    `Certificate ${certName} is being worked on by another certdeck (${who}).`,
    `Use --wait to queue behind it, or stop that process. If it is gone for good, delete ${file}.`,
  );
}

/** Whether a live process holds the certificate's lock now (what a follower of its history waits on). */
export async function lockHeldByLiveProcess(paths: StatePaths, certName: string, purpose: LockPurpose = 'issue'): Promise<boolean> {
  const found = await readOwner(lockFile(paths, certName, purpose));
  return found.state === 'owned' && !isStale(found, Date.now(), DEFAULT_STALE_AFTER_MS);
}
