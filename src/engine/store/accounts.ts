import { createPrivateKey } from 'node:crypto';
import { BadInputError, ConfigError } from '../core/errors.js';
import { directorySlug } from '../names.js';
import { storageOf, type StorageLike } from './file-storage.js';

/**
 * ACME accounts, one per CA (keyed by a slug of its directory URL) and contact e-mail ("default" without one):
 * `accounts/<ca-slug>/<email>/{account.json, account.key, eab-hmac.key}`. Secrets live in their own 0600 files and
 * never in account.json, which views may print. The key is stored before the CA is asked to create the account,
 * so a crash between the two loses nothing: the next run finds the account again with onlyReturnExisting.
 */

export interface StoredAccount {
  directoryUrl: string;
  /** Contact e-mail; undefined for an account registered without one. */
  email?: string;
  /** PEM private key of the account (the caller generates it once; it is reused for every later order). */
  keyPem: string;
  /** Absent until the CA has created the account. */
  accountUrl?: string;
  tosAgreed: boolean;
  tosUrl?: string;
  /** ISO time the terms of service (tosUrl) were agreed to, i.e. when the account was created at the CA. */
  tosAgreedAt?: string;
  /** ISO time the account record was first saved. */
  createdAt: string;
  eabKid?: string;
  /** EAB HMAC key (base64url, as the CA hands it out). Kept in its own 0600 file. */
  eabHmacKey?: string;
  /** Set once the account was deactivated at the CA (RFC 8555 7.3.6); it is never used again. */
  deactivatedAt?: string;
}

/** An account's printable part, with its reference: what views may show (no key, no EAB HMAC). */
export type AccountRecord = Omit<StoredAccount, 'keyPem' | 'eabHmacKey'> & {
  /** `<ca-slug>/<email|default>`: the directory under accounts/, and how commands name the account. */
  id: string;
  dir: string;
};

/** account.json: the printable part of an account. */
interface AccountFile {
  formatVersion: 1;
  directoryUrl: string;
  email?: string;
  accountUrl?: string;
  tosAgreed: boolean;
  tosUrl?: string;
  tosAgreedAt?: string;
  createdAt: string;
  eabKid?: string;
  deactivatedAt?: string;
}

const FILES = { json: 'account.json', key: 'account.key', eab: 'eab-hmac.key' } as const;

/** Where one account is (a directory for the file backend): stable for a (directory URL, e-mail) pair. */
export function accountDir(storage: StorageLike, directoryUrl: string, email: string | undefined): string {
  return storageOf(storage).locate(accountKey(accountId(directoryUrl, email)));
}

/** The storage key of an account (its reference under accounts/), or of one of its files. */
function accountKey(id: string, file?: string): string {
  return file === undefined ? `accounts/${id}` : `accounts/${id}/${file}`;
}

/** The account's reference, `<ca-slug>/<email|default>`: its directory under accounts/. */
export function accountId(directoryUrl: string, email: string | undefined): string {
  return `${directorySlug(directoryUrl)}/${emailKey(email)}`;
}

function emailKey(email: string | undefined): string {
  const e = email?.trim().toLowerCase();
  if (!e) return 'default';
  if (!/^[^\s@]+@[^\s@]+$/.test(e)) {
    throw new BadInputError('bad-email', `${JSON.stringify(email)} is not an e-mail address.`, 'Pass one like --email ops@example.com, or none at all.');
  }
  // '@' keeps it from ever colliding with "default"; anything unusual becomes '_' so it stays one path segment.
  return e.replace(/[^a-z0-9._@+-]/g, '_');
}

/**
 * The stored account, or undefined when no key was ever saved for this CA and e-mail. The key is returned as
 * stored; `assertUsableAccountKey` checks it before it signs anything.
 */
