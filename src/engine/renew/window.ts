/**
 * When a certificate is due for renewal. Without ARI (RFC 9773), renew once a third of the lifetime is left, or
 * half for certificates shorter than ten days: lifetimes are shrinking (ca-facts), so the window follows each
 * certificate's own lifetime, never a fixed 30 days.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

export function renewalDueAt(notBefore: number, notAfter: number): number {
  const lifetime = notAfter - notBefore;
  const share = lifetime < 10 * DAY_MS ? 1 / 2 : 1 / 3;
  return notAfter - lifetime * share;
}

export function inRenewalWindow(cert: { notBefore: number; notAfter: number }, now: number): boolean {
  return now >= renewalDueAt(cert.notBefore, cert.notAfter);
}
