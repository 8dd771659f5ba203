import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../core/errno.js';
import { StorageError } from '../core/errors.js';

/**
 * Durable, all-or-nothing file writes: certdeck's one way to replace a file, for its own state and for the files it
 * writes elsewhere (deploy targets, webroot challenges, the sandbox CA). A reader sees the old content or the new,
 * never a mix or a truncated file, and a crash at any point leaves at worst a stray temp file next to an intact
 * original: the data goes to a temp file in the same directory (same file system, so rename is atomic), is fsynced,
 * and is renamed over the old file; then the directory is fsynced so the rename survives a crash.
 */

export { errnoCode };

export interface AtomicWriteOptions {
  /** Final permission bits; the temp file is 0600 until they are applied, so a secret is never briefly world-readable. @default 0o600 */
  mode?: number;
  /** Permission bits for parent directories this call creates. @default 0o700 */
  dirMode?: number;
}

/** Permission bits and, optionally, the owner a staged file gets before any data is in it. */
export interface FileOptions {
  /** Applied with fchmod, so the umask cannot loosen or tighten them. */
  mode: number;
  uid?: number;
  gid?: number;
}

/** A complete, fsynced temp file waiting to be renamed over `finalPath`. */
export interface StagedFile {
  tempPath: string;
  finalPath: string;
}

let tempCounter = 0;

/** A name no other writer (in this process or another) can pick: pid + counter + randomness. */
export function uniqueTempName(base: string): string {
  tempCounter += 1;
  return `.${base}.${process.pid}.${tempCounter}.${randomBytes(4).toString('hex')}.tmp`;
}

/**
 * Writes `data` to a temp file next to `finalPath`, with its final mode and owner, and fsyncs it. Staging and
 * committing are separate so a caller can prepare several files and replace none of them when one cannot be
 * written. Errors are node's own (callers explain the errno in their terms); no temp file is left behind.
 */
export async function stageFile(finalPath: string, data: string | Uint8Array, opts: FileOptions): Promise<StagedFile> {
  const tempPath = path.join(path.dirname(finalPath), uniqueTempName(path.basename(finalPath)));
  try {
    await writeDurably(tempPath, data, opts.mode, opts);
  } catch (err) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw err;
  }
  return { tempPath, finalPath };
}

/** Renames every staged file into place, then fsyncs each directory so the renames survive a crash. */
export async function commitStaged(files: readonly StagedFile[]): Promise<void> {
  for (const f of files) await rename(f.tempPath, f.finalPath);
  for (const dir of new Set(files.map((f) => path.dirname(f.finalPath)))) await fsyncDir(dir);
}

/** Removes staged temp files that will not be committed. */
export async function discardStaged(files: readonly StagedFile[]): Promise<void> {
  await Promise.all(files.map((f) => unlink(f.tempPath).catch(() => undefined)));
}

/**
 * Replaces one file atomically in an existing directory, with node's errors (for files outside the certdeck home,
 * whose callers word the failure themselves). Nothing is left behind when it fails.
 */
export async function replaceFile(finalPath: string, data: string | Uint8Array, opts: FileOptions): Promise<void> {
  const staged = await stageFile(finalPath, data, opts);
  try {
    await commitStaged([staged]);
  } catch (err) {
    await discardStaged([staged]);
    throw err;
  }
}

/** The store's write: creates missing parent directories and reports failures as a StorageError naming the path. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  await ensureDir(path.dirname(file), opts.dirMode ?? 0o700);
  try {
    await replaceFile(file, data, { mode: opts.mode ?? 0o600 });
  } catch (err) {
    throw storageError(err, file, 'write');
  }
}

/**
 * Creates `file` exclusively (fails if it exists), gives it its owner and mode, writes and fsyncs it. It is created
 * 0600 and only then chown'ed and fchmod'ed (in that order: chown clears set-id bits), so the data never sits in a
 * file more open than asked, and the umask cannot make it stricter than asked either.
 */
export async function writeDurably(file: string, data: string | Uint8Array, mode: number, owner: { uid?: number; gid?: number } = {}): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    if (owner.uid !== undefined || owner.gid !== undefined) await handle.chown(owner.uid ?? -1, owner.gid ?? -1);
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
    await mkdir(dir, { recursive: true, mode }).catch(async (err: unknown) => {
      // A recursive mkdir on a read-only file system reports ENOENT; a plain one says what really happened (EROFS).
      throw await mkdir(dir, { mode }).then(() => err, (real: unknown) => real);
    });
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
