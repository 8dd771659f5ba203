import type { CertificateSummary } from '../events.js';
import { toErrorInfo } from '../core/errors.js';
import { journalFile, readJournal } from '../store/journal.js';
import type { StatePaths } from '../store/paths.js';
import type { Storage } from '../store/storage.js';
import { readRenewalState } from '../store/renewal-state.js';
import { renewalPlan } from './plan.js';

/**
 * Adds to each certificate the journal's last failure of its request, when that came after the certificate was
 * issued (a valid order clears it). An unreadable journal adds nothing: this is a status hint, never a reason to
 * fail a listing.
 */
export async function withRenewalFailures(storage: Storage, certificates: CertificateSummary[]): Promise<CertificateSummary[]> {
  // One listing instead of a failed read per certificate: most certificates have no journal, and with thousands
  // of them the failed reads were most of `certdeck list`.
  const journals = new Set(await storage.list('journal').catch(() => [] as string[]));
  return Promise.all(
    certificates.map(async (cert) => {
      if (!journals.has(`${cert.certName}.json`)) return cert;
      const journal = await readJournal(storage, cert.certName).catch(() => undefined);
      const failure = journal?.lastFailure;
      if (!failure || failure.at <= cert.notBefore) return cert;
      return { ...cert, lastRenewalFailure: failure };
    }),
  );
}

/**
 * Journals that exist and cannot be read (corrupt JSON, a missing pending key): the listing above ignores them, the
 * dashboard must not. An order a corrupt journal held cannot resume, and the operator should know why.
 */
export async function unreadableJournals(storage: Storage): Promise<Array<{ certName: string; file: string; message: string; hint?: string }>> {
  const entries = await storage.list('journal').catch(() => [] as string[]);
  const out: Array<{ certName: string; file: string; message: string; hint?: string }> = [];
  for (const entry of entries.filter((e) => e.endsWith('.json'))) {
    const certName = entry.slice(0, -'.json'.length);
    try {
      await readJournal(storage, certName);
    } catch (err) {
      const info = toErrorInfo(err);
      out.push({ certName, file: journalFile(storage, certName), message: info.message, ...(info.hint ? { hint: info.hint } : {}) });
    }
  }
  return out;
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
