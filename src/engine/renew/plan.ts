import type { RenewalPlan } from '../events.js';
import type { RenewalState } from '../store/renewal-state.js';
import { renewalDueAt } from './window.js';

/**
 * When a certificate is due, from what is stored: the time chosen inside the CA's last ARI window, or the lifetime
 * rule (a third of the lifetime left, half under ten days), whichever comes first. The lifetime rule stays a
 * backstop (as certbot does): a CA whose window moved later, or an answer lost, never lets a certificate run out.
 */
export function renewalPlan(cert: { notBefore: number; notAfter: number }, state: RenewalState | undefined): RenewalPlan {
  const lifetimeDue = renewalDueAt(cert.notBefore, cert.notAfter);
  const a = state?.ari;
  const ari =
    a?.window && a.selectedAt
      ? {
          windowStart: Date.parse(a.window.start),
          windowEnd: Date.parse(a.window.end),
          selectedAt: Date.parse(a.selectedAt),
          ...(a.explanationUrl ? { explanationUrl: a.explanationUrl } : {}),
          ...(a.fetchedAt ? { fetchedAt: Date.parse(a.fetchedAt) } : {}),
          nextFetchAt: Date.parse(a.nextFetchAt),
          ...(a.lastError ? { lastError: a.lastError } : {}),
        }
      : undefined;
  const r = state?.retry;
  const retry = r ? { failures: r.failures, lastAt: Date.parse(r.lastAt), lastError: r.lastError, nextAttemptAt: Date.parse(r.nextAttemptAt) } : undefined;
  const ariFirst = ari !== undefined && ari.selectedAt < lifetimeDue;
  return {
    dueAt: ariFirst ? ari.selectedAt : lifetimeDue,
    source: ariFirst ? 'ari' : 'lifetime',
    ...(ari ? { ari } : {}),
    ...(retry ? { retry } : {}),
  };
}
