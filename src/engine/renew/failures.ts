import type { CertificateSummary } from '../events.js';
import { readJournal } from '../store/journal.js';
import type { StatePaths } from '../store/paths.js';
import { readRenewalState } from '../store/renewal-state.js';
import { renewalPlan } from './plan.js';

/**
 * Adds to each certificate the journal's last failure of its request, when that came after the certificate was
 * issued (a valid order clears it). An unreadable journal adds nothing: this is a status hint, never a reason to
 * fail a listing.
 */
export async function withRenewalFailures(paths: StatePaths, certificates: CertificateSummary[]): Promise<CertificateSummary[]> {
  return Promise.all(
    certificates.map(async (cert) => {
      const journal = await readJournal(paths, cert.certName).catch(() => undefined);
      const failure = journal?.lastFailure;
      if (!failure || failure.at <= cert.notBefore) return cert;
      return { ...cert, lastRenewalFailure: failure };
    }),
  );
}

/** Adds to each certificate its renewal plan from the stored ARI answer and retry schedule (offline, never fails). */
export async function withRenewalPlans(paths: StatePaths, certificates: CertificateSummary[]): Promise<CertificateSummary[]> {
  return Promise.all(
    certificates.map(async (cert) => {
      const state = await readRenewalState(paths, cert.certName, cert.serial).catch(() => undefined);
      return { ...cert, renewal: renewalPlan(cert, state) };
    }),
  );
}
