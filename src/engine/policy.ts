/**
 * One wait policy for every poll and retry. The next delay is the server's Retry-After when it sent one, else
 * exponential backoff with jitter between a floor and a cap; each phase has a deadline and each request a retry
 * budget. Pure functions of their inputs (the random source is injected) so tests can pin every figure.
 */
export type WaitPhase = 'authorization' | 'processing' | 'download';

export interface WaitPolicy {
  /**
   * The first poll's delay when the CA gave no Retry-After, ms (acmez starts at 250 ms): a fast CA answers the
   * first poll, a slow one costs one early request, after which backoff runs from the floor. Never above the floor.
   * Absent (a policy recorded before it existed): the floor, as then.
   */
  firstMs?: number;
  /** Lower bound of backoff from the second poll on, ms. */
  floorMs: number;
  /** Upper bound of backoff, ms. */
  capMs: number;
  /** Growth per attempt. */
  factor: number;
  /** +/- fraction of each backoff delay drawn at random, so many clients don't poll in lockstep. */
  jitter: number;
  /** Longest time spent polling in each phase before giving up, ms. */
  deadlines: Record<WaitPhase, number>;
  /** Retries of one request after a retryable failure (network, 429, 5xx) before giving up. */
  maxRetries: number;
  /** An order in processing longer than this is flagged as hung, ms. */
  hungAfterMs: number;
}

export const DEFAULT_POLICY: WaitPolicy = {
  firstMs: 250,
  floorMs: 1_000,
  capMs: 30_000,
  factor: 2,
  jitter: 0.2,
  deadlines: { authorization: 120_000, processing: 120_000, download: 60_000 },
  maxRetries: 5,
  hungAfterMs: 60_000,
};

export type PolicyOverride = Partial<Omit<WaitPolicy, 'deadlines'>> & { deadlines?: Partial<Record<WaitPhase, number>> };

/** Later overrides win: catalog default <- CA settings <- certificate settings <- command-line flags. */
export function mergePolicy(base: WaitPolicy, ...overrides: Array<PolicyOverride | undefined>): WaitPolicy {
  let out: WaitPolicy = { ...base, deadlines: { ...base.deadlines } };
  for (const o of overrides) {
    if (!o) continue;
    const { deadlines, ...rest } = o;
    out = { ...out, ...stripUndefined(rest), deadlines: { ...out.deadlines, ...stripUndefined(deadlines ?? {}) } };
  }
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type DelayReason = 'retry-after' | 'backoff';

export interface NextDelay {
  delayMs: number;
  reason: DelayReason;
}

/**
 * No policy's floor goes below this (a local Pebble lab polls every few tens of ms; real CAs' floors are seconds).
 * With it, a `Retry-After: 0` (or a negative value, or a date in the past) waits the policy's floor, never nothing.
 */
export const MIN_WAIT_MS = 10;

/**
 * Delay before attempt number `attempt` (1-based: the wait before the first retry is attempt 1): the server's
 * Retry-After when it sent one (it is the CA telling us when an answer can exist), but never below the policy's
 * floor, so a hostile or broken server cannot make certdeck spin; else exponential backoff with jitter from the
 * floor to the cap. Retries after errors use this as is; polls use nextPollDelay (an early first poll).
 */
export function nextDelay(
  policy: WaitPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): NextDelay {
  const floor = Math.max(MIN_WAIT_MS, policy.floorMs);
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) return { delayMs: Math.max(floor, retryAfterMs), reason: 'retry-after' };
  const raw = Math.min(policy.capMs, floor * policy.factor ** Math.max(0, attempt - 1));
  const spread = raw * policy.jitter * (random() * 2 - 1);
  const delayMs = Math.round(Math.min(Math.max(floor, policy.capMs), Math.max(floor, raw + spread)));
  return { delayMs, reason: 'backoff' };
}

/** The first poll's delay before jitter: the policy's firstMs, never above its floor nor below MIN_WAIT_MS. */
export function firstPollMs(policy: WaitPolicy): number {
  return Math.max(MIN_WAIT_MS, Math.min(policy.firstMs ?? policy.floorMs, policy.floorMs));
}

/**
 * Delay before poll number `attempt` of an authorization or order (1-based). Retry-After always comes first, as in
 * nextDelay. Without one, the first poll is early (firstMs, jittered: a CA with nothing to wait for answers it at
 * once), and from the second on the delays are nextDelay's backoff from the floor: 250 ms, 1 s, 2 s, 4 s, ... with
 * DEFAULT_POLICY, against 1 s, 2 s, 4 s, ... before. Over any wait of a second or more that is at most one request
 * more, and none when the first poll finds the answer, which a fast CA's does.
 */
export function nextPollDelay(
  policy: WaitPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): NextDelay {
  if (attempt > 1 || (retryAfterMs !== undefined && Number.isFinite(retryAfterMs))) return nextDelay(policy, attempt - 1, retryAfterMs, random);
  const first = firstPollMs(policy);
  const spread = first * policy.jitter * (random() * 2 - 1);
  const floor = Math.max(MIN_WAIT_MS, policy.floorMs);
  return { delayMs: Math.round(Math.min(floor, Math.max(MIN_WAIT_MS, first + spread))), reason: 'backoff' };
}

/**
 * Parses a Retry-After header (RFC 9110 10.2.3): delta-seconds or an HTTP-date. Returns ms from `now`,
 * or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined | null, now: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // A negative number is not a Retry-After; Date.parse would read "-5" as a year.
  if (/^[-+]?\d+(\.\d+)?$/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Parses "20s", "5m", "1h", "1500ms" or a bare number of seconds into ms. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return Math.round(n * factor);
}
