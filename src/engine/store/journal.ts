import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ChallengeConfig, Dns01Config } from '../api.js';
import type { PublishedRecord } from '../challenge/solver.js';
import { BugError, ConfigError } from '../core/errors.js';
import type { KeyType, OrderOutcome, RenewalFailure } from '../events.js';
import { assertCertName } from '../names.js';
import { storageOf, type StorageLike } from './file-storage.js';
import type { Storage } from './storage.js';

/**
 * The order journal: one JSON file per certificate (`journal/<name>.json`) saying which order is in flight, so a
 * restart resumes it instead of creating a new one (new orders cost rate limit). The private key for the pending
 * certificate is written to `journal/<name>.<startedAt>.key` before any order exists, and removed only after the
 * order is finished (for a valid one: after the certificate files were saved).
 *
 * Callers hold the certificate's lock (lock.ts); the journal does no locking of its own.
 */

export interface JournalRequest {
  domains: string[];
  caId: string;
  directoryUrl: string;
  keyType: KeyType;
}

export interface JournalCurrent {
  orderUrl?: string;
  caId: string;
  directoryUrl: string;
  /** The pending certificate's private key (0600), written before the order was created. */
  keyFile: string;
  /** Set once finalize was sent: a resumed order must then poll, never finalize a second time. */
  finalizeSentAt?: number;
  startedAt: number;
}

export interface JournalHistoryEntry {
  orderUrl?: string;
  caId: string;
  outcome: OrderOutcome;
  reason?: string;
  at: number;
}

export interface Journal {
  formatVersion: 1;
  certName: string;
  request: JournalRequest;
  /** Hash of the normalized request; a different key means the user changed the request and resuming is wrong. */
  requestKey: string;
  current?: JournalCurrent;
  history: JournalHistoryEntry[];
  /**
   * The last run of this request that ended in failure (a resumable timeout or network error included), until an
   * order is valid again: what tells "renewal failed, certificate still valid" after a cron run.
   */
  lastFailure?: RenewalFailure;
  /**
   * dns-01 TXT records that are (or may be) published and not yet cleaned up, with the hooks that clean them:
   * written before each auth hook runs, removed after its cleanup hook succeeded. Kept across orders (a crashed
   * run's records are cleaned by the next run, whatever it orders).
   */
  dnsRecords?: { config: Dns01Config; records: PublishedRecord[] };
}

/** Older entries are dropped; the journal is for resuming and recent troubleshooting, not an archive. */
export const HISTORY_LIMIT = 50;

/** Where the journal of a certificate is, for messages and hints. */
export function journalFile(storage: StorageLike, certName: string): string {
  return storageOf(storage).locate(journalKey(certName));
}

function journalKey(certName: string): string {
  return `journal/${certName}.json`;
}

/** sha256 over the sorted domains, CA and key type: what makes two requests "the same certificate". */
export function requestKeyOf(req: Pick<JournalRequest, 'domains' | 'caId' | 'keyType'>): string {
  const normalized = JSON.stringify({ domains: [...req.domains].sort(), caId: req.caId, keyType: req.keyType });
  return createHash('sha256').update(normalized).digest('hex');
}

export async function readJournal(storage: StorageLike, certName: string): Promise<Journal | undefined> {
  assertCertName(certName);
  const store = storageOf(storage);
  const text = await store.load(journalKey(certName));
  return text === undefined ? undefined : parseJournal(text, store.locate(journalKey(certName)));
}

/** Names of certificates whose journal has an order in flight (for resuming after a crash). */
export async function listUnfinished(storage: StorageLike): Promise<string[]> {
  const entries = await storageOf(storage).list('journal');
  const out: string[] = [];
  for (const entry of entries.filter((e) => e.endsWith('.json'))) {
    const certName = entry.slice(0, -'.json'.length);
    const journal = await readJournal(storage, certName);
    if (journal?.current) out.push(certName);
  }
  return out;
}

/**
 * Starts a new order for `certName`: writes the pending key (0600) first, then the journal naming it. An order still
 * in flight is moved to history as abandoned (the caller decided not to resume it).
 */
