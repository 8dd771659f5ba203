import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../store/atomic.js';

/** Small read-only file facts for the offline checks; every miss is a value, never a throw. */

export async function modeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mode & 0o777;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

export function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/** Readable or writable by anyone but the owner. */
export function opensToOthers(mode: number): boolean {
  return (mode & 0o077) !== 0;
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
    throw err;
  }
}

/** Every secret file in the state home: account keys, EAB HMAC keys, pending order keys. */
export async function secretFiles(accountsDir: string, journalDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const ca of await listDir(accountsDir)) {
    for (const who of await listDir(path.join(accountsDir, ca))) {
      for (const f of ['account.key', 'eab-hmac.key']) out.push(path.join(accountsDir, ca, who, f));
    }
  }
  for (const f of await listDir(journalDir)) if (f.endsWith('.key')) out.push(path.join(journalDir, f));
  return out;
}
