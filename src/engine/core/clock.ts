import { CancelledError } from './errors.js';

/**
 * Every "now" and every sleep in the engine goes through a Clock, so a test can run a 30-minute hung order in
 * milliseconds and the TUI derives countdowns from absolute times (`nextPollAt - now`) instead of owning timers.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with a CancelledError as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): CancelledError {
  const reason: unknown = signal.reason;
  if (reason instanceof CancelledError) return reason;
  return new CancelledError(typeof reason === 'string' ? reason : 'cancelled');
}

/** Throws the CancelledError behind `signal` if it has already aborted. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortReason(signal);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface PendingSleep {
  wakeAt: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told to. `advance` wakes sleepers in time order and lets the promise chains they
 * resume run before moving on, so a loop of "poll, sleep" steps through in order.
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: PendingSleep[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Number of sleeps waiting for time to move. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const entry: PendingSleep = {
        wakeAt: this.current + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== entry);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(entry);
      for (const w of [...this.waiters]) w();
    });
  }

  /** Resolves once at least `count` sleeps are pending (the code under test has reached its wait). */
  async untilSleeping(count = 1): Promise<void> {
    while (this.sleepers.length < count) {
      await new Promise<void>((resolve) => {
        this.waiters.add(resolve);
        // Real I/O (sockets) may be what the code is waiting on, so also re-check on the macrotask queue.
        setTimeout(resolve, 5);
      }).finally(() => undefined);
      this.waiters.clear();
    }
  }

  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.sleepers.sort((a, b) => a.wakeAt - b.wakeAt);
      const next = this.sleepers[0];
      if (!next || next.wakeAt > target) break;
      this.sleepers.shift();
      this.current = Math.max(this.current, next.wakeAt);
      next.resolve();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