export async function loadAccount(storage: StorageLike, directoryUrl: string, email: string | undefined): Promise<StoredAccount | undefined> {
  const store = storageOf(storage);
  const id = accountId(directoryUrl, email);
  const keyPem = await store.load(accountKey(id, FILES.key));
  if (keyPem === undefined) return undefined;
  const jsonText = await store.load(accountKey(id, FILES.json));
  const jsonFile = store.locate(accountKey(id, FILES.json));
  const eabHmacKey = (await store.load(accountKey(id, FILES.eab)))?.trim();
  const base: StoredAccount = {
    directoryUrl,
    ...(email ? { email } : {}),
    keyPem,
    tosAgreed: false,
    createdAt: '',
    ...(eabHmacKey ? { eabHmacKey } : {}),
  };
  // Key saved but the CA never answered (crash, network): the caller registers (or finds) the account with this key.
  if (jsonText === undefined) return base;
  const file = parseAccountFile(jsonText, jsonFile);
  return {
    ...base,
    ...(file.accountUrl === undefined ? {} : { accountUrl: file.accountUrl }),
    tosAgreed: file.tosAgreed,
    ...(file.tosUrl === undefined ? {} : { tosUrl: file.tosUrl }),
    createdAt: file.createdAt,
    ...(file.tosAgreedAt === undefined ? {} : { tosAgreedAt: file.tosAgreedAt }),
    ...(file.eabKid === undefined ? {} : { eabKid: file.eabKid }),
    ...(file.deactivatedAt === undefined ? {} : { deactivatedAt: file.deactivatedAt }),
  };
}

/**
 * Saves the account key alone, before the first request to the CA. Refuses to replace a different existing key:
 * that key may own an account (and its rate-limit history) the CA still knows.
 */
export async function saveAccountKey(storage: StorageLike, directoryUrl: string, email: string | undefined, keyPem: string): Promise<void> {
  const store = storageOf(storage);
  const key = accountKey(accountId(directoryUrl, email), FILES.key);
  const file = store.locate(key);
  const existing = await store.load(key);
  if (existing !== undefined) {
    if (existing === keyPem) return;
    throw new ConfigError(
      'account-key-exists',
      `An account key for ${directoryUrl} (${email ?? 'no e-mail'}) already exists in ${file}.`,
      'Load the existing account instead of generating a new key; to start over, move that directory aside.',
    );
  }
  await store.store(key, keyPem, { secret: true });
}

/** Writes the whole account: key (if not yet there), EAB HMAC key (own 0600 file), then account.json. */
export async function saveAccount(storage: StorageLike, account: StoredAccount): Promise<void> {
  const store = storageOf(storage);
  const id = accountId(account.directoryUrl, account.email);
  await saveAccountKey(store, account.directoryUrl, account.email, account.keyPem);
  if (account.eabHmacKey !== undefined) {
    await store.store(accountKey(id, FILES.eab), `${account.eabHmacKey}\n`, { secret: true });
  }
  const file: AccountFile = {
    formatVersion: 1,
    directoryUrl: account.directoryUrl,
    ...(account.email ? { email: account.email } : {}),
    ...(account.accountUrl === undefined ? {} : { accountUrl: account.accountUrl }),
    tosAgreed: account.tosAgreed,
    ...(account.tosUrl === undefined ? {} : { tosUrl: account.tosUrl }),
    ...(account.tosAgreedAt === undefined ? {} : { tosAgreedAt: account.tosAgreedAt }),
    createdAt: account.createdAt,
    ...(account.eabKid === undefined ? {} : { eabKid: account.eabKid }),
    ...(account.deactivatedAt === undefined ? {} : { deactivatedAt: account.deactivatedAt }),
  };
  // 0600 too: an account URL is not a secret, but nothing here needs to be readable by other users.
  await store.store(accountKey(id, FILES.json), `${JSON.stringify(file, null, 2)}\n`);
}

