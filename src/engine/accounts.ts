import type { AccountInfo, AccountInput, CaInfo } from './api.js';
import { BadInputError } from './core/errors.js';
import type { SessionRegistry } from './acme/session-registry.js';
import type { ResolvedCa } from './ca/catalog.js';
import { accountId, listAccounts, loadAccount, readAccountRecord, type AccountRecord } from './store/accounts.js';
import type { Storage } from './store/storage.js';
import { listStoredRequests } from './store/stored-request.js';

/**
 * ACME accounts as the engine offers them: listed, shown and created by reference (`<ca-slug>/<email|default>`),
 * deactivated at the CA. Keys and EAB HMAC keys never leave the store; views get AccountInfo only.
 */

export interface AccountDeps {
  storage: Storage;
  cas: () => CaInfo[];
  resolve: (idOrUrl: string, caBundlePath: string | undefined) => ResolvedCa;
  sessions: () => Promise<SessionRegistry>;
}

export async function listAccountInfos(deps: AccountDeps): Promise<AccountInfo[]> {
  const [records, requests] = await Promise.all([listAccounts(deps.storage), listStoredRequests(deps.storage)]);
  const cas = deps.cas();
  return records.map((r) => toInfo(r, cas, requests.filter((q) => q.account === r.id).map((q) => q.certName)));
}

export async function showAccountInfo(deps: AccountDeps, id: string): Promise<AccountInfo> {
  const record = await readAccountRecord(deps.storage, id.trim());
  if (!record) throw notFound(id);
  const requests = await listStoredRequests(deps.storage);
  return toInfo(record, deps.cas(), requests.filter((q) => q.account === record.id).map((q) => q.certName));
}

/**
 * Creates the account at the CA (agreeing to its terms of service), or finds the one already stored for this CA
 * and e-mail: the CA then sees no new registration.
 */
export async function addAccount(deps: AccountDeps, input: AccountInput, signal?: AbortSignal): Promise<{ account: AccountInfo; created: boolean }> {
  const ca = deps.resolve(input.ca, input.caBundlePath);
  const before = await loadAccount(deps.storage, ca.directoryUrl, input.email);
  if (before?.deactivatedAt) throw deactivated(accountId(ca.directoryUrl, input.email), before.deactivatedAt);
  const sessions = await deps.sessions();
  await sessions.get(ca, { agreeTos: input.agreeTos ?? false, ...(input.email ? { email: input.email } : {}), ...(input.eab ? { eab: input.eab } : {}) }, signal);
  const account = await showAccountInfo(deps, accountId(ca.directoryUrl, input.email));
  return { account, created: !before?.accountUrl };
}

/** RFC 8555 7.3.6, through the account's own session; the record stays, marked deactivated. */
export async function deactivateAccount(deps: AccountDeps, id: string, caBundlePath?: string, signal?: AbortSignal): Promise<AccountInfo> {
  const record = await readAccountRecord(deps.storage, id.trim());
  if (!record) throw notFound(id);
  if (record.deactivatedAt) throw deactivated(record.id, record.deactivatedAt);
  const info = toInfo(record, deps.cas(), []);
  const ca = deps.resolve(info.caId ?? record.directoryUrl, caBundlePath);
  const sessions = await deps.sessions();
  await sessions.deactivate(ca, record.email, signal);
  return showAccountInfo(deps, record.id);
}

function toInfo(r: AccountRecord, cas: CaInfo[], certificates: string[]): AccountInfo {
  const caId = cas.find((c) => c.directoryUrl === r.directoryUrl)?.id;
  return {
    id: r.id,
    ...(caId ? { caId } : {}),
    directoryUrl: r.directoryUrl,
    ...(r.email ? { email: r.email } : {}),
    ...(r.accountUrl ? { accountUrl: r.accountUrl } : {}),
    status: r.deactivatedAt ? 'deactivated' : r.accountUrl ? 'valid' : 'pending',
    termsOfService: { agreed: r.tosAgreed, ...(r.tosUrl ? { url: r.tosUrl } : {}), ...(r.tosAgreedAt ? { agreedAt: r.tosAgreedAt } : r.tosAgreed ? { agreedAt: r.createdAt } : {}) },
    createdAt: r.createdAt,
    ...(r.deactivatedAt ? { deactivatedAt: r.deactivatedAt } : {}),
    ...(r.eabKid ? { eabKid: r.eabKid } : {}),
    certificates,
  };
}

function notFound(id: string): BadInputError {
  return new BadInputError('no-such-account', `There is no account ${JSON.stringify(id)}.`, 'See `certdeck account list` for the references of the accounts certdeck has.');
}

function deactivated(id: string, at: string): BadInputError {
  return new BadInputError('account-deactivated', `The account ${id} was deactivated on ${at}.`, 'Create another account with another --email.');
}