export async function beginOrder(
  storage: StorageLike,
  certName: string,
  opts: {
    request: JournalRequest;
    keyPem: string;
    startedAt: number;
    /** Why the order in flight is given up (history), e.g. a switch of CA. @default "replaced by a new order" */
    replacesReason?: string;
  },
): Promise<Journal> {
  const store = storageOf(storage);
  const previous = await readJournal(store, certName);
  const pendingKey = `journal/${certName}.${opts.startedAt}.key`;
  await store.store(pendingKey, opts.keyPem, { secret: true });
  const keyFile = store.locate(pendingKey);

  let history = previous?.history ?? [];
  if (previous?.current) {
    history = [...history, historyEntry(previous.current, 'abandoned', opts.replacesReason ?? 'replaced by a new order', opts.startedAt)];
  }
  const journal: Journal = {
    formatVersion: 1,
    certName,
    request: opts.request,
    requestKey: requestKeyOf(opts.request),
    current: {
      caId: opts.request.caId,
      directoryUrl: opts.request.directoryUrl,
      keyFile,
      startedAt: opts.startedAt,
    },
    history: history.slice(-HISTORY_LIMIT),
    ...(previous?.lastFailure ? { lastFailure: previous.lastFailure } : {}),
    ...(previous?.dnsRecords ? { dnsRecords: previous.dnsRecords } : {}),
  };
  await writeJournal(store, journal);
  await removeOrphanKeys(store, certName, pendingKey);
  return journal;
}

/** Pending keys of this certificate that no journal names any more (an abandoned order, or a crash after finish). */
async function removeOrphanKeys(store: Storage, certName: string, keep: string): Promise<void> {
  for (const entry of await store.list('journal')) {
    const key = `journal/${entry}`;
    if (isPendingKeyName(certName, entry) && key !== keep) await store.delete(key);
  }
}

function isPendingKeyName(certName: string, name: string): boolean {
  return new RegExp(`^${certName.replace(/[.+]/g, '\\$&')}\\.\\d+\\.key$`).test(name);
}

/** Notes that a run of this request failed; kept (across new orders) until one is valid. */
export async function recordFailure(paths: StorageLike, certName: string, failure: RenewalFailure): Promise<void> {
  const journal = await readJournal(paths, certName);
  if (journal) await writeJournal(paths, { ...journal, lastFailure: failure });
}

function sameRecord(a: PublishedRecord, b: PublishedRecord): boolean {
  return a.fqdn === b.fqdn && a.value === b.value && a.domain === b.domain;
}

/**
 * Notes dns-01 records as published (replacing earlier notes of the same records), with the hook settings that
 * remove them. Call before the hook runs: a crash during it must still leave the note.
 */
export async function recordDnsPublished(paths: StorageLike, certName: string, config: Dns01Config, records: PublishedRecord[]): Promise<void> {
  const journal = await requireJournal(paths, certName);
  const kept = (journal.dnsRecords?.records ?? []).filter((old) => !records.some((r) => sameRecord(old, r)));
  await writeJournal(paths, { ...journal, dnsRecords: { config, records: [...kept, ...records] } });
}

/** Forgets records whose cleanup hook succeeded. */
export async function recordDnsCleaned(paths: StorageLike, certName: string, records: PublishedRecord[]): Promise<void> {
  const journal = await readJournal(paths, certName);
  if (!journal?.dnsRecords) return;
  const left = journal.dnsRecords.records.filter((old) => !records.some((r) => sameRecord(old, r)));
  const { dnsRecords, ...rest } = journal;
  await writeJournal(paths, left.length ? { ...rest, dnsRecords: { config: dnsRecords.config, records: left } } : rest);
}

/** Call the moment the CA returns the order's Location, before anything else can fail. */
export async function recordOrderUrl(paths: StorageLike, certName: string, orderUrl: string): Promise<Journal> {
  return updateCurrent(paths, certName, (c) => ({ ...c, orderUrl }));
}

/** Call just before sending finalize: after a crash the order must be re-read, not finalized again. */
export async function recordFinalizeSent(paths: StorageLike, certName: string, at: number): Promise<Journal> {
  return updateCurrent(paths, certName, (c) => ({ ...c, finalizeSentAt: at }));
}

/**
 * Ends the order in flight: moves it to history, then deletes its pending key. For a valid order call this only
 * after saveCertificate returned (the saved privkey.pem is then the key's durable copy).
 */
export async function finishOrder(
  paths: StorageLike,
  certName: string,
  opts: { outcome: OrderOutcome; reason?: string; at: number },
): Promise<Journal> {
  const journal = await requireJournal(paths, certName);
  const current = journal.current;
  if (!current) throw new BugError(`finishOrder(${certName}): no order in flight in ${journalFile(paths, certName)}`);
  const { current: _done, lastFailure, ...rest } = journal;
  const next: Journal = { ...rest, ...(lastFailure && opts.outcome !== 'valid' ? { lastFailure } : {}), history: [...journal.history, historyEntry(current, opts.outcome, opts.reason, opts.at)].slice(-HISTORY_LIMIT) };
  await writeJournal(paths, next);
  // After the journal stopped naming it: a crash in between leaves an orphan key file, never a dangling reference.
  await removePendingKey(paths, certName, current.keyFile);
  return next;
}

