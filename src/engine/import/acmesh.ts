import os from 'node:os';
import path from 'node:path';
import type { ChallengeConfig } from '../api.js';
import type { KeyType } from '../events.js';
import { defaultCertName } from '../names.js';
import { hookArgv, keyTypeOf } from './hook-command.js';
import { findDirsWith, listDir, readRequired, readTextIfExists } from './read-only.js';
import type { FoundAccount, FoundCertificate, FoundDeployTarget, FoundSet, ImportSource, NotCarried } from './types.js';

/**
 * acme.sh's home (~/.acme.sh): one directory per certificate, `<domain>/` or `<domain>_ecc/`, holding
 * `<domain>.conf` (KEY='value' lines; `__ACME_BASE64__START_…__ACME_BASE64__END_` wraps values such as Le_ReloadCmd),
 * `<domain>.cer`, `<domain>.key`, `ca.cer`; accounts in `ca/<host>/<path>/account.key` with `ca.conf`
 * (ACCOUNT_URL) and the registration e-mail in `account.conf` (ACCOUNT_EMAIL).
 * Source: acme.sh@d60c75b (see research/next-capabilities.md section 6.2).
 */
export const acmeShSource: ImportSource = {
  client: 'acme.sh',
  defaultDir: (env) => env.LE_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.acme.sh'),
  async read(opts): Promise<FoundSet> {
    const home = opts.dir;
    const skipped: NotCarried[] = [];
    const certificates: FoundCertificate[] = [];
    const globalConf = parseAcmeConf((await readTextIfExists(path.join(home, 'account.conf'))) ?? '');
    const certHome = globalConf.CERT_HOME || home;
    for (const entry of await listDir(certHome)) {
      if (entry === 'ca' || entry === 'deploy' || entry === 'dnsapi' || entry === 'notify' || entry === 'http.header') continue;
      const domain = entry.endsWith('_ecc') ? entry.slice(0, -'_ecc'.length) : entry;
      const confFile = path.join(certHome, entry, `${domain}.conf`);
      const text = await readTextIfExists(confFile).catch(() => undefined);
      if (text === undefined) continue;
      certificates.push(await readCertDir(path.join(certHome, entry), domain, confFile, parseAcmeConf(text)));
    }
    const apis = certificates.map((c) => c.directoryUrl).filter((u): u is string => u !== undefined);
    const accounts = await readAccounts(path.join(home, 'ca'), apis, globalConf.ACCOUNT_EMAIL);
    // A certificate uses the account of its CA (acme.sh keeps one per CA).
    for (const c of certificates) {
      const account = accounts.find((a) => c.directoryUrl !== undefined && a.directoryUrl === c.directoryUrl);
      if (account) c.account = { sourceId: account.sourceId };
    }
    return { client: 'acme.sh', dir: home, certificates, accounts, skipped };
  },
};

const B64_START = '__ACME_BASE64__START_';
const B64_END = '__ACME_BASE64__END_';

/** `KEY='value'` lines as acme.sh's _setopt writes them; base64-wrapped values decoded. */
export function parseAcmeConf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (!m) continue;
    let v = m[2]!.trim();
    const q = /^(['"])(.*)\1$/.exec(v);
    if (q) v = q[2]!;
    if (v.startsWith(B64_START) && v.endsWith(B64_END)) v = Buffer.from(v.slice(B64_START.length, -B64_END.length), 'base64').toString('utf8');
    out[m[1]!] = v;
  }
  return out;
}

