import type { Clock } from '../core/clock.js';
import { BugError } from '../core/errors.js';

/**
 * Where certdeck's state lives, as two seams (CertMagic's Storage and Locker are the model): a key/value `Storage`
 * with path-like keys, and a `Locker` that serializes work on one certificate. The file backend keeps today's
 * layout (a key is a path under the state home); the Redis backend (store/redis/) lets a fleet of nodes share it.
 *
 * Keys use `/`, have no leading or trailing slash, no empty, `.` or `..` segment:
 *   accounts/<ca-slug>/<email|default>/{account.json,account.key,eab-hmac.key}
 *   requests/<name>.json       journal/<name>.json       journal/<name>.<startedAt>.key
 * Secrets are stored with `{ secret: true }`: 0600 files, encrypted at rest in Redis.
 */

export interface KeyInfo {
  key: string;
  /** ms since epoch of the last store. */
  modified: number;
  size: number;
  /** false for a "directory" (a prefix with keys under it). */
  isTerminal: boolean;
}

export interface StoreOptions {
  /** A private key or another secret: a 0600 file; encrypted at rest by a shared backend (or refused there). */
  secret?: boolean;
}

export interface StorageInfo {
  kind: 'file' | 'redis';
  /** Where, for people: the state home, or the Redis URL with its password redacted. */
  location: string;
  /** Whether secrets are encrypted at rest (always false for files: they rely on 0600). */
  encryptedSecrets: boolean;
}

export interface Storage {
  info(): StorageInfo;
  /** Where a key lives, for messages and hints (a file path, or the Redis key). */
  locate(key: string): string;
  /** Replaces the value atomically: a reader sees the old value or the new one, never a mix. */
  store(key: string, value: string, opts?: StoreOptions): Promise<void>;
  /** The value, or undefined when the key does not exist. */
  load(key: string): Promise<string | undefined>;
  /** Deleting a key that does not exist is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /**
   * Keys directly under `prefix` (the last segment only, sorted; "directories" included), or every key below it
   * (full keys) with `recursive`. A missing prefix lists nothing.
   */
  list(prefix: string, opts?: { recursive?: boolean }): Promise<string[]>;
  stat(key: string): Promise<KeyInfo | undefined>;
  /**
   * Calls `onKey` with each key another writer (or this one) changed, until `signal` aborts. Only a shared backend
   * has it; files change under one machine's eyes.
   */
  watch?(onKey: (key: string) => void, signal: AbortSignal): Promise<void>;
  /** Gives back connections; later calls fail. */
  close(): Promise<void>;
}

/** What a lock guards: ordering the certificate (the default) or deploying it; each has its own lock. */
export type LockPurpose = 'issue' | 'deploy';

export interface LockOwner {
  pid: number;
  host: string;
  /** ms since epoch (the owner's clock). */
  startedAt: number;
  command: string;
  /** Random per acquisition: tells our lock from a newer one of the same name. */
  token: string;
}

export interface LockRequest {
  /** Queue behind a live owner instead of failing at once. */
  wait: boolean;
  signal?: AbortSignal;
  clock: Clock;
  purpose?: LockPurpose;
  /** What the owner is doing, shown to whoever finds the lock held. */
  command?: string;
  /** Called once per poll while waiting, so a view can say who we are waiting for. */
  onWait?: (owner: LockOwner | undefined) => void;
  /** Poll interval while waiting. */
  pollMs?: number;
}

export interface LockHandle {
  readonly owner: LockOwner;
  /** Where the lock is (a file, a Redis key), for messages. */
  readonly where: string;
  /**
   * A number that grows with every acquisition of this lock (a fencing token). A shared backend refuses writes
   * made under an older one; the file backend has none (one machine, and a live pid never loses its lock).
   */
  readonly fence?: number;
  /** Idempotent; leaves alone a lock that is no longer ours. */
  release(): Promise<void>;
}

export interface Locker {
  lock(certName: string, req: LockRequest): Promise<LockHandle>;
  /** Whether someone alive holds the lock now (a follower of a history waits on this). */
  isHeld(certName: string, purpose?: LockPurpose): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Checks a key's shape (see the file comment). A bad key is a bug in certdeck, never user input: names that reach
 * a key were checked by names.ts before.
 */
export function assertKey(key: string): string {
  if (key === '' || key.startsWith('/') || key.endsWith('/') || key.includes('\\') || key.includes('\0') || key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new BugError(`not a storage key: ${JSON.stringify(key)}`);
  }
  return key;
}

/** `a/b` + `c` → `a/b/c`. */
export function joinKey(...parts: string[]): string {
  return assertKey(parts.join('/'));
}

/** The URL without its password, for anything a person or a log may see. */
export function redactUrl(spec: string): string {
  try {
    const u = new URL(spec);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return spec.replace(/\/\/[^@/]*@/, '//***@');
  }
}
