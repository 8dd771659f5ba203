import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import path from 'node:path';
import type { ChallengeConfig } from '../api.js';
import type { KeyType } from '../events.js';
import { configBool, configList, parseConfigObj, type ConfigSection } from './configobj.js';
import { hookArgv, keyTypeOf } from './hook-command.js';
import { findDirsWith, listDir, readRequired, readTextIfExists } from './read-only.js';
import type { FoundAccount, FoundCertificate, FoundDeployTarget, FoundSet, ImportSource, NotCarried } from './types.js';

/**
 * certbot's config directory (/etc/letsencrypt): `renewal/<lineage>.conf` (ConfigObj, `[renewalparams]`,
 * `[[webroot_map]]`) pointing at `live/<lineage>/{cert,chain,privkey}.pem`, and accounts under
 * `accounts/<host[:port]/path of the server>/<id>/` with a JWK `private_key.json` and `regr.json` (the account URL).
 * Sources: certbot storage.py, renewal.py, account.py (see research/next-capabilities.md section 6.1).
 */
export const certbotSource: ImportSource = {
  client: 'certbot',
  defaultDir: () => '/etc/letsencrypt',
  async read(opts): Promise<FoundSet> {
    const dir = opts.dir;
    const skipped: NotCarried[] = [];
    const certificates: FoundCertificate[] = [];
    const servers: string[] = [];
    for (const entry of await listDir(path.join(dir, 'renewal'))) {
      const file = path.join(dir, 'renewal', entry);
      if (!entry.endsWith('.conf')) {
        skipped.push({ what: file, reason: 'not a renewal configuration (*.conf)' });
        continue;
      }
      const text = await readTextIfExists(file);
      if (text === undefined) continue;
      const found = await readLineage(dir, entry.slice(0, -'.conf'.length), file, parseConfigObj(text));
      if (found.directoryUrl) servers.push(found.directoryUrl);
      certificates.push(found);
    }
    const accounts = await readAccounts(path.join(dir, 'accounts'), servers);
    return { client: 'certbot', dir, certificates, accounts, skipped };
  },
};

async function readLineage(dir: string, lineage: string, file: string, conf: ConfigSection): Promise<FoundCertificate> {
  const p = conf.sections.renewalparams?.values ?? {};
  const problems: string[] = [];
  const notCarried: NotCarried[] = [];
  // The conf names absolute paths; a config dir copied elsewhere (a backup, another host) has them under live/ here.
  const pem = async (key: string, base: string): Promise<string | undefined> => {
    const named = conf.values[key];
    const local = path.join(dir, 'live', lineage, base);
    const fromConf = named ? await readTextIfExists(named).catch(() => undefined) : undefined;
    return fromConf ?? (await readRequired(local, problems, key));
  };
  const certPem = await pem('cert', 'cert.pem');
  const chainPem = await pem('chain', 'chain.pem');
  const keyPem = await pem('privkey', 'privkey.pem');

  const keyType = certbotKeyType(p, notCarried);
  const challenge = certbotChallenge(p, conf.sections.renewalparams?.sections.webroot_map?.values ?? {}, notCarried);
  const deployTargets: FoundDeployTarget[] = [];
  const deployHook = p.deploy_hook ?? p.renew_hook;
  if (deployHook) deployTargets.push({ kind: 'command', argv: hookArgv(deployHook), from: `${p.deploy_hook ? 'deploy_hook' : 'renew_hook'} = ${deployHook}` });
  if (p.post_hook) {
    deployTargets.push({ kind: 'command', argv: hookArgv(p.post_hook), from: `post_hook = ${p.post_hook}` });
    notCarried.push({ what: `post_hook = ${p.post_hook}`, reason: 'certbot runs it after every renewal attempt; certdeck runs it as a deploy target, i.e. after a successful one only' });
  }
  if (p.pre_hook) {
    notCarried.push({
      what: `pre_hook = ${p.pre_hook}`,
      reason: 'certdeck has no hook before an order; if it freed port 80 for standalone, switch to a webroot (certdeck issue NAME --webroot DIR) so the web server can keep running',
    });
  }
  if (p.installer && p.installer !== 'null' && p.installer !== 'None') {
    notCarried.push({ what: `installer = ${p.installer}`, reason: `certdeck does not edit ${p.installer}'s configuration; point it at certdeck's live/ files and add a reload command (certdeck deploy add NAME --command ...)` });
  }
  const renewBefore = conf.values.renew_before_expiry;
  if (renewBefore) {
    notCarried.push({ what: `renew_before_expiry = ${renewBefore}`, reason: 'certdeck renews when a third of the lifetime is left (30 days of a 90-day certificate), whatever the lifetime; a fixed period is not kept' });
  }
  if (configBool(p.must_staple)) notCarried.push({ what: 'must_staple = True', reason: 'certdeck does not request OCSP must-staple certificates' });
  for (const key of ['preferred_profile', 'required_profile'] as const) {
    if (p[key]) notCarried.push({ what: `${key} = ${p[key]}`, reason: 'certdeck does not request ACME profiles yet; the CA will issue its default profile' });
  }
  if (configBool(p.autorenew) === false) notCarried.push({ what: 'autorenew = False', reason: 'certdeck renews every certificate `certdeck issue --if-due` is run for; leave this one out of that job to keep it manual' });

  return {
    sourceName: lineage,
    sourceFile: file,
    certName: lineage,
    domains: [],
    ...(certPem !== undefined ? { certPem } : {}),
    ...(chainPem !== undefined ? { chainPem } : {}),
    ...(keyPem !== undefined ? { keyPem } : {}),
    ...(p.server ? { directoryUrl: p.server } : {}),
    ...(keyType ? { keyType } : {}),
    ...(challenge ? { challenge } : {}),
    ...(p.preferred_chain ? { preferredChain: p.preferred_chain } : {}),
    ...(configBool(p.reuse_key) ? { reuseKey: true } : {}),
    ...(p.account ? { account: { sourceId: p.account } } : {}),
    deployTargets,
    problems,
    notCarried,
  };
}

