import type { KeyType } from '../events.js';
import { sameDomainSet } from '../names.js';
import { readCertificate, type StoredCertificate } from '../store/cert-files.js';
import { readJournal } from '../store/journal.js';
import type { StatePaths } from '../store/paths.js';
import { readRenewalState } from '../store/renewal-state.js';
import { renewalPlan } from './plan.js';
import type { StorageLike } from '../store/file-storage.js';
import { renewalDueAt } from './window.js';

/**
 * The renewal decisions that look at what is on disk for a request: is the certificate there still the one asked
 * for, and is it due. Offline on purpose (field report 5): a CA that is down must not make a good certificate look
 * due (the lifetime rule, or the time chosen in a cached ARI window).
 */

export type Wanted = { domains: string[]; keyType: KeyType };

/** The certificate on disk, if it is for exactly these names and this key type. */
async function storedFor(paths: StatePaths, certName: string, want: Wanted): Promise<StoredCertificate | undefined> {
  const stored = await readCertificate(paths, certName).catch(() => undefined);
  return stored && stored.meta.keyType === want.keyType && sameDomainSet(stored.meta.domains, want.domains) ? stored : undefined;
}

/** The certificate on disk, if it was saved at or after `since` for exactly these names and key type. */
export async function issuedSince(paths: StatePaths, certName: string, want: Wanted, since: number): Promise<{ serial: string } | undefined> {
  const stored = await storedFor(paths, certName, want);
  return stored && Date.parse(stored.meta.savedAt) >= since ? { serial: stored.meta.serial } : undefined;
}

/**
 * When the certificate on disk still serves this request and is not in its renewal window: the time it becomes
 * due. Undefined means order now: no certificate, other names or key type, due already, or an order of this
 * request left unfinished (it is resumed, not abandoned).
 */
export async function notDueYet(paths: StatePaths, certName: string, want: Wanted, now: number, journals: StorageLike = paths): Promise<number | undefined> {
  // The journal is where orders in flight are (shared in a fleet); the certificate is the one this node serves.
  if ((await readJournal(journals, certName).catch(() => undefined))?.current) return undefined;
  const stored = await storedFor(paths, certName, want);
  if (!stored) return undefined;
  // The cached ARI choice counts too (offline: `renew` is what asks the CA).
  const state = await readRenewalState(paths, certName, stored.meta.serial).catch(() => undefined);
  const dueAt = renewalPlan({ notBefore: Date.parse(stored.meta.notBefore), notAfter: Date.parse(stored.meta.notAfter) }, state).dueAt;
  return now < dueAt ? dueAt : undefined;
}
