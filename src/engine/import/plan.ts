import { createPublicKey } from 'node:crypto';
import type { CaInfo } from '../api.js';
import type { KeyType } from '../events.js';
import { defaultCertName, normalizeDomains, sameDomainSet, validateCertName } from '../names.js';
import { accountId, listAccounts, loadAccount } from '../store/accounts.js';
import { listCertificates } from '../store/cert-files.js';
import { inspectCertificate, keyMatchesCertificate, type CertificateFacts } from '../store/inspect.js';
import type { StatePaths } from '../store/paths.js';
import { loadTargets } from '../deploy/target-store.js';
import type { FoundAccount, FoundCertificate, FoundSet, ImportPlan, PlannedAccount, PlannedCertificate } from './types.js';

/**
 * Compares what a reader found with the certdeck home and decides, per item, "import", "already managed" or
 * "cannot import: why". Reads the home only. The plan for views carries no key; `Planned` keeps each planned item
 * next to the found one (with its key) for the writer.
 */
export interface Planned {
  plan: ImportPlan;
  certificates: Array<{ planned: PlannedCertificate; found: FoundCertificate; facts?: CertificateFacts }>;
  accounts: Array<{ planned: PlannedAccount; found: FoundAccount }>;
}

const KEY_TYPES: readonly KeyType[] = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'];

export async function planFound(paths: StatePaths, cas: CaInfo[], set: FoundSet, options: ImportPlan['options'], now: number): Promise<Planned> {
  const accounts = await planAccounts(paths, set.accounts);
  const certificates = await planCertificates(paths, cas, set.certificates, accounts, now);
  const all = [...accounts.map((a) => a.planned.action), ...certificates.map((c) => c.planned.action)];
  return {
    plan: {
      client: set.client,
      dir: set.dir,
      options,
      certificates: certificates.map((c) => c.planned),
      accounts: accounts.map((a) => a.planned),
      skipped: set.skipped,
      summary: {
        import: all.filter((a) => a === 'import').length,
        alreadyManaged: all.filter((a) => a === 'already-managed').length,
        cannotImport: all.filter((a) => a === 'cannot-import').length,
      },
    },
    certificates,
    accounts,
  };
}

async function planAccounts(paths: StatePaths, found: FoundAccount[]): Promise<Planned['accounts']> {
  const existing = await listAccounts(paths);
  const taken = new Map<string, string>();
  const out: Planned['accounts'] = [];
  for (const f of found) {
    const base: PlannedAccount = {
      sourceId: f.sourceId,
      sourceDir: f.sourceDir,
      action: 'cannot-import',
      ...(f.directoryUrl ? { directoryUrl: f.directoryUrl } : {}),
      ...(f.email ? { email: f.email } : {}),
      ...(f.accountUrl ? { accountUrl: f.accountUrl } : {}),
    };
    const done = (p: Partial<PlannedAccount>) => out.push({ planned: { ...base, ...p }, found: f });
    if (f.problems.length || !f.keyPem || !f.directoryUrl || !f.accountUrl) {
      done({ reason: f.problems.join('; ') || 'incomplete account' });
      continue;
    }
    let id: string;
    try {
      id = accountId(f.directoryUrl, f.email);
    } catch (err) {
      done({ reason: (err as Error).message });
      continue;
    }
    const sameUrl = existing.find((a) => a.accountUrl === f.accountUrl);
    if (sameUrl) {
      done({ action: 'already-managed', accountId: sameUrl.id, reason: `certdeck already uses this account as ${sameUrl.id}` });
      continue;
    }
    const stored = await loadAccount(paths, f.directoryUrl, f.email);
    if (stored) {
      if (sameKey(stored.keyPem, f.keyPem)) done({ action: 'already-managed', accountId: id, reason: `certdeck already has this account key as ${id}` });
      else done({ accountId: id, reason: `certdeck already has another account ${id} at this CA${f.email ? '' : ' without an e-mail'}; certificates from here renew with that one` });
      continue;
    }
    const other = taken.get(id);
    if (other) {
      done({ accountId: id, reason: `the account ${other} of this import becomes ${id} already (same CA and e-mail); certdeck keeps one account per CA and e-mail` });
      continue;
    }
    taken.set(id, f.sourceId);
    done({ action: 'import', accountId: id });
  }
  return out;
}

function sameKey(a: string, b: string): boolean {
  try {
    const pub = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');
    return pub(a) === pub(b);
  } catch {
    return false;
  }
}

