/**
 * The one place that decides whether and when a certificate is due: the offline window rule (window.ts), what the
 * disk says about a request (on-disk.ts), the last failed renewal (failures.ts) and the status an operator sees
 * (status.ts). ARI (RFC 9773) and a retry
 * schedule for failed renewals belong here too.
 */
export { renewalDueAt, inRenewalWindow } from './window.js';
export { issuedSince, notDueYet, type Wanted } from './on-disk.js';
export { withRenewalFailures } from './failures.js';
export { certificateStatus, latestOrderFor, type CertificateStatus, type CertificateStatusKind } from './status.js';
