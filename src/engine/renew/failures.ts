import type { CertificateSummary } from '../events.js';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { toErrorInfo } from '../core/errors.js';
import { readJournal } from '../store/journal.js';
import type { StatePaths } from '../store/paths.js';

/**
 * Adds to each certificate the journal's last failure of its request, when that came after the certificate was
 * issued (a valid order clears it). An unreadable journal adds nothing: this is a status hint, never a reason to
 * fail a listing.
 */
export async function withRenewalFailures(paths: StatePaths, certificates: CertificateSummary[]): Promise<CertificateSummary[]> {
  // One directory read instead of a failed open per certificate: most certificates have no journal, and with
  // thousands of them the failed opens were most of `certdeck list`.
  const journals = new Set(await readdir(paths.journalDir).catch(() => [] as string[]));
  return Promise.all(
    certificates.map(async (cert) => {
      if (!journals.has(`${cert.certName}.json`)) return cert;
      const journal = await readJournal(paths, cert.certName).catch(() => undefined);
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
export async function unreadableJournals(paths: StatePaths): Promise<Array<{ certName: string; file: string; message: string; hint?: string }>> {
  const entries = await readdir(paths.journalDir).catch(() => [] as string[]);
  const out: Array<{ certName: string; file: string; message: string; hint?: string }> = [];
  for (const entry of entries.filter((e) => e.endsWith('.json') && !e.startsWith('.')).sort()) {
    const certName = entry.slice(0, -'.json'.length);
    try {
      await readJournal(paths, certName);
    } catch (err) {
      const info = toErrorInfo(err);
      out.push({ certName, file: path.join(paths.journalDir, entry), message: info.message, ...(info.hint ? { hint: info.hint } : {}) });
    }
  }
  return out;
}