export async function readPendingKey(storage: StorageLike, current: JournalCurrent): Promise<string> {
  // keyFile is where beginOrder put the key (store.locate of journal/<name>.<startedAt>.key): its last segment is the key's.
  const text = await storageOf(storage).load(`journal/${path.posix.basename(current.keyFile.replaceAll('\\', '/'))}`);
  if (text === undefined) {
    throw new ConfigError(
      'journal-key-missing',
      `The pending private key ${current.keyFile} named by the order journal is gone.`,
      'The order cannot be resumed with its key; certdeck will start a new order (run the command again).',
    );
  }
  return text;
}

async function updateCurrent(paths: StorageLike, certName: string, change: (c: JournalCurrent) => JournalCurrent): Promise<Journal> {
  const journal = await requireJournal(paths, certName);
  if (!journal.current) throw new BugError(`no order in flight for ${certName} in ${journalFile(paths, certName)}`);
  const next: Journal = { ...journal, current: change(journal.current) };
  await writeJournal(paths, next);
  return next;
}

async function requireJournal(paths: StorageLike, certName: string): Promise<Journal> {
  const journal = await readJournal(paths, certName);
  if (!journal) throw new BugError(`no order journal for ${certName} at ${journalFile(paths, certName)}`);
  return journal;
}

async function writeJournal(storage: StorageLike, journal: Journal): Promise<void> {
  // Not a secret (it names account and order URLs; 0600 on disk all the same): the pending key is stored apart.
  await storageOf(storage).store(journalKey(journal.certName), `${JSON.stringify(journal, null, 2)}\n`);
}

/** Only pending keys of the journal are ours to delete (never a live privkey.pem a caller pointed at). */
async function removePendingKey(storage: StorageLike, certName: string, keyFile: string): Promise<void> {
  const store = storageOf(storage);
  const name = path.posix.basename(keyFile.replaceAll('\\', '/'));
  const key = `journal/${name}`;
  if (!isPendingKeyName(certName, name) || store.locate(key) !== keyFile) return;
  await store.delete(key);
}

function historyEntry(current: JournalCurrent, outcome: OrderOutcome, reason: string | undefined, at: number): JournalHistoryEntry {
  return {
    ...(current.orderUrl === undefined ? {} : { orderUrl: current.orderUrl }),
    caId: current.caId,
    outcome,
    ...(reason === undefined ? {} : { reason }),
    at,
  };
}

function parseJournal(text: string, file: string): Journal {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw corrupt(file, `is not valid JSON (${(err as Error).message})`);
  }
  const j = v as Partial<Journal> | null;
  const problems: string[] = [];
  if (typeof j !== 'object' || j === null) problems.push('not an object');
  else {
    if (typeof j.certName !== 'string') problems.push('certName');
    if (typeof j.requestKey !== 'string') problems.push('requestKey');
    const r = j.request;
    if (typeof r !== 'object' || r === null || !Array.isArray(r.domains) || typeof r.caId !== 'string' || typeof r.directoryUrl !== 'string' || typeof r.keyType !== 'string') {
      problems.push('request');
    }
    if (!Array.isArray(j.history)) problems.push('history');
    const c = j.current;
    if (c !== undefined && (typeof c !== 'object' || c === null || typeof c.keyFile !== 'string' || typeof c.caId !== 'string' || typeof c.startedAt !== 'number')) {
      problems.push('current');
    }
    const f = j.lastFailure;
    if (f !== undefined && (typeof f !== 'object' || f === null || typeof f.at !== 'number' || typeof f.caId !== 'string' || typeof f.reason !== 'string')) {
      problems.push('lastFailure');
    }
  }
  if (problems.length) throw corrupt(file, `is missing or has invalid fields: ${problems.join(', ')}`);
  return j as Journal;
}

function corrupt(file: string, what: string): ConfigError {
  return new ConfigError(
    'journal-corrupt',
    `The order journal ${file} ${what}.`,
    `Rename it (mv ${file} ${file}.bad) or delete it; certdeck then starts a new order instead of resuming the old one.`,
  );
}
