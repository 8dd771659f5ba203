import { constants } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../core/errno.js';

/**
 * The importers' only way into another client's files: opened O_RDONLY (and O_NOFOLLOW nowhere, since certbot's live/
 * is symlinks by design), never created, chmod'ed or touched. An import must leave certbot's, acme.sh's and lego's
 * directories byte-for-byte as they were.
 */

/** The file's text, or undefined when it does not exist. Other errors (EACCES: run as root?) are thrown. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Reads a file that must be there; a missing or unreadable one becomes a sentence for the plan. */
export async function readRequired(file: string, problems: string[], what: string): Promise<string | undefined> {
  try {
    const text = await readTextIfExists(file);
    if (text === undefined) problems.push(`${what} ${file} is missing`);
    return text;
  } catch (err) {
    problems.push(`${what} ${file} cannot be read (${errnoCode(err) ?? (err as Error).message}${errnoCode(err) === 'EACCES' ? ': run the import as the user that owns it, e.g. root' : ''})`);
    return undefined;
  }
}

/** Entry names of a directory (hidden ones left out), sorted; [] when it does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
    throw err;
  }
}

export async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

/** Every directory under `root` (depth-first, at most `depth` levels) that holds all of `files`. */
export async function findDirsWith(root: string, files: string[], depth: number): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, left: number): Promise<void> => {
    const names = await listDir(dir);
    if (files.every((f) => names.includes(f))) out.push(dir);
    if (left === 0) return;
    for (const n of names) {
      const sub = path.join(dir, n);
      if (await isDirectory(sub)) await walk(sub, left - 1);
    }
  };
  await walk(root, depth);
  return out;
}
