import type { Clock } from '../core/clock.js';
import { AcmeProblemError, EngineError } from '../core/errors.js';
import { formatCountdown } from '../core/duration.js';
import type { EngineEvent } from '../events.js';
import { nextDelay, type WaitPolicy } from '../policy.js';
import type { OrderControl } from './order-control.js';

/**
 * The one retry rule for requests to a CA, used by the order runner and by the account set-up before it: a network
 * error, a 429 or a 5xx is a busy CA, so wait (Retry-After when the CA sent one, else backoff) and try again, each
 * try a freshly signed request, at most `maxRetries` times and never longer than certdeck waits in one run.
 */
export interface RetryContext {
  orderId: string;
  policy: WaitPolicy;
  clock: Clock;
  control: OrderControl;
  emit: (event: EngineEvent) => void;
  random: () => number;
}

/**
 * Failures whose retry budget this run has spent. They stay `retryable` (a later run may well succeed, so the
 * journal keeps the order for it to resume), but no enclosing loop of this run may retry them again.
 */
const spentBudget = new WeakSet<EngineError>();

export function isRetryableStepError(err: unknown): err is EngineError {
  if (!(err instanceof EngineError) || !err.retryable || spentBudget.has(err)) return false;
  return err.kind === 'network' || err.kind === 'rate-limited' || err.kind === 'ca-problem';
}

export function budgetExhausted(err: EngineError, operation: string, retries: number): EngineError {
  const out =
    retries === 0
      ? err
      : new EngineError(err.kind, err.code, `${err.message} (gave up to ${operation} after ${retries} retries)`, {
          hint: err.hint ?? 'Run the same command again later (the order resumes), raise --max-retries, or switch to another CA.',
          retryable: err.retryable,
          cause: err,
        });
  spentBudget.add(out);
  return out;
}

/** Announces and sleeps the wait before retry number `attempt` of `operation`; throws when it is too long. */
export async function waitBeforeRetry(ctx: RetryContext, operation: string, attempt: number, err: EngineError): Promise<void> {
  const { clock, policy, control, orderId } = ctx;
  const retryAfterMs = err instanceof AcmeProblemError ? err.retryAfterMs : undefined;
  const d = nextDelay(policy, attempt, retryAfterMs, ctx.random);
  const longest = Math.max(...Object.values(policy.deadlines));
  if (d.delayMs > longest) {
    const out = new EngineError(err.kind, err.code, `${err.message} The CA asks to retry in ${formatCountdown(d.delayMs)}, longer than certdeck waits in one run.`, {
      hint: `Try again after ${new Date(clock.now() + d.delayMs).toISOString()}, or switch to another CA.`,
      retryable: true,
      cause: err,
    });
    spentBudget.add(out);
    throw out;
  }
  const now = clock.now();
  ctx.emit({
    type: 'retry:scheduled',
    at: now,
    orderId,
    operation,
    attempt,
    maxRetries: policy.maxRetries,
    nextAttemptAt: now + d.delayMs,
    reason: d.reason,
    error: err.toInfo(),
  });
  await control.sleep(clock, d.delayMs);
}

export interface RetryOptions<T> {
  /**
   * Runs after each wait and before the next try: for a request that changes something at the CA it re-reads the
   * resource and returns `done` instead of sending again when the CA already acted on a request whose answer was lost.
   */
  beforeRetry?: () => Promise<{ done: true; value: T } | { done: false }>;
  /** Narrows which retryable failures are retried here (the rest are thrown at once). */
  only?: (err: EngineError) => boolean;
}

/** Runs `fn` until it succeeds, retrying busy-CA failures within the budget. */
export async function withPolicyRetries<T>(ctx: RetryContext, operation: string, fn: () => Promise<T>, opts: RetryOptions<T> = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt > 1 && opts.beforeRetry) {
        const seen = await opts.beforeRetry();
        if (seen.done) return seen.value;
      }
      return await fn();
    } catch (err) {
      if (!isRetryableStepError(err) || (opts.only && !opts.only(err))) throw err;
      if (attempt > ctx.policy.maxRetries) throw budgetExhausted(err, operation, attempt - 1);
      await waitBeforeRetry(ctx, operation, attempt, err);
    }
  }
}