/** Every saved account's printable part (no keys), by reference; a key whose CA never answered is not listed. */
export async function listAccounts(storage: StorageLike): Promise<AccountRecord[]> {
  const store = storageOf(storage);
  const out: AccountRecord[] = [];
  for (const ca of await store.list('accounts')) {
    for (const who of await store.list(`accounts/${ca}`)) {
      const record = await readAccountRecord(store, `${ca}/${who}`);
      if (record) out.push(record);
    }
  }
  return out;
}

/** One account's printable part by its reference, or undefined when there is no such account record. */
export async function readAccountRecord(storage: StorageLike, id: string): Promise<AccountRecord | undefined> {
  const parts = id.split('/');
  if (parts.length !== 2 || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new BadInputError('bad-account-ref', `${JSON.stringify(id)} is not an account reference.`, 'Use one as `certdeck account list` shows it: <ca-slug>/<email|default>.');
  }
  const store = storageOf(storage);
  const dir = store.locate(accountKey(id));
  const file = store.locate(accountKey(id, FILES.json));
  const text = await store.load(accountKey(id, FILES.json));
  if (text === undefined) return undefined;
  const f = parseAccountFile(text, file);
  return {
    id,
    dir,
    directoryUrl: f.directoryUrl,
    ...(f.email === undefined ? {} : { email: f.email }),
    ...(f.accountUrl === undefined ? {} : { accountUrl: f.accountUrl }),
    tosAgreed: f.tosAgreed,
    ...(f.tosUrl === undefined ? {} : { tosUrl: f.tosUrl }),
    ...(f.tosAgreedAt === undefined ? {} : { tosAgreedAt: f.tosAgreedAt }),
    createdAt: f.createdAt,
    ...(f.eabKid === undefined ? {} : { eabKid: f.eabKid }),
    ...(f.deactivatedAt === undefined ? {} : { deactivatedAt: f.deactivatedAt }),
  };
}

/** Records that the CA deactivated the account; the key stays (it is the only proof of what was deactivated). */
export async function markAccountDeactivated(storage: StorageLike, directoryUrl: string, email: string | undefined, at: string): Promise<void> {
  const stored = await loadAccount(storage, directoryUrl, email);
  if (!stored) return;
  await saveAccount(storage, { ...stored, deactivatedAt: at });
}

function parseAccountFile(text: string, file: string): AccountFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw corrupt(file, `is not valid JSON (${(err as Error).message})`);
  }
  const f = v as Partial<AccountFile> | null;
  if (
    typeof f !== 'object' ||
    f === null ||
    typeof f.directoryUrl !== 'string' ||
    typeof f.tosAgreed !== 'boolean' ||
    typeof f.createdAt !== 'string' ||
    (f.accountUrl !== undefined && typeof f.accountUrl !== 'string')
  ) {
    throw corrupt(file, 'does not have the expected fields (directoryUrl, tosAgreed, createdAt)');
  }
  return f as AccountFile;
}

function corrupt(file: string, what: string): ConfigError {
  return new ConfigError(
    'account-corrupt',
    `The account record ${file} ${what}.`,
    `Move ${file} aside; the key next to it is kept and certdeck will look the account up again at the CA.`,
  );
}

/**
 * A damaged account key would otherwise surface as a signing failure deep in the ACME library, retried like a
 * network error: it is a configuration problem, said at once, with where the key is and what to do.
 */
export function assertUsableAccountKey(storage: StorageLike, directoryUrl: string, email: string | undefined, keyPem: string): void {
  try {
    createPrivateKey(keyPem);
  } catch (err) {
    const store = storageOf(storage);
    const dir = accountDir(store, directoryUrl, email);
    throw new ConfigError(
      'bad-account-key',
      `The account key ${store.locate(accountKey(accountId(directoryUrl, email), FILES.key))} is not a readable private key (${(err as Error).message}).`,
      `Restore it from a backup. To register a new account instead, move ${dir} aside (the CA keeps the old account and its history under the old key).`,
      err,
    );
  }
}