async function readCertDir(dir: string, domain: string, confFile: string, c: Record<string, string>): Promise<FoundCertificate> {
  const problems: string[] = [];
  const notCarried: NotCarried[] = [];
  const mainDomain = c.Le_Domain || domain;
  const alt = c.Le_Alt && c.Le_Alt !== 'no' ? c.Le_Alt.split(',').map((s) => s.trim()).filter(Boolean) : [];
  const domains = [mainDomain, ...alt.filter((d) => d !== mainDomain)];
  const certPem = await readRequired(path.join(dir, `${domain}.cer`), problems, 'certificate');
  const keyPem = await readRequired(path.join(dir, `${domain}.key`), problems, 'private key');
  const chainPem = await readRequired(path.join(dir, 'ca.cer'), problems, 'issuer chain');
  const keyType = acmeKeyType(c.Le_Keylength, notCarried);
  const challenge = acmeChallenge(domains, c, notCarried);

  const deployTargets: FoundDeployTarget[] = [];
  const paths = {
    ...(c.Le_RealCertPath ? { cert: c.Le_RealCertPath } : {}),
    ...(c.Le_RealKeyPath ? { key: c.Le_RealKeyPath } : {}),
    ...(c.Le_RealCACertPath ? { chain: c.Le_RealCACertPath } : {}),
    ...(c.Le_RealFullChainPath ? { fullchain: c.Le_RealFullChainPath } : {}),
  };
  if (Object.keys(paths).length) deployTargets.push({ kind: 'files', paths, from: 'Le_RealCertPath/Le_RealKeyPath/Le_RealCACertPath/Le_RealFullChainPath (--install-cert)' });
  if (c.Le_ReloadCmd) deployTargets.push({ kind: 'command', argv: hookArgv(c.Le_ReloadCmd), from: `Le_ReloadCmd = ${c.Le_ReloadCmd}` });
  if (c.Le_RenewHook) deployTargets.push({ kind: 'command', argv: hookArgv(c.Le_RenewHook), from: `Le_RenewHook = ${c.Le_RenewHook}` });
  if (c.Le_PostHook) {
    deployTargets.push({ kind: 'command', argv: hookArgv(c.Le_PostHook), from: `Le_PostHook = ${c.Le_PostHook}` });
    notCarried.push({ what: `Le_PostHook = ${c.Le_PostHook}`, reason: 'acme.sh runs it after every renewal attempt; certdeck runs it as a deploy target, i.e. after a successful one only' });
  }
  if (c.Le_PreHook) notCarried.push({ what: `Le_PreHook = ${c.Le_PreHook}`, reason: 'certdeck has no hook before an order; if it freed port 80, switch to a webroot (certdeck issue NAME --webroot DIR)' });
  if (c.Le_DeployHook) {
    notCarried.push({ what: `Le_DeployHook = ${c.Le_DeployHook}`, reason: `acme.sh's deploy scripts (${c.Le_DeployHook}) have no certdeck equivalent; add a files target and a reload command (certdeck deploy add NAME ...)` });
  }
  if (c.Le_RenewalDays) notCarried.push({ what: `Le_RenewalDays = ${c.Le_RenewalDays}`, reason: 'certdeck renews when a third of the lifetime is left, whatever the lifetime; a fixed number of days is not kept' });
  if (c.Le_Certificate_Profile) notCarried.push({ what: `Le_Certificate_Profile = ${c.Le_Certificate_Profile}`, reason: 'certdeck does not request ACME profiles yet; the CA will issue its default profile' });
  if (c.Le_OCSP_Staple === '1') notCarried.push({ what: 'Le_OCSP_Staple = 1', reason: 'certdeck does not request OCSP must-staple certificates' });
  if (c.Le_PFXPassword) notCarried.push({ what: 'Le_PFXPassword', reason: 'add a PFX target with the password in an environment variable: certdeck deploy add NAME --pfx OUT --password-env VAR' });

  return {
    sourceName: path.basename(dir),
    sourceFile: confFile,
    certName: defaultCertName(domains),
    domains,
    ...(certPem !== undefined ? { certPem } : {}),
    ...(chainPem !== undefined ? { chainPem } : {}),
    ...(keyPem !== undefined ? { keyPem } : {}),
    ...(c.Le_API ? { directoryUrl: c.Le_API } : {}),
    ...(keyType ? { keyType } : {}),
    ...(challenge ? { challenge } : {}),
    ...(c.Le_Preferred_Chain ? { preferredChain: c.Le_Preferred_Chain } : {}),
    deployTargets,
    problems,
    notCarried,
  };
}

function acmeKeyType(v: string | undefined, notCarried: NotCarried[]): KeyType | undefined {
  if (!v) return undefined;
  const t = v.startsWith('ec-') ? keyTypeOf('ec', v.slice(3)) : keyTypeOf('rsa', v);
  if (!t) notCarried.push({ what: `Le_Keylength = ${v}`, reason: 'certdeck makes ec-p256, ec-p384, rsa-2048, rsa-3072 or rsa-4096 keys; the next renewal uses ec-p256 unless told otherwise (--key-type)' });
  return t;
}

