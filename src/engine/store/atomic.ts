import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '../core/errors.js';

/**
 * Durable, all-or-nothing file writes. A reader sees the old content or the new, never a mix or a truncated file,
 * and a crash at any point leaves at worst a stray temp file next to an intact original.
 */

export interface AtomicWriteOptions {
  /** Final permission bits; the temp file has them from its creation, so a secret is never briefly world-readable. @default 0o600 */
  mode?: number;
  /** Permission bits for parent directories this call creates. @default 0o700 */
  dirMode?: number;
}

let tempCounter = 0;

/** A name no other writer (in this process or another) can pick: pid + counter + randomness. */
export function uniqueTempName(base: string): string {
  tempCounter += 1;
  return `.${base}.${process.pid}.${tempCounter}.${randomBytes(4).toString('hex')}.tmp`;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const mode = opts.mode ?? 0o600;
  const dir = path.dirname(file);
  await ensureDir(dir, opts.dirMode ?? 0o700);
  const temp = path.join(dir, uniqueTempName(path.basename(file)));
  try {
    await writeDurably(temp, data, mode);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw storageError(err, file, 'write');
  }
  await fsyncDir(dir);
}

/**
 * Creates `file` exclusively (fails if it exists), writes and fsyncs it. `mode` is given to open() so the file is
 * never more permissive than asked, then fchmod'ed so the umask cannot make it stricter than asked either.
 */
export async function writeDurably(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  const handle = await open(file, 'wx', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** mkdir -p with a mode for the directories it creates (existing ones are left alone). */
export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode });
  } catch (err) {
    throw storageError(err, dir, 'create');
  }
}

/** Makes a rename or unlink in `dir` durable. Some platforms cannot fsync a directory; that is not an error. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EPERM/EINVAL on platforms without directory fsync: the rename itself already happened.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Removes a file; a missing file is fine (the goal is that it does not exist). */
export async function removeFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw storageError(err, file, 'delete');
  }
}

export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Turns a file-system error into a StorageError that names the path and says what to do about it. */
export function storageError(err: unknown, file: string, action: 'read' | 'write' | 'create' | 'delete' | 'rename'): StorageError {
  if (err instanceof StorageError) return err;
  const code = errnoCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new StorageError(
        `certdeck cannot ${action} ${file}: permission denied.`,
        `Fix the permissions of ${path.dirname(file)} (it should belong to the user running certdeck), or set CERTDECK_HOME to a directory you own.`,
        err,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new StorageError(`certdeck cannot ${action} ${file}: the disk is full.`, 'Free some space and run the command again; nothing was half-written.', err);
    case 'EROFS':
      return new StorageError(`certdeck cannot ${action} ${file}: the file system is read-only.`, 'Set CERTDECK_HOME to a writable directory.', err);
    case 'ENOTDIR':
    case 'EEXIST':
      return new StorageError(
        `certdeck cannot ${action} ${file}: something in the way is a file where a directory should be (or the reverse).`,
        `Look at ${path.dirname(file)} and move the unexpected entry aside.`,
        err,
      );
    default:
      return new StorageError(`certdeck cannot ${action} ${file}: ${detail}`, 'Check the disk and the permissions of the certdeck home, then retry.', err);
  }
}
