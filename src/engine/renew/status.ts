import type { CertificateSummary } from '../events.js';
import { isTerminal, type OrderView } from '../state.js';
import { inRenewalWindow } from './window.js';

/**
 * A managed certificate's state as an operator needs it, told apart the way field report 5 asks: a renewal that
 * failed while the certificate is still valid is its own state, not "expired" and not "fine". Decided here, for
 * `certdeck list` and the dashboard alike; views only format it.
 */
export type CertificateStatusKind = 'valid' | 'due' | 'renewing' | 'renewal-failed' | 'expired';

export interface CertificateStatus {
  kind: CertificateStatusKind;
  label: string;
  /** ms until notAfter (negative once expired). */
  remainingMs: number;
  /** Share of the lifetime still left, 0..1, for the expiry bar. */
  remainingFraction: number;
}

/** The newest order for this certificate, by when it was queued. */
export function latestOrderFor(certName: string, orders: readonly OrderView[]): OrderView | undefined {
  let latest: OrderView | undefined;
  for (const o of orders) if (o.certName === certName && (!latest || o.queuedAt >= latest.queuedAt)) latest = o;
  return latest;
}

export function certificateStatus(cert: CertificateSummary, orders: readonly OrderView[], now: number): CertificateStatus {
  const remainingMs = cert.notAfter - now;
  const lifetime = Math.max(1, cert.notAfter - cert.notBefore);
  const remainingFraction = Math.min(1, Math.max(0, remainingMs / lifetime));
  const latest = latestOrderFor(cert.certName, orders);
  const renewing = latest !== undefined && !isTerminal(latest.phase);
  // Only a failure after this certificate was issued says anything about its renewal: one seen in this session,
  // or one a cron run left in the journal.
  const journalFailure = cert.lastRenewalFailure;
  const failedSince =
    (latest !== undefined && latest.phase === 'failed' && latest.queuedAt >= cert.notBefore) ||
    (journalFailure !== undefined && !(latest !== undefined && latest.queuedAt > journalFailure.at));
  const base = { remainingMs, remainingFraction };
  if (remainingMs <= 0) return { ...base, kind: 'expired', label: renewing ? 'expired, renewing' : 'expired' };
  if (renewing) return { ...base, kind: 'renewing', label: 'renewing' };
  if (failedSince) return { ...base, kind: 'renewal-failed', label: 'renewal failed, still valid' };
  // The engine's plan (ARI's chosen time or the lifetime rule) when the view has it, else the lifetime rule.
  if (cert.renewal ? now >= cert.renewal.dueAt : inRenewalWindow(cert, now)) return { ...base, kind: 'due', label: 'due for renewal' };
  return { ...base, kind: 'valid', label: 'valid' };
}