function certbotKeyType(p: Record<string, string>, notCarried: NotCarried[]): KeyType | undefined {
  // certbot before 2.0 had no key_type and made RSA keys.
  const kind = p.key_type === 'ecdsa' ? 'ec' : 'rsa';
  const t = kind === 'ec' ? keyTypeOf('ec', p.elliptic_curve) : keyTypeOf('rsa', p.rsa_key_size);
  if (!t) {
    notCarried.push({
      what: kind === 'ec' ? `elliptic_curve = ${p.elliptic_curve}` : `rsa_key_size = ${p.rsa_key_size}`,
      reason: 'certdeck makes ec-p256, ec-p384, rsa-2048, rsa-3072 or rsa-4096 keys; the next renewal uses the key type of the imported key if it is one of those, else ec-p256',
    });
  }
  return t;
}

/** How certbot proved the names, as certdeck's challenge; undefined (with the reason) when there is no equivalent. */
function certbotChallenge(p: Record<string, string>, webroots: Record<string, string>, notCarried: NotCarried[]): ChallengeConfig | undefined {
  const auth = p.authenticator ?? '';
  const prefs = configList(p.pref_challs);
  if (auth === 'standalone') {
    const port = p.http01_port ? Number(p.http01_port) : undefined;
    return { method: 'http-01-standalone', ...(p.http01_address ? { host: p.http01_address } : {}), ...(port && port !== 80 ? { port } : {}) };
  }
  if (auth === 'webroot') {
    const map = Object.keys(webroots).length ? webroots : Object.fromEntries(configList(p.webroot_path).slice(0, 1).map((r) => ['*', r]));
    const roots = [...new Set(Object.values(map))];
    if (roots.length === 1) return { method: 'http-01-webroot', webroot: roots[0]! };
    notCarried.push({
      what: `authenticator = webroot (${roots.length ? Object.entries(map).map(([d, r]) => `${d} -> ${r}`).join(', ') : 'no webroot_map'})`,
      reason: roots.length
        ? 'certdeck uses one webroot per certificate; serve /.well-known/acme-challenge/ of every name from one directory, then certdeck issue NAME --webroot DIR'
        : 'no webroot is recorded; give one with certdeck issue NAME --webroot DIR',
    });
    return undefined;
  }
  if (auth === 'manual') {
    const authHook = p.manual_auth_hook;
    const cleanupHook = p.manual_cleanup_hook;
    const single = (h: string | undefined) => h !== undefined && hookArgv(h).length === 1 && hookArgv(h)[0] !== '/bin/sh';
    if (prefs.includes('dns-01') && single(authHook) && single(cleanupHook)) return { method: 'dns-01', authHook: authHook!.trim(), cleanupHook: cleanupHook!.trim() };
    notCarried.push({
      what: `authenticator = manual${authHook ? ` (manual_auth_hook = ${authHook})` : ''}`,
      reason: authHook
        ? prefs.includes('dns-01')
          ? 'certdeck runs a dns-01 auth and cleanup hook as one program each (same CERTBOT_* variables); put each command line in a script and run certdeck issue NAME --dns-auth-hook SCRIPT --dns-cleanup-hook SCRIPT'
          : 'certdeck has no hook for http-01; use --webroot DIR, or a dns-01 hook (--dns-auth-hook/--dns-cleanup-hook take certbot\'s manual hooks)'
        : 'manual authentication needs a person at every renewal; give certdeck a dns-01 hook (certdeck issue NAME --dns-hook SCRIPT, called as SCRIPT present|cleanup FQDN VALUE) or a webroot',
    });
    return undefined;
  }
  if (auth.startsWith('dns-')) {
    const provider = auth.slice('dns-'.length);
    const credentials = p[`${auth.replace(/-/g, '_')}_credentials`];
    notCarried.push({
      what: `authenticator = ${auth}`,
      reason: `certbot's ${provider} DNS plugin has no certdeck equivalent: write a dns-01 hook that adds and removes the TXT record through ${provider}'s API${credentials ? ` (its credentials are in ${credentials})` : ''}, called as HOOK present|cleanup FQDN VALUE (lego's exec convention), then certdeck issue NAME --dns-hook HOOK`,
    });
    return undefined;
  }
  if (auth === 'nginx' || auth === 'apache') {
    notCarried.push({
      what: `authenticator = ${auth}`,
      reason: `certdeck does not reconfigure ${auth} to answer challenges; serve /.well-known/acme-challenge/ from a directory and use certdeck issue NAME --webroot DIR`,
    });
    return undefined;
  }
  notCarried.push({ what: `authenticator = ${auth || '(none recorded)'}`, reason: 'no certdeck equivalent; choose a challenge with certdeck issue NAME (--webroot, --http-port, --dns-hook)' });
  return undefined;
}

