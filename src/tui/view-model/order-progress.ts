import { isTerminal, type OrderView } from '../../engine/state.js';
import type { OrderPhase } from '../../engine/events.js';
import type { DelayReason } from '../../engine/policy.js';
import { formatCountdown, formatElapsed, formatSpan } from '../../engine/core/duration.js';
import { urlPath } from './text.js';

/**
 * What an order is doing, in words, at a given moment. Pure: every figure comes from the snapshot and `now`, so the
 * one-second tick of the screen is the only thing that moves a countdown.
 */

export type OrderTone = 'running' | 'hung' | 'ok' | 'bad' | 'muted';

export interface OrderProgress {
  tone: OrderTone;
  /** "processing 4m12s", "done 3m ago", "failed". */
  headline: string;
  /** "next poll in 8s" (or "polling now"), when the order waits for a poll. */
  nextPoll?: string;
  /** Why the next poll is when it is: "Retry-After 30s" or "backoff 8s". */
  delayReason?: string;
  /** Which poll is next and how long the phase may still take: "poll 3 · gives up in 1m48s". */
  budget?: string;
  /** A failed request waiting to be sent again: "retry 2/5 finalize in 4s". */
  retry?: string;
  /** Why it failed and why it waits that long: "rateLimited · Retry-After 30s". */
  retryWhy?: string;
  hung?: { forText: string; polls: number };
  /** One line on why a finished order ended. */
  ending?: string;
}

export function isRunning(order: OrderView): boolean {
  return !isTerminal(order.phase);
}

/**
 * Hung is the engine's flag, or, between two polls, the policy's threshold already passed: the engine only notices
 * at its next poll (which may be a long Retry-After away) and the operator should not have to wait for that.
 */
export function hungSince(order: OrderView, now: number): number | undefined {
  if (order.hung) return order.hung.since;
  if (!isRunning(order) || order.acmeStatus !== 'processing' || order.processingSince === undefined) return undefined;
  return now - order.processingSince >= order.policy.hungAfterMs ? order.processingSince : undefined;
}

/** How far a screen's `now` lags behind the engine at most: one useNow tick. */
const SCREEN_TICK_MS = 1000;

/** Whether describeOrder(order, now) flags the order as hung, without describing the rest of it. */
export function showsHung(order: OrderView, now: number): boolean {
  return isRunning(order) && hungSince(order, now) !== undefined;
}

export function describeDelay(reason: DelayReason, delayMs: number): string {
  return reason === 'retry-after' ? `Retry-After ${formatSpan(delayMs)}` : `backoff ${formatSpan(delayMs)}`;
}

const PHASE_WORDS: Record<OrderPhase, string> = {
  queued: 'queued',
  account: 'account',
  creating: 'creating order',
  authorizing: 'authorizing',
  finalizing: 'finalizing',
  processing: 'processing',
  downloading: 'downloading',
  saving: 'saving',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  abandoned: 'abandoned',
};

export function phaseWords(phase: OrderPhase): string {
  return PHASE_WORDS[phase];
}

/** When the time shown next to the phase started: the CA's "processing" began before our own phase did, on a resume. */
function phaseStart(order: OrderView): number {
  if (order.phase === 'processing' && order.processingSince !== undefined) return Math.min(order.processingSince, order.phaseSince);
  return order.phaseSince;
}

export function describeOrder(order: OrderView, screenNow: number): OrderProgress {
  if (!isRunning(order)) return describeFinished(order, screenNow);
  // The screen's clock moves once a second, and an event can arrive between two ticks: the order is shown as of its
  // own last event then, not up to a second before it (a hung flag at 10s must not read "hung 9s (threshold 10s)").
  const lag = order.updatedAt - screenNow;
  const now = lag > 0 && lag <= SCREEN_TICK_MS ? order.updatedAt : screenNow;
  const since = hungSince(order, now);
  const progress: OrderProgress = {
    tone: since === undefined ? 'running' : 'hung',
    headline: `${phaseWords(order.phase)} ${formatElapsed(now - phaseStart(order))}`,
  };
  if (since !== undefined) {
    const hungFor = now - since;
    progress.hung = { forText: formatElapsed(hungFor), polls: order.hung?.polls ?? order.polls };
  }
  const wait = order.wait;
  if (wait) {
    const left = wait.nextPollAt - now;
    progress.nextPoll = left > 0 ? `next poll in ${formatCountdown(left)}` : 'polling now';
    progress.delayReason = describeDelay(wait.reason, wait.delayMs);
    const deadlineLeft = wait.deadlineAt - now;
    progress.budget = `poll ${wait.attempt} · ${deadlineLeft > 0 ? `gives up in ${formatCountdown(deadlineLeft)}` : 'deadline reached'}`;
  }
  const retry = order.retry;
  if (retry) {
    const left = retry.nextAttemptAt - now;
    progress.retry = `retry ${retry.attempt}/${retry.maxRetries} ${retry.operation} ${left > 0 ? `in ${formatCountdown(left)}` : 'now'}`;
    const why = retry.reason === 'retry-after' && retry.error.retryAfterMs !== undefined
      ? `Retry-After ${formatSpan(retry.error.retryAfterMs)}`
      : retry.reason === 'retry-after' ? 'Retry-After' : 'backoff';
    progress.retryWhy = `${retry.error.code} · ${why}`;
  }
  return progress;
}