async function planCertificates(paths: StatePaths, cas: CaInfo[], found: FoundCertificate[], accounts: Planned['accounts'], now: number): Promise<Planned['certificates']> {
  const listing = await listCertificates(paths);
  const home = listing.certificates;
  const planned: Planned['certificates'] = [];
  for (const f of found) {
    const notCarried = [...f.notCarried];
    const base: PlannedCertificate = {
      sourceName: f.sourceName,
      sourceFile: f.sourceFile,
      action: 'cannot-import',
      certName: f.certName,
      domains: f.domains,
      deployTargets: f.deployTargets,
      notCarried,
    };
    const done = (p: Partial<PlannedCertificate>, facts?: CertificateFacts) => planned.push({ planned: { ...base, ...p }, found: f, ...(facts ? { facts } : {}) });
    if (f.problems.length || !f.certPem || !f.keyPem) {
      done({ reason: f.problems.join('; ') || 'the certificate or its key is missing' });
      continue;
    }
    let facts: CertificateFacts;
    try {
      facts = inspectCertificate(f.certPem);
    } catch (err) {
      done({ reason: `the certificate does not parse (${(err as Error).message})` });
      continue;
    }
    const shown = {
      serial: facts.serial,
      notBefore: new Date(facts.notBefore).toISOString(),
      notAfter: new Date(facts.notAfter).toISOString(),
      issuer: facts.issuer,
      fingerprint: facts.fingerprint,
    };
    // The certificate's own names are what it covers; the client's list only orders them.
    const domains = f.domains.filter((d) => facts.dnsNames.includes(d)).concat(facts.dnsNames.filter((d) => !f.domains.includes(d)));
    const check = validateCertName(f.certName);
    const certName = check.ok ? f.certName : defaultCertName(domains);
    const with_ = { ...shown, domains, certName };
    if (!keyMatchesCertificate(f.certPem, f.keyPem)) {
      done({ ...with_, reason: 'the private key next to it is not the key of this certificate' }, facts);
      continue;
    }
    const same = home.find((c) => c.fingerprint === facts.fingerprint);
    if (same) {
      done({ ...with_, certName: same.certName, action: 'already-managed', reason: `already managed as ${same.certName} (serial ${same.serial})` }, facts);
      continue;
    }
    const sameNames = home.find((c) => sameDomainSet(c.domains, domains));
    if (sameNames) {
      done({ ...with_, certName: sameNames.certName, action: 'already-managed', reason: `certdeck already manages these names as ${sameNames.certName} (serial ${sameNames.serial}, another certificate); this one is not imported, so nothing is duplicated` }, facts);
      continue;
    }
    const earlier = planned.find((p) => p.planned.action === 'import' && sameDomainSet(p.planned.domains, domains));
    if (earlier) {
      done({ ...with_, reason: `${earlier.planned.sourceName} in this import has the same names and is imported instead` }, facts);
      continue;
    }
    if (!validateCertName(certName).ok) {
      done({ ...with_, reason: `no usable certificate name (${check.ok ? '' : check.reason})` }, facts);
      continue;
    }
    const damaged = listing.broken.find((b) => b.certName === certName);
    if (damaged) {
      done({ ...with_, reason: `certdeck's own ${certName} cannot be read (${damaged.message}); fix or move it aside first` }, facts);
      continue;
    }
    const taken = home.find((c) => c.certName === certName) ?? planned.find((p) => p.planned.action === 'import' && p.planned.certName === certName)?.planned;
    if (taken) {
      done({ ...with_, reason: `certdeck already has a certificate called ${certName} for other names (${taken.domains.join(', ')}); move one of them aside` }, facts);
      continue;
    }
    if (facts.notAfter < now) notCarried.push({ what: `the certificate (expired ${shown.notAfter})`, reason: 'imported as it is; certdeck issue NAME --if-due obtains a new one at once' });
    const request = storedRequestFor(f, facts, cas, accounts, domains, notCarried);
    if ((await loadTargets(paths, certName).catch(() => undefined))?.targets.length && f.deployTargets.length) {
      notCarried.push({ what: 'deploy targets', reason: `certdeck already has deploy targets for ${certName}; the other client's hooks are not added to them (certdeck deploy add NAME ...)` });
      done({ ...with_, action: 'import', deployTargets: [], ...(request ? { request } : {}) }, facts);
      continue;
    }
    done({ ...with_, action: 'import', ...(request ? { request } : {}) }, facts);
  }
  return planned;
}

function storedRequestFor(
  f: FoundCertificate,
  facts: CertificateFacts,
  cas: CaInfo[],
  accounts: Planned['accounts'],
  domains: string[],
  notCarried: PlannedCertificate['notCarried'],
): PlannedCertificate['request'] | undefined {
  if (!f.directoryUrl || !f.challenge) {
    if (!f.challenge && f.directoryUrl) notCarried.push({ what: 'renewal settings', reason: 'without a challenge certdeck can use, no stored request is written: the first certdeck issue of it needs --ca and a challenge (see above)' });
    return undefined;
  }
  if (f.challenge.method !== 'dns-01') {
    try {
      normalizeDomains(domains, { wildcardAllowed: false });
    } catch {
      notCarried.push({ what: 'the challenge', reason: 'a wildcard name needs dns-01: give certdeck a hook with certdeck issue NAME --dns-hook HOOK' });
      return undefined;
    }
  }
  const ca = cas.find((c) => c.directoryUrl === f.directoryUrl)?.id ?? f.directoryUrl;
  const keyType: KeyType = f.keyType ?? ((KEY_TYPES as readonly string[]).includes(facts.keyType) ? (facts.keyType as KeyType) : 'ec-p256');
  const account = f.account ? accounts.find((a) => a.found.sourceId === f.account!.sourceId)?.planned : undefined;
  const usable = account && account.action !== 'cannot-import' ? account.accountId : account?.accountId && account.reason?.startsWith('certdeck already has another account') ? account.accountId : undefined;
  return {
    ca,
    directoryUrl: f.directoryUrl,
    keyType,
    challenge: f.challenge,
    ...(f.preferredChain ? { preferredChain: f.preferredChain } : {}),
    ...(f.reuseKey ? { reuseKey: true } : {}),
    ...(usable ? { account: usable } : {}),
  };
}
