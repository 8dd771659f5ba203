/**
 * The one place that decides whether and when a certificate is due: the offline window rule (window.ts), what the
 * disk says about a request (on-disk.ts), the last failed renewal (failures.ts) and the status an operator sees
 * (status.ts), ARI (RFC 9773: cert-id.ts, ari.ts), the plan from both (plan.ts), the retry schedule after failed
 * renewals (retry-schedule.ts) and the `renew` run that puts them together (run.ts).
 */
export { renewalDueAt, inRenewalWindow } from './window.js';
export { issuedSince, notDueYet, type Wanted } from './on-disk.js';
export { withRenewalFailures, withRenewalPlans } from './failures.js';
export { renewalPlan } from './plan.js';
export { retryDelayMs } from './retry-schedule.js';
// cert-id.ts (ASN.1 parsing) and run.ts are imported where a renewal runs, not by every view of the status.
export type { RenewResult, RenewOptions, RenewAction } from './run.js';
export { certificateStatus, latestOrderFor, type CertificateStatus, type CertificateStatusKind } from './status.js';