function describeFinished(order: OrderView, now: number): OrderProgress {
  const ago = `${formatElapsed(now - order.phaseSince)} ago`;
  switch (order.outcome ?? order.phase) {
    case 'valid':
    case 'done':
      return { tone: 'ok', headline: `done ${ago}` };
    case 'cancelled':
      return { tone: 'muted', headline: `cancelled ${ago}`, ...(order.reason ? { ending: order.reason } : {}) };
    case 'abandoned':
      return {
        tone: 'muted',
        headline: `abandoned ${ago}`,
        ending: order.reason ?? (order.replacedBy ? 'replaced by another order' : 'abandoned'),
      };
    default:
      return {
        tone: 'bad',
        headline: `failed ${ago}`,
        ...(order.error ? { ending: order.error.message } : order.reason ? { ending: order.reason } : {}),
      };
  }
}

/** Actions that make sense for the order right now; the key hints and the action keys both use this. */
export interface OrderAbilities {
  retryNow: boolean;
  keepWaiting: boolean;
  cancel: boolean;
  switchCa: boolean;
}

export function orderAbilities(order: OrderView): OrderAbilities {
  const running = isRunning(order);
  return {
    retryNow: running && (order.wait !== undefined || order.retry !== undefined),
    keepWaiting: running && order.wait !== undefined,
    cancel: running,
    // A failed order can still be re-issued elsewhere; a finished or replaced one cannot.
    switchCa: running || order.phase === 'failed',
  };
}

/**
 * The wait the CA itself asked for (Retry-After on a 429/503 or on a poll), while it lasts: until when, and what
 * certdeck will do then ("poll", or the operation being retried such as "finalize"). Undefined for certdeck's own
 * backoff, which the operator may cut short without asking.
 */
export function caAskedWait(order: OrderView, now: number): { until: number; what: string } | undefined {
  if (order.retry?.reason === 'retry-after' && order.retry.nextAttemptAt > now) return { until: order.retry.nextAttemptAt, what: order.retry.operation };
  if (order.wait?.reason === 'retry-after' && order.wait.nextPollAt > now) return { until: order.wait.nextPollAt, what: 'poll' };
  return undefined;
}

/** "resumed; created at 14:01:02": an order a previous run created and this one picked up from the journal. */
export function resumedNote(order: OrderView): string | undefined {
  if (!order.resumed) return undefined;
  if (order.createdAt === undefined) return 'resumed from the journal';
  const created = new Date(order.createdAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `resumed; created at ${pad(created.getHours())}:${pad(created.getMinutes())}:${pad(created.getSeconds())}`;
}

/** A request that has been out for a second or more shows as such; quicker ones would only flicker. */
const IN_FLIGHT_SHOWN_AFTER_MS = 1000;

/** What an ACME URL is for, in a word: "finalize", "order", "authorization"... (the path itself otherwise). */
export function acmeResource(url: string): string {
  const path = urlPath(url).toLowerCase();
  const words: Array<[RegExp, string]> = [
    [/new-?order|order-plz/, 'new order'],
    [/finali[sz]e/, 'finalize'],
    [/new-?nonce|nonce-plz/, 'nonce'],
    [/new-?acc|acct|account/, 'account'],
    [/authz|authori[sz]ation/, 'authorization'],
    [/chal/, 'challenge'],
    [/cert/, 'certificate'],
    [/order/, 'order'],
    [/dir/, 'directory'],
  ];
  return words.find(([re]) => re.test(path))?.[1] ?? urlPath(url);
}

/** "POST finalize … 12s": the request the order is waiting on, once it has been out a while. */
export function inFlightNote(order: OrderView, now: number): string | undefined {
  const f = order.inFlight;
  if (!f || now - f.since < IN_FLIGHT_SHOWN_AFTER_MS) return undefined;
  return `${f.method} ${acmeResource(f.url)} … ${formatElapsed(now - f.since)} (waiting for ${order.caName})`;
}
