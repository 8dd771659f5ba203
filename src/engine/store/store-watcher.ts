import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../core/clock.js';

/**
 * Notices changes other processes make to the state home (a cron renewal, `certdeck issue` in another shell, a
 * deploy): the certificates (live/), the order journals (renewal failures) and the deploy results. fs.watch makes
 * it quick where the platform delivers events; a cheap stat of every file, at most every `pollMs`, makes it sure
 * where it does not (network file systems, a directory that did not exist yet when watching began). Either way a
 * change is only reported when the files' sizes and times really differ, so a burst of writes is one change.
 */
export interface StoreWatcherOptions {
  dirs: readonly string[];
  clock: Clock;
  /** How often the stat fallback looks. @default 1000 */
  pollMs?: number;
  /** How long to let a burst of writes settle after an fs event before looking. @default 100 */
  settleMs?: number;
  onChange: () => Promise<void> | void;
  /** Errors of onChange (the watcher keeps going). */
  onError?: (err: unknown) => void;
}

export class StoreWatcher {
  private readonly stop = new AbortController();
  private readonly watchers: FSWatcher[] = [];
  private kick: AbortController | undefined;
  private readonly done: Promise<void>;

  constructor(private readonly opts: StoreWatcherOptions) {
    this.done = this.run();
  }

  /** Stops watching; resolves once the loop has ended. */
  close(): Promise<void> {
    this.stop.abort();
    this.kick?.abort();
    for (const w of this.watchers.splice(0)) w.close();
    return this.done;
  }

  private watchDirs(): void {
    if (this.watchers.length || this.stop.signal.aborted) return;
    for (const dir of this.opts.dirs) {
      try {
        // Recursive: a certificate is rewritten inside live/<name>/, not in live/ itself.
        const w = watch(dir, { recursive: true, persistent: false }, () => this.kick?.abort());
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // Not there yet (fresh home) or not watchable: the stat fallback covers it.
      }
    }
  }

  private async run(): Promise<void> {
    const { clock } = this.opts;
    let last = await signature(this.opts.dirs);
    this.watchDirs();
    while (!this.stop.signal.aborted) {
      this.kick = new AbortController();
      const woken = AbortSignal.any([this.stop.signal, this.kick.signal]);
      const byEvent = await clock.sleep(this.opts.pollMs ?? 1000, woken).then(
        () => false,
        () => true,
      );
      if (this.stop.signal.aborted) break;
      if (byEvent) await clock.sleep(this.opts.settleMs ?? 100, this.stop.signal).catch(() => undefined);
      if (this.stop.signal.aborted) break;
      const now = await signature(this.opts.dirs);
      // A directory that appeared since (live/ after the first certificate) is watched from now on.
      if (this.watchers.length < this.opts.dirs.length) {
        for (const w of this.watchers.splice(0)) w.close();
        this.watchDirs();
      }
      if (now === last) continue;
      last = now;
      try {
        await this.opts.onChange();
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }
}

/** Name, size and modification time of every file under the directories, two levels deep: cheap, and enough. */
async function signature(dirs: readonly string[]): Promise<string> {
  const parts: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      parts.push(`${dir}:absent`);
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() || e.isSymbolicLink()) {
        if (depth > 0) await visit(p, depth - 1);
        else parts.push(p);
        continue;
      }
      const s = await stat(p).catch(() => undefined);
      parts.push(s ? `${p}:${s.size}:${s.mtimeMs}:${s.ino}` : `${p}:gone`);
    }
  };
  for (const dir of dirs) await visit(dir, 1);
  return parts.join('\n');
}
