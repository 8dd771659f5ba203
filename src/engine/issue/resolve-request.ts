import type { ChallengeConfig, IssueRequest, ProfileChoice } from '../api.js';
import { BadInputError } from '../core/errors.js';
import type { KeyType } from '../events.js';
import { assertCertName, defaultCertName, normalizeDomains, sameDomainSet } from '../names.js';
import { listCertificates } from '../store/cert-files.js';
import type { CertificateSummary } from '../events.js';
import { checkDns01Config } from '../challenge/dns01/hooks.js';
import type { PolicyOverride } from '../policy.js';
import type { ResolvedCa } from '../ca/catalog.js';
import { accountId, listAccounts, readAccountRecord } from '../store/accounts.js';
import type { StorageLike } from '../store/file-storage.js';
import type { StatePaths } from '../store/paths.js';
import type { SettingsData } from '../store/settings.js';
import { readStoredRequest, type StoredRequest } from '../store/stored-request.js';

/**
 * What a run of `issue` actually uses, filled in from what the caller gave (flags, the form), the certificate's
 * own settings, its stored request and the settings' defaults, in that order. The one place this merge happens, so
 * the dashboard, `issue`, `--if-due` and a renew all obtain a certificate the same way.
 */
export interface EffectiveRequest {
  certName: string;
  domains: string[];
  ca: string;
  caBundlePath?: string;
  keyType: KeyType;
  reuseKey: boolean;
  challenge: ChallengeConfig;
  preferredChain?: string;
  fallback: string[];
  /** Overrides on top of the CA's policy, later ones winning: stored request, certificate settings, this run's. */
  policies: PolicyOverride[];
  /** The account's contact: chosen explicitly, or the one recorded for this certificate or CA. */
  email?: string;
  agreeTos: boolean;
  eab?: { kid: string; hmacKey: string };
  waitForLock: boolean;
  onlyIfDue: boolean;
  /** The stored request this run started from, if any (for the log line). */
  stored?: StoredRequest;
  /** The policy override given for this run, which the stored request keeps for later runs. */
  policy?: PolicyOverride;
  profile?: ProfileChoice;
  /** The certificate a renew replaces (ARI `replaces`), as the request gave it. */
  replacing?: { certId: string; directoryUrl: string };
}

export interface ResolveDeps {
  /** Where stored requests and accounts are. */
  storage: StorageLike;
  /** The local state home: the certificates this node serves (live/), matched by their names. */
  paths: StatePaths;
  settings: SettingsData;
  resolve: (idOrUrl: string, caBundlePath: string | undefined) => ResolvedCa;
}

export async function resolveIssueRequest(deps: ResolveDeps, request: IssueRequest): Promise<{ effective: EffectiveRequest; note?: string }> {
  const { storage, settings } = deps;
  // Wildcards are checked once the challenge is known (only dns-01 can validate them), below.
  const domains = normalizeDomains(request.domains, { wildcardAllowed: true });
  const certName = assertCertName(request.certName ?? (await certNameFor(deps.paths, domains)) ?? defaultCertName(domains));
  const stored = await readStoredRequest(storage, certName);
  const cert = settings.certificates?.[certName];

  const ca = request.ca ?? cert?.ca ?? stored?.ca ?? settings.defaultCa;
  if (!ca) {
    throw new BadInputError('no-ca', 'No CA chosen.', 'Pass --ca with a catalog id (letsencrypt-staging to try things out, letsencrypt, zerossl, sandbox for the local test CA) or an ACME directory URL, or set defaultCa in the settings file.');
  }
  // The stored CA bundle belongs to the stored CA only.
  const caBundlePath = request.caBundlePath ?? (stored && ca === stored.ca ? stored.caBundlePath : undefined);
  const primary = deps.resolve(ca, caBundlePath);
  const sameCa = stored !== undefined && stored.directoryUrl === primary.directoryUrl;
  const challenge: ChallengeConfig =
    request.challenge && stored && request.challenge.method === stored.challenge.method
      ? ({ ...stored.challenge, ...request.challenge } as ChallengeConfig)
      : (request.challenge ?? cert?.challenge ?? stored?.challenge ?? { method: 'http-01-standalone' });
  if (challenge.method === 'dns-01') checkDns01Config(challenge);
  else normalizeDomains(request.domains, { wildcardAllowed: false }); // throws the "wildcards need dns-01" error
  const email = request.email ?? cert?.email ?? (await recordedEmail(storage, stored, sameCa, primary)) ?? settings.defaultEmail ?? (await onlyAccountEmail(storage, primary));
  const preferredChain = request.preferredChain ?? stored?.preferredChain;
  const profile = request.profile ?? stored?.profile;

  const effective: EffectiveRequest = {
    certName,
    domains,
    ca,
    ...(caBundlePath ? { caBundlePath } : {}),
    keyType: request.keyType ?? cert?.keyType ?? stored?.keyType ?? settings.defaultKeyType ?? 'ec-p256',
    reuseKey: request.reuseKey ?? stored?.reuseKey ?? false,
    challenge,
    ...(preferredChain ? { preferredChain } : {}),
    fallback: request.fallback ?? cert?.fallback ?? stored?.fallback ?? settings.fallbackCas ?? [],
    policies: [stored?.policy, cert?.policy, request.policy].filter((p): p is PolicyOverride => p !== undefined),
    ...(request.policy ? { policy: request.policy } : stored?.policy ? { policy: stored.policy } : {}),
    ...(email ? { email } : {}),
    agreeTos: request.agreeTos ?? false,
    ...(request.eab ? { eab: request.eab } : {}),
    waitForLock: request.waitForLock ?? false,
    onlyIfDue: request.onlyIfDue ?? false,
    ...(stored ? { stored } : {}),
    ...(profile ? { profile } : {}),
    ...(request.replacing ? { replacing: request.replacing } : {}),
  };
  return { effective, ...(stored ? { note: describe(stored, effective, request, primary) } : {}) };
}