async function readAccounts(root: string, servers: string[]): Promise<FoundAccount[]> {
  const out: FoundAccount[] = [];
  // accounts/<host[:port]>/<path...>/<id>/: the server's path has one segment for Let's Encrypt, maybe more elsewhere.
  for (const dir of await findDirsWith(root, ['private_key.json', 'regr.json'], 6)) {
    const problems: string[] = [];
    const serverPart = path.relative(root, path.dirname(dir)).split(path.sep).join('/');
    const directoryUrl = servers.find((s) => urlKey(s) === serverPart) ?? `https://${serverPart}`;
    const jwkText = await readRequired(path.join(dir, 'private_key.json'), problems, 'account key');
    const regrText = await readRequired(path.join(dir, 'regr.json'), problems, 'account registration');
    let keyPem: string | undefined;
    let accountUrl: string | undefined;
    let email: string | undefined;
    if (jwkText !== undefined) {
      try {
        keyPem = createPrivateKey({ key: JSON.parse(jwkText) as JsonWebKey, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }).toString();
      } catch (err) {
        problems.push(`the account key ${path.join(dir, 'private_key.json')} is not a private JWK (${(err as Error).message})`);
      }
    }
    if (regrText !== undefined) {
      try {
        const regr = JSON.parse(regrText) as { uri?: unknown; body?: { contact?: unknown } };
        if (typeof regr.uri === 'string') accountUrl = regr.uri;
        else problems.push(`${path.join(dir, 'regr.json')} has no account URL ("uri")`);
        // certbot empties the body on save; older versions kept the contact.
        const contact = Array.isArray(regr.body?.contact) ? regr.body.contact.find((c): c is string => typeof c === 'string' && c.startsWith('mailto:')) : undefined;
        if (contact) email = contact.slice('mailto:'.length);
      } catch (err) {
        problems.push(`${path.join(dir, 'regr.json')} is not valid JSON (${(err as Error).message})`);
      }
    }
    out.push({
      sourceId: path.basename(dir),
      sourceDir: dir,
      directoryUrl,
      ...(email ? { email } : {}),
      ...(accountUrl ? { accountUrl } : {}),
      ...(keyPem ? { keyPem } : {}),
      problems,
    });
  }
  return out;
}

/** certbot's account directory for a server: host[:port] and path, no scheme, no trailing slash. */
function urlKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url;
  }
}
