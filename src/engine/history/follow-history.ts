import type { Clock } from '../core/clock.js';
import type { HistoryRecord } from '../history-view.js';
import { historyFileState, readHistoryFile } from '../store/history.js';
import { FileLocker } from '../store/file-storage.js';
import type { Locker } from '../store/storage.js';
import type { StatePaths } from '../store/paths.js';

export interface FollowOptions {
  /** The order to follow; default: the certificate's last order if it is still running, else the next one to start. */
  orderId?: string;
  signal: AbortSignal;
  onRecord: (record: HistoryRecord) => void;
  /** Told once when there is nothing running yet and the follower waits for an order to start. */
  onWaiting?: (message: string) => void;
  /** How often the file is checked. @default 250 */
  pollMs?: number;
}

export type FollowEnd =
  | { reason: 'finished'; orderId: string }
  /** The order never finished and no live process holds the certificate's lock: it was killed. */
  | { reason: 'writer-gone'; orderId: string }
  | { reason: 'aborted'; orderId?: string };

/**
 * Tails one order's history as another process writes it (`certdeck log NAME --follow`): prints what is there, then
 * each new record, and ends when the order finishes, when the process writing it is gone, or on the signal. Reading
 * by whole file keeps it right across a compaction (the file is replaced, never rewritten in place).
 */
export async function followHistory(paths: StatePaths, certName: string, clock: Clock, opts: FollowOptions, locker: Locker = new FileLocker(paths)): Promise<FollowEnd> {
  const pollMs = opts.pollMs ?? 250;
  const initial = await readHistoryFile(paths, certName);
  const finished = new Set(initial.flatMap((r) => (r.type === 'order:finished' ? [r.orderId] : [])));
  const known = new Set(initial.flatMap((r) => ('orderId' in r && r.orderId !== undefined ? [r.orderId] : [])));
  const lastOrder = [...known].at(-1);
  let target = opts.orderId ?? (lastOrder !== undefined && !finished.has(lastOrder) ? lastOrder : undefined);
  if (target === undefined) opts.onWaiting?.(`No order of ${certName} is running; waiting for the next one to start (Ctrl+C to stop).`);
  let shown = 0;
  let lastState = await historyFileState(paths, certName);
  let quietPolls = 0;

  const show = (records: HistoryRecord[]): FollowEnd | undefined => {
    if (target === undefined) {
      const started = records.find((r) => r.type === 'order:queued' && !known.has(r.orderId));
      if (!started || started.type !== 'order:queued') return undefined;
      target = started.orderId;
    }
    const mine = records.filter((r) => 'orderId' in r && r.orderId === target);
    for (const r of mine.slice(shown)) opts.onRecord(r);
    shown = Math.max(shown, mine.length);
    return mine.some((r) => r.type === 'order:finished') ? { reason: 'finished', orderId: target } : undefined;
  };

  const first = show(initial);
  if (first) return first;
  for (;;) {
    try {
      await clock.sleep(pollMs, opts.signal);
    } catch {
      return { reason: 'aborted', ...(target !== undefined ? { orderId: target } : {}) };
    }
    const state = await historyFileState(paths, certName);
    const changed = state?.size !== lastState?.size || state?.ino !== lastState?.ino;
    lastState = state;
    if (changed) {
      quietPolls = 0;
      const end = show(await readHistoryFile(paths, certName));
      if (end) return end;
      continue;
    }
    // Quiet: is anyone still writing? Checked only for an order that has started, and after two quiet polls, so a
    // run between taking the lock and its next event is not mistaken for a dead one.
    quietPolls += 1;
    if (target !== undefined && shown > 0 && quietPolls >= 2 && !(await locker.isHeld(certName))) {
      return { reason: 'writer-gone', orderId: target };
    }
  }
}
