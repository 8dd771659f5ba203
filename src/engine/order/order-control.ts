import type { Clock } from '../core/clock.js';
import { CancelledError } from '../core/errors.js';
import type { WaitPhase } from '../policy.js';

/** What an operator asked an order to do instead of finishing normally. */
export type StopRequest =
  | { kind: 'cancel'; reason: string }
  | { kind: 'switch'; caId: string; reason: string }
  /** Stop now but keep the journal, so the next run resumes the order (quitting certdeck, "leave them"). */
  | { kind: 'suspend'; reason: string };

/**
 * The handle operator actions use on a running order: cancel and switch abort it; retry-now cuts the current
 * wait short; keep-waiting moves the current phase's deadline. The runner reads it, views never see it.
 */
export class OrderControl {
  private readonly controller = new AbortController();
  private wake: AbortController | undefined;
  stopRequest: StopRequest | undefined;
  /** The deadline of the wait in progress, if any; keepWaiting moves it. */
  deadlineAt: number | undefined;
  phase: WaitPhase | undefined;
  /** Bumped by keepWaiting so the runner re-arms hung detection. */
  extensions = 0;
  /**
   * Set once finalize was sent (by this run or one before it): the CA is issuing the certificate, so a cancel or a
   * signal only stops this run and keeps the order for the next one (never a second order for the same request).
   */
  issuing = false;

  constructor(parent?: AbortSignal) {
    if (parent) {
      if (parent.aborted) this.stop({ kind: 'cancel', reason: 'cancelled' });
      else parent.addEventListener('abort', () => this.stop({ kind: 'cancel', reason: String(parent.reason ?? 'cancelled') }), { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stop(request: StopRequest): void {
    if (this.controller.signal.aborted) return;
    this.stopRequest = request;
    this.controller.abort(new CancelledError(request.reason));
  }

  retryNow(): void {
    this.wake?.abort();
  }

  /** Returns the new deadline, or undefined when nothing is waiting. */
  extend(ms: number): number | undefined {
    if (this.deadlineAt === undefined) return undefined;
    this.deadlineAt += ms;
    this.extensions += 1;
    return this.deadlineAt;
  }

  /** Sleeps `ms` unless woken by retryNow or `early` settling (returns early) or stopped (throws CancelledError). */
  async sleep(clock: Clock, ms: number, early?: Promise<unknown>): Promise<void> {
    const wake = new AbortController();
    this.wake = wake;
    void early?.then(
      () => wake.abort(),
      () => undefined,
    );
    try {
      await clock.sleep(ms, AbortSignal.any([this.controller.signal, wake.signal]));
    } catch (err) {
      if (this.controller.signal.aborted) throw err;
    } finally {
      if (this.wake === wake) this.wake = undefined;
    }
  }
}
