/**
 * The certificate status is the engine's decision (engine/renew): the dashboard shows what it decided, with the
 * orders this session sees, and formats it.
 */
export { certificateStatus, latestOrderFor, type CertificateStatus, type CertificateStatusKind } from '../../engine/renew/status.js';
