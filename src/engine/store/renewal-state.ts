import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { assertCertName } from '../names.js';
import { errnoCode, storageError, writeFileAtomic } from './atomic.js';
import type { StatePaths } from './paths.js';

/**
 * What renewal remembers about one certificate between runs (`renewal/<name>.json`): the CA's last ARI answer
 * (RFC 9773) with the time chosen inside its window, and the retry schedule after failed renewals. It belongs to
 * one certificate, named by its serial: once another certificate is in place (renewed by any means) it no longer
 * applies and is read as empty. Losing it loses nothing that matters: the next run asks the CA again, and the
 * lifetime rule still applies.
 */
export interface RenewalState {
  formatVersion: 1;
  certName: string;
  /** The certificate this is about (upper-case hex, as meta.json has it). */
  serial: string;
  ari?: CachedAri;
  retry?: RetryState;
}

export interface CachedAri {
  certId: string;
  /** The renewalInfo URL the answer came from (without the certID). */
  url: string;
  /** The last valid suggested window (ISO); absent until one was seen. */
  window?: { start: string; end: string };
  /** The time chosen uniformly inside `window`, kept while the window stays the same. */
  selectedAt?: string;
  explanationUrl?: string;
  /** When the CA last answered with a valid window. */
  fetchedAt?: string;
  /** When to ask again (Retry-After, clamped). */
  nextFetchAt: string;
  /** Why the last attempt to ask gave nothing usable (unreachable CA, bad answer). */
  lastError?: string;
}

export interface RetryState {
  /** Consecutive failed renewals of this certificate. */
  failures: number;
  lastAt: string;
  lastError: string;
  nextAttemptAt: string;
}

export function renewalStateFile(paths: StatePaths, certName: string): string {
  return path.join(paths.renewalDir, `${assertCertName(certName)}.json`);
}

/**
 * The state for the certificate with this serial; an empty one when there is none, it is about another
 * certificate, or it cannot be read (a damaged file must never stop a renewal: it only costs one more ARI fetch).
 */
export async function readRenewalState(paths: StatePaths, certName: string, serial: string): Promise<RenewalState> {
  const empty: RenewalState = { formatVersion: 1, certName, serial };
  const file = renewalStateFile(paths, certName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return empty;
    throw storageError(err, file, 'read');
  }
  try {
    const v = JSON.parse(text) as Partial<RenewalState> | null;
    if (!v || typeof v !== 'object' || v.serial !== serial) return empty;
    return {
      ...empty,
      ...(isAri(v.ari) ? { ari: v.ari } : {}),
      ...(isRetry(v.retry) ? { retry: v.retry } : {}),
    };
  } catch {
    return empty;
  }
}

export async function writeRenewalState(paths: StatePaths, state: RenewalState): Promise<void> {
  await writeFileAtomic(renewalStateFile(paths, state.certName), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

function isAri(v: unknown): v is CachedAri {
  const a = v as Partial<CachedAri> | undefined;
  return typeof a === 'object' && a !== null && typeof a.certId === 'string' && typeof a.url === 'string' && typeof a.nextFetchAt === 'string';
}

function isRetry(v: unknown): v is RetryState {
  const r = v as Partial<RetryState> | undefined;
  return typeof r === 'object' && r !== null && typeof r.failures === 'number' && typeof r.nextAttemptAt === 'string' && typeof r.lastAt === 'string';
}
