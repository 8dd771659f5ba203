import type { ChallengeConfig } from '../api.js';
import { ConfigError } from '../core/errors.js';
import type { KeyType } from '../events.js';
import { assertCertName } from '../names.js';
import type { PolicyOverride } from '../policy.js';
import { storageOf, type StorageLike } from './file-storage.js';

/**
 * What a certificate takes to be obtained again, written after each issuance that saved it:
 * `requests/<name>.json` (certbot keeps the same in renewal/<name>.conf). Not under live/<name>, which is a symlink
 * to one archive version and is swapped on every renewal. Every later run (the dashboard's renew, `issue --if-due`,
 * a plain re-issue) starts from it; flags given on the command line win for that run. No secret is in it: the
 * account is named by its reference, EAB credentials stay with the account.
 */
export interface StoredRequest {
  formatVersion: 1;
  certName: string;
  domains: string[];
  /** Catalog id or directory URL, as given. */
  ca: string;
  /** What `ca` resolved to when the certificate was obtained. */
  directoryUrl: string;
  caBundlePath?: string;
  /** The account that obtained it: `<ca-slug>/<email|default>` (see accounts.ts). */
  account?: string;
  keyType: KeyType;
  reuseKey?: boolean;
  challenge: ChallengeConfig;
  preferredChain?: string;
  fallback?: string[];
  /** A wait-policy override given for this certificate (flags), on top of the CA's settings. */
  policy?: PolicyOverride;
  /** ACME profile asked for (stored as given: a CA that drops it later gets the fallback or the failure again). */
  profile?: { name: string; required?: boolean };
  /**
   * The CA's renewalInfo URL (RFC 9773) when its directory advertised one at issuance. Renewal asks ARI only then,
   * so a CA without ARI is never contacted by a run that finds nothing due.
   */
  renewalInfoUrl?: string;
  /** ISO time of the issuance that wrote it. */
  savedAt: string;
}

export function storedRequestKey(certName: string): string {
  return `requests/${assertCertName(certName)}.json`;
}

export async function readStoredRequest(storage: StorageLike, certName: string): Promise<StoredRequest | undefined> {
  const store = storageOf(storage);
  const key = storedRequestKey(certName);
  const text = await store.load(key);
  return text === undefined ? undefined : parse(text, store.locate(key));
}

export async function writeStoredRequest(storage: StorageLike, request: StoredRequest): Promise<void> {
  // Not a secret (the file backend keeps it 0600 like the journal anyway): it names the account, not its key.
  await storageOf(storage).store(storedRequestKey(request.certName), `${JSON.stringify(request, null, 2)}\n`);
}

function parse(text: string, file: string): StoredRequest {
  const hint = `Fix it in an editor, or move it aside (mv ${file} ${file}.bad): the next issue then starts from the command line and settings alone.`;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('request-corrupt', `The stored request ${file} is not valid JSON (${(err as Error).message}).`, hint);
  }
  const r = v as Partial<StoredRequest> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.certName !== 'string' ||
    !Array.isArray(r.domains) ||
    typeof r.ca !== 'string' ||
    typeof r.directoryUrl !== 'string' ||
    typeof r.keyType !== 'string' ||
    typeof r.challenge !== 'object' ||
    r.challenge === null ||
    (r.account !== undefined && typeof r.account !== 'string')
  ) {
    throw new ConfigError('request-corrupt', `The stored request ${file} does not have the expected fields (certName, domains, ca, directoryUrl, keyType, challenge).`, hint);
  }
  return r as StoredRequest;
}

/** Every certificate's stored request (an unreadable one is skipped: this feeds views, never a decision). */
export async function listStoredRequests(storage: StorageLike): Promise<StoredRequest[]> {
  const entries = await storageOf(storage).list('requests');
  const out: StoredRequest[] = [];
  for (const entry of entries.filter((e) => e.endsWith('.json'))) {
    const found = await readStoredRequest(storage, entry.slice(0, -'.json'.length)).catch(() => undefined);
    if (found) out.push(found);
  }
  return out;
}
