import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, removeFile, storageError, writeFileAtomic } from './atomic.js';
import { acquireLock, lockFile, lockHeldByLiveProcess } from './lock.js';
import type { StatePaths } from './paths.js';
import { assertKey, type KeyInfo, type LockHandle, type LockPurpose, type LockRequest, type Locker, type Storage, type StorageInfo, type StoreOptions } from './storage.js';

/**
 * The default Storage: a key is a path under the state home (the directory holding accounts/, journal/, live/ …),
 * so the layout is exactly what certdeck wrote before the seam existed. Every store is an atomic write (atomic.ts);
 * everything is 0600 (secrets and state alike: nobody else needs to read either).
 */
export class FileStorage implements Storage {
  readonly root: string;

  constructor(paths: StatePaths) {
    // Every data directory sits directly under one root (paths.ts); config.json may live elsewhere and is not ours.
    this.root = path.dirname(paths.accountsDir);
  }

  info(): StorageInfo {
    return { kind: 'file', location: this.root, encryptedSecrets: false };
  }

  locate(key: string): string {
    return path.join(this.root, ...assertKey(key).split('/'));
  }

  async store(key: string, value: string, _opts: StoreOptions = {}): Promise<void> {
    await writeFileAtomic(this.locate(key), value, { mode: 0o600 });
  }

  async load(key: string): Promise<string | undefined> {
    const file = this.locate(key);
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw storageError(err, file, 'read');
    }
  }

  async delete(key: string): Promise<void> {
    await removeFile(this.locate(key));
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  async list(prefix: string, opts: { recursive?: boolean } = {}): Promise<string[]> {
    const names = await this.readDir(prefix);
    if (!opts.recursive) return names;
    const out: string[] = [];
    for (const name of names) {
      const key = `${prefix}/${name}`;
      const info = await this.stat(key);
      if (info?.isTerminal) out.push(key);
      else if (info) out.push(...(await this.list(key, { recursive: true })));
    }
    return out;
  }

  async stat(key: string): Promise<KeyInfo | undefined> {
    const file = this.locate(key);
    try {
      const s = await stat(file);
      return { key, modified: s.mtimeMs, size: s.size, isTerminal: !s.isDirectory() };
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
      throw storageError(err, file, 'read');
    }
  }

  async close(): Promise<void> {
    // Nothing held open.
  }

  /** Entries of a directory without dot files (temp files of atomic writes, lock breaks), sorted. */
  private async readDir(prefix: string): Promise<string[]> {
    const dir = this.locate(prefix);
    try {
      return (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
      throw storageError(err, dir, 'read');
    }
  }
}

/** Today's lock files (lock.ts): a live pid on this host holds a lock for as long as it runs. */
export class FileLocker implements Locker {
  constructor(private readonly paths: StatePaths) {}

  async lock(certName: string, req: LockRequest): Promise<LockHandle> {
    const held = await acquireLock(this.paths, certName, {
      wait: req.wait,
      clock: req.clock,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.purpose ? { purpose: req.purpose } : {}),
      ...(req.command ? { command: req.command } : {}),
      ...(req.onWait ? { onWait: req.onWait } : {}),
      ...(req.pollMs ? { pollMs: req.pollMs } : {}),
    });
    return { owner: held.owner, where: held.file, release: () => held.release() };
  }

  isHeld(certName: string, purpose: LockPurpose = 'issue'): Promise<boolean> {
    return lockHeldByLiveProcess(this.paths, certName, purpose);
  }

  where(certName: string, purpose: LockPurpose = 'issue'): string {
    return lockFile(this.paths, certName, purpose);
  }

  async close(): Promise<void> {
    // Lock files are released by their holders.
  }
}

const fileStorages = new WeakMap<StatePaths, FileStorage>();

/**
 * The store modules take a Storage; callers that only have a StatePaths (file-only tools, tests written before
 * the seam) get the file backend for it.
 */
export type StorageLike = Storage | StatePaths;

export function storageOf(s: StorageLike): Storage {
  if ('store' in s) return s;
  let found = fileStorages.get(s);
  if (!found) {
    found = new FileStorage(s);
    fileStorages.set(s, found);
  }
  return found;
}