/** The account recorded in the stored request, when this run goes to the same CA and the account is still usable. */
async function recordedEmail(storage: StorageLike, stored: StoredRequest | undefined, sameCa: boolean, ca: ResolvedCa): Promise<string | undefined> {
  if (!stored?.account || !sameCa) return undefined;
  const record = await readAccountRecord(storage, stored.account).catch(() => undefined);
  if (!record || record.deactivatedAt || record.directoryUrl !== ca.directoryUrl) return undefined;
  return record.email;
}

/**
 * With nothing else to go on, the one account this CA already has: once an account exists, nobody is asked for
 * --email/--agree-tos again. With several, the choice is the operator's (and the e-mail-less default applies).
 */
async function onlyAccountEmail(storage: StorageLike, ca: ResolvedCa): Promise<string | undefined> {
  const usable = (await listAccounts(storage).catch(() => [])).filter((a) => a.directoryUrl === ca.directoryUrl && a.accountUrl && !a.deactivatedAt);
  return usable.length === 1 ? usable[0]!.email : undefined;
}

/** "using stored request for X: CA sandbox, account …; given for this run: key type ec-p256 -> rsa-2048". */
function describe(stored: StoredRequest, effective: EffectiveRequest, request: IssueRequest, ca: ResolvedCa): string {
  const account = accountId(ca.directoryUrl, effective.email);
  const used = [`CA ${effective.ca}`, `account ${account}`, `key ${effective.keyType}`, `challenge ${effective.challenge.method}`, ...(effective.profile ? [`profile ${effective.profile.name}`] : [])];
  const overrides: string[] = [];
  const differs = (label: string, given: unknown, was: unknown): void => {
    if (given !== undefined && was !== undefined && JSON.stringify(given) !== JSON.stringify(was)) overrides.push(`${label} ${String(was)} -> ${String(given)}`);
  };
  differs('--ca', request.ca, stored.ca);
  differs('--key-type', request.keyType, stored.keyType);
  differs('challenge', request.challenge?.method, stored.challenge.method);
  differs('--preferred-chain', request.preferredChain, stored.preferredChain);
  differs('--fallback', request.fallback?.join(','), stored.fallback?.join(','));
  differs('--profile', request.profile?.name, stored.profile?.name);
  if (stored.account && account !== stored.account && request.email !== undefined) overrides.push(`--email: account ${stored.account} -> ${account}`);
  return `using stored request for ${effective.certName}: ${used.join(', ')}${overrides.length ? `; given for this run: ${overrides.join('; ')}` : ''}`;
}

/**
 * The certificate already managed for exactly these names, in whatever order they were given: `issue b a --if-due`
 * after `issue a b` renews live/a instead of starting a second certificate live/b for the same names. The default
 * name's own directory wins when it matches, so nothing changes for the usual case.
 */
async function certNameFor(paths: StatePaths, domains: string[]): Promise<string | undefined> {
  const { certificates } = await listCertificates(paths).catch(() => ({ certificates: [] as CertificateSummary[] }));
  const same = certificates.filter((c) => sameDomainSet(c.domains, domains));
  return (same.find((c) => c.certName === defaultCertName(domains)) ?? same[0])?.certName;
}
