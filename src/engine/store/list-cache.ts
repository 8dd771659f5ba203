import { statSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CertificateSummary } from '../events.js';
import { ensureDir, uniqueTempName } from './atomic.js';
import type { StatePaths } from './paths.js';

/**
 * What listCertificates verified last time, so `certdeck list` over thousands of certificates does not parse every
 * certificate and key again. An entry is used only while the files it was verified from are exactly the files on
 * disk now: same inode, size, mtime and ctime for meta.json, cert.pem and privkey.pem (ctime cannot be set back by
 * a user, so a file rewritten in place and given its old mtime still misses). Anything else is verified in full, as
 * without the cache; broken certificates are never cached, so they show as broken on every listing. The cache is an
 * optimisation only: unreadable, damaged or from another version, it is ignored and rewritten.
 */
const FORMAT = 1;

interface CacheFile {
  format: number;
  entries: Record<string, { sig: string; summary: CertificateSummary }>;
}

export interface ListCache {
  /** The summary verified for exactly these files, if any. */
  lookup(certName: string, sig: string | undefined): CertificateSummary | undefined;
  remember(certName: string, sig: string | undefined, summary: CertificateSummary): void;
  /** Writes the cache when it changed (new, changed or removed entries). Never throws. */
  save(): Promise<void>;
}

export function listCachePath(paths: StatePaths): string {
  return path.join(path.dirname(paths.liveDir), 'cache', 'list.json');
}

/**
 * The identity of a certificate's files right now, or undefined when one cannot be stat'ed (then nothing is
 * cached for it). statSync: tens of thousands of async stats would cost more in thread-pool round trips.
 */
export function filesSignature(files: { meta: string; cert: string; privkey: string }): string | undefined {
  const parts: string[] = [];
  for (const file of [files.meta, files.cert, files.privkey]) {
    let st;
    try {
      st = statSync(file);
    } catch {
      return undefined;
    }
    parts.push(`${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`);
  }
  return parts.join('|');
}

export async function openListCache(paths: StatePaths, names: readonly string[]): Promise<ListCache> {
  const file = listCachePath(paths);
  let old: CacheFile['entries'] = {};
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheFile>;
    if (parsed.format === FORMAT && parsed.entries && typeof parsed.entries === 'object') old = parsed.entries;
  } catch {
    // Absent or damaged: start empty.
  }
  const next: CacheFile['entries'] = {};
  let changed = names.length !== Object.keys(old).length;
  return {
    lookup(certName, sig) {
      const hit = sig !== undefined ? old[certName] : undefined;
      if (!hit || hit.sig !== sig || typeof hit.summary !== 'object' || hit.summary === null) return undefined;
      next[certName] = hit;
      return hit.summary;
    },
    remember(certName, sig, summary) {
      if (sig === undefined) return;
      next[certName] = { sig, summary };
      changed = true;
    },
    async save() {
      if (!changed && Object.keys(next).length === Object.keys(old).length) return;
      try {
        await ensureDir(path.dirname(file));
        // Renamed into place (a reader never sees half a file) but not fsynced: a cache lost in a crash is only
        // rebuilt, and an fsync per listing made every request of a large --each run wait on the disk.
        const temp = path.join(path.dirname(file), uniqueTempName(path.basename(file)));
        try {
          await writeFile(temp, JSON.stringify({ format: FORMAT, entries: next } satisfies CacheFile), { mode: 0o600 });
          await rename(temp, file);
        } catch (err) {
          await rm(temp, { force: true });
          throw err;
        }
      } catch {
        // A read-only home (list by a monitoring user) lists as before, only without the shortcut next time.
      }
    },
  };
}
