import type { CachedAri } from '../store/renewal-state.js';

/**
 * ARI (RFC 9773) decisions that need no network: reading a renewalInfo answer, choosing the renewal time inside
 * its window (uniformly, once, kept while the window stays the same, as CertMagic does: a time re-drawn on every
 * run drifts towards the window's start), and when to ask again.
 */

/** The RFC's example bounds for Retry-After: under a minute is treated as a minute, over a day as a day. */
export const ARI_MIN_RECHECK_MS = 60_000;
export const ARI_MAX_RECHECK_MS = 24 * 60 * 60_000;
/** Without a Retry-After (RFC 9773 4.2 suggests checking at least twice a day). */
export const ARI_DEFAULT_RECHECK_MS = 6 * 60 * 60_000;

export interface RenewalInfoAnswer {
  status: number;
  body: unknown;
  retryAfterMs?: number;
}

export type AriReading = { ok: true; start: number; end: number; explanationUrl?: string } | { ok: false; reason: string };

/** A renewalInfo answer's window, or why it cannot be used (an invalid window means: decide for yourself). */
export function readRenewalInfo(answer: RenewalInfoAnswer): AriReading {
  if (answer.status !== 200) return { ok: false, reason: `the CA answered HTTP ${answer.status}` };
  const body = answer.body as { suggestedWindow?: { start?: unknown; end?: unknown }; explanationURL?: unknown } | null;
  const start = typeof body?.suggestedWindow?.start === 'string' ? Date.parse(body.suggestedWindow.start) : NaN;
  const end = typeof body?.suggestedWindow?.end === 'string' ? Date.parse(body.suggestedWindow.end) : NaN;
  if (!Number.isFinite(start) || !Number.isFinite(end)) return { ok: false, reason: 'the answer has no readable suggestedWindow' };
  if (end <= start) return { ok: false, reason: 'the suggested window ends before it starts' };
  // Text from the CA reaches terminals and logs: no control characters, and only a web link is shown.
  // eslint-disable-next-line no-control-regex
  const link = typeof body?.explanationURL === 'string' ? body.explanationURL.replace(/[\u0000-\u001f\u007f-\u009f]/g, '') : '';
  const explanationUrl = /^https?:\/\/\S+$/.test(link) ? link.slice(0, 500) : undefined;
  return { ok: true, start, end, ...(explanationUrl ? { explanationUrl } : {}) };
}

export function recheckDelayMs(retryAfterMs: number | undefined): number {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) return ARI_DEFAULT_RECHECK_MS;
  return Math.min(ARI_MAX_RECHECK_MS, Math.max(ARI_MIN_RECHECK_MS, retryAfterMs));
}

/**
 * The cache after an answer (or a failed attempt, `answer` undefined with `error`): a valid window replaces the
 * old one, keeping the chosen time when the window is unchanged; anything else keeps the last good window.
 */
export function nextAriState(
  previous: CachedAri | undefined,
  ids: { certId: string; url: string },
  now: number,
  random: () => number,
  result: { answer: RenewalInfoAnswer } | { error: string },
): CachedAri {
  const kept = previous && previous.certId === ids.certId ? previous : undefined;
  const base: CachedAri = {
    certId: ids.certId,
    url: ids.url,
    ...(kept?.window ? { window: kept.window } : {}),
    ...(kept?.selectedAt ? { selectedAt: kept.selectedAt } : {}),
    ...(kept?.explanationUrl ? { explanationUrl: kept.explanationUrl } : {}),
    ...(kept?.fetchedAt ? { fetchedAt: kept.fetchedAt } : {}),
    // A failed attempt is repeated on the next run (cron: hours later), not in a minute.
    nextFetchAt: new Date(now).toISOString(),
  };
  if ('error' in result) return { ...base, lastError: result.error };
  const reading = readRenewalInfo(result.answer);
  const nextFetchAt = new Date(now + recheckDelayMs(result.answer.retryAfterMs)).toISOString();
  if (!reading.ok) return { ...base, nextFetchAt, lastError: reading.reason };
  const window = { start: new Date(reading.start).toISOString(), end: new Date(reading.end).toISOString() };
  const same = kept?.window?.start === window.start && kept.window.end === window.end && kept.selectedAt !== undefined;
  const selectedAt = same ? kept.selectedAt! : new Date(reading.start + Math.floor(random() * (reading.end - reading.start))).toISOString();
  const { explanationUrl: _old, lastError: _e, ...rest } = base;
  return {
    ...rest,
    window,
    selectedAt,
    ...(reading.explanationUrl ? { explanationUrl: reading.explanationUrl } : {}),
    fetchedAt: new Date(now).toISOString(),
    nextFetchAt,
  };
}