/** Le_Webroot has one token per name: a path (webroot), `no` (standalone), `alpn`, `dns_<api>`, `dns` (manual), ... */
function acmeChallenge(domains: string[], c: Record<string, string>, notCarried: NotCarried[]): ChallengeConfig | undefined {
  const tokens = [...new Set((c.Le_Webroot ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
  const what = `Le_Webroot = ${c.Le_Webroot ?? '(none)'}`;
  if (tokens.length === 1) {
    const t = tokens[0]!;
    if (t === 'no') {
      const port = c.Le_HTTPPort ? Number(c.Le_HTTPPort) : undefined;
      return { method: 'http-01-standalone', ...(port && port !== 80 ? { port } : {}), ...(c.Le_Listen_V4 ? { host: c.Le_Listen_V4 } : {}) };
    }
    if (t === 'alpn') {
      const port = c.Le_TLSPort ? Number(c.Le_TLSPort) : undefined;
      return { method: 'tls-alpn-01', ...(port && port !== 443 ? { port } : {}) };
    }
    if (t.startsWith('/')) return { method: 'http-01-webroot', webroot: t };
    if (t.startsWith('dns_')) {
      notCarried.push({
        what,
        reason: `acme.sh's DNS API script ${t} (dnsapi/${t}.sh, credentials in account.conf as SAVED_* variables) has no certdeck equivalent: write a dns-01 hook called as HOOK present|cleanup FQDN VALUE that sets the TXT record through that API, then certdeck issue ${domains[0]} --dns-hook HOOK`,
      });
      return undefined;
    }
    if (t === 'dns') {
      notCarried.push({ what, reason: 'manual DNS mode needs a person at every renewal; give certdeck a dns-01 hook (certdeck issue NAME --dns-hook HOOK)' });
      return undefined;
    }
    if (t === 'nginx' || t === 'apache') {
      notCarried.push({ what, reason: `certdeck does not reconfigure ${t} to answer challenges; serve /.well-known/acme-challenge/ from a directory and use certdeck issue NAME --webroot DIR` });
      return undefined;
    }
  }
  notCarried.push({
    what,
    reason: tokens.length > 1 ? 'certdeck proves every name of a certificate the same way (one webroot, or one hook); choose one with certdeck issue NAME --webroot DIR or --dns-hook HOOK' : 'no certdeck equivalent; choose a challenge with certdeck issue NAME (--webroot, --http-port, --dns-hook)',
  });
  return undefined;
}

async function readAccounts(root: string, apis: string[], globalEmail: string | undefined): Promise<FoundAccount[]> {
  const out: FoundAccount[] = [];
  for (const dir of await findDirsWith(root, ['account.key'], 5)) {
    const problems: string[] = [];
    const rel = path.relative(root, dir).split(path.sep).join('/');
    // acme.sh names the directory after the API's host without its port, then the path.
    const directoryUrl = apis.find((api) => caDirKey(api) === rel) ?? `https://${rel}`;
    const keyPem = await readRequired(path.join(dir, 'account.key'), problems, 'account key');
    const caConf = parseAcmeConf((await readTextIfExists(path.join(dir, 'ca.conf')).catch(() => undefined)) ?? '');
    const accountUrl = caConf.ACCOUNT_URL;
    if (!accountUrl) problems.push(`${path.join(dir, 'ca.conf')} has no ACCOUNT_URL (acme.sh never finished registering this account)`);
    let email: string | undefined;
    const json = await readTextIfExists(path.join(dir, 'account.json')).catch(() => undefined);
    if (json) {
      try {
        const contact = (JSON.parse(json) as { contact?: unknown }).contact;
        const mail = Array.isArray(contact) ? contact.find((x): x is string => typeof x === 'string' && x.startsWith('mailto:')) : undefined;
        if (mail) email = mail.slice('mailto:'.length);
      } catch {
        // account.json is only where the e-mail comes from; account.conf's ACCOUNT_EMAIL is the fallback.
      }
    }
    email ??= globalEmail || undefined;
    out.push({ sourceId: `ca/${rel}`, sourceDir: dir, directoryUrl, ...(email ? { email } : {}), ...(accountUrl ? { accountUrl } : {}), ...(keyPem ? { keyPem } : {}), problems });
  }
  return out;
}

/** acme.sh's CA_DIR below ca/: `cut -d : -f 2 | tr -s / | cut -d / -f 2` (host, port dropped), then the path. */
function caDirKey(api: string): string {
  try {
    const u = new URL(api);
    return `${u.hostname}${u.pathname.replace(/\/+$/, '').replace(/\/+/g, '/')}`;
  } catch {
    return api;
  }
}
