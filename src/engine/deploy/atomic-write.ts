import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Files are replaced by writing a temp file in the same directory (same file system, so rename is atomic), fsyncing
 * it, and renaming it over the old one: a reader (nginx on reload, another certdeck process) sees the old file or the
 * new one, never half of one. Staging and committing are separate so a target can prepare all its files first and
 * replace none of them when any one cannot be written.
 */

export interface FileOptions {
  /** Permission bits, applied with fchmod so the umask cannot loosen or tighten them. */
  mode: number;
  uid?: number;
  gid?: number;
}

export interface StagedFile {
  tempPath: string;
  finalPath: string;
}

export async function stageFile(finalPath: string, data: string | Uint8Array, opts: FileOptions): Promise<StagedFile> {
  const dir = path.dirname(finalPath);
  const tempPath = path.join(dir, `.${path.basename(finalPath)}.certdeck-${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never follow or reuse something already at the temp name. Created 0600 so a key is never readable by
  // others, not even between open and fchmod.
  const handle = await open(tempPath, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    if (opts.uid !== undefined || opts.gid !== undefined) {
      await handle.chown(opts.uid ?? -1, opts.gid ?? -1);
    }
    await handle.chmod(opts.mode);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(tempPath).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return { tempPath, finalPath };
}

/** Renames every staged file into place, then fsyncs each directory so the renames survive a crash. */
export async function commitStaged(files: readonly StagedFile[]): Promise<void> {
  for (const f of files) await rename(f.tempPath, f.finalPath);
  const dirs = new Set(files.map((f) => path.dirname(f.finalPath)));
  for (const dir of dirs) await syncDir(dir);
}

export async function discardStaged(files: readonly StagedFile[]): Promise<void> {
  await Promise.all(files.map((f) => unlink(f.tempPath).catch(() => undefined)));
}

export async function writeFileAtomic(finalPath: string, data: string | Uint8Array, opts: FileOptions): Promise<void> {
  const staged = await stageFile(finalPath, data, opts);
  try {
    await commitStaged([staged]);
  } catch (err) {
    await discardStaged([staged]);
    throw err;
  }
}

async function syncDir(dir: string): Promise<void> {
  // Some file systems refuse fsync on a directory; the rename itself already happened, so that is not a failure.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
