import type { CertificateSummary } from '../../engine/events.js';
import { formatClockTime, formatDate } from '../../engine/core/duration.js';

/**
 * The line under the selected certificate when the engine's renewal plan has something to tell beyond the status:
 * the CA's ARI window with the time chosen in it (and the CA's explanation link), or after failed renewals when
 * the next attempt is. (The engine keeps the CA's explanation link free of control characters.) Undefined when there is nothing more than the lifetime rule (the row says enough then).
 */
export function renewalDetail(cert: CertificateSummary, now: number): string | undefined {
  const plan = cert.renewal;
  if (!plan) return undefined;
  const at = (ms: number): string => `${formatDate(ms)} ${formatClockTime(ms).slice(0, 5)}`;
  const parts: string[] = [];
  if (plan.retry && plan.retry.nextAttemptAt > now) {
    parts.push(`renewal failed ${plan.retry.failures}x · next attempt at ${at(plan.retry.nextAttemptAt)}`);
  }
  if (plan.ari) {
    parts.push(`ARI window ${at(plan.ari.windowStart)} – ${at(plan.ari.windowEnd)}, renews at ${at(plan.ari.selectedAt)}`);
    if (plan.ari.explanationUrl) parts.push(plan.ari.explanationUrl);
  }
  return parts.length ? parts.join(' · ') : undefined;
}
