import type { Clock } from '../core/clock.js';
import { CancelledError } from '../core/errors.js';

/** What an operator asked an order to do instead of finishing normally. */
export type StopRequest =
  | { kind: 'cancel'; reason: string }
  | { kind: 'switch'; caId: string; reason: string }
  /** Stop now but keep the journal, so the next run resumes the order (quitting certdeck, "leave them"). */
  | { kind: 'suspend'; reason: string };

/** Everything an operator can tell a running order, as one typed value (the views' keys map onto these). */
export type OperatorIntent =
  | StopRequest
  /** Skip the current wait and poll now. */
  | { kind: 'retry-now' }
  /** Push the current wait's deadline out by `extraMs` (default: one more full phase deadline). */
  | { kind: 'keep-waiting'; extraMs?: number };

export type KeepWaiting = Extract<OperatorIntent, { kind: 'keep-waiting' }>;

/**
 * The abort reason of a stopped order: a CancelledError (so every wait and request unwinds as a cancel) that
 * carries the typed stop request. Whoever catches the unwinding reads the intent from the signal's reason, never
 * from a field set on the side.
 */
export class OrderStopped extends CancelledError {
  constructor(readonly intent: StopRequest) {
    super(intent.reason);
  }
}

/** The stop request behind an aborted order signal, if an operator (or a parent signal) stopped it. */
export function stopIntent(signal: AbortSignal): StopRequest | undefined {
  return signal.aborted && signal.reason instanceof OrderStopped ? signal.reason.intent : undefined;
}

/**
 * The handle operator intents travel through to a running order: stops abort its signal (with the intent as the
 * reason); retry-now cuts the current wait short; keep-waiting goes to the wait in progress, whose runner moves
 * its own deadline and reports it. Views never see it.
 */
export class OrderControl {
  private readonly controller = new AbortController();
  private wake: AbortController | undefined;
  private keepWaitingHandler: ((intent: KeepWaiting) => void) | undefined;
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

  send(intent: OperatorIntent): void {
    switch (intent.kind) {
      case 'retry-now':
        this.wake?.abort();
        return;
      case 'keep-waiting':
        // Nothing bounded is waiting (between polls, or in a step without a deadline): there is nothing to extend.
        this.keepWaitingHandler?.(intent);
        return;
      default:
        this.stop(intent);
    }
  }

  stop(request: StopRequest): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort(new OrderStopped(request));
  }

  retryNow(): void {
    this.send({ kind: 'retry-now' });
  }

  /**
   * The runner's bounded wait takes keep-waiting intents while it runs (it owns the deadline and the event saying
   * it moved). Returns the release to call when the wait ends.
   */
  whileWaiting(onKeepWaiting: (intent: KeepWaiting) => void): () => void {
    this.keepWaitingHandler = onKeepWaiting;
    return () => {
      if (this.keepWaitingHandler === onKeepWaiting) this.keepWaitingHandler = undefined;
    };
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
