import path from 'node:path';
import type { KeyType } from '../events.js';
import { directoryByHost, keyTypeOf } from './hook-command.js';
import { findDirsWith, listDir, readRequired, readTextIfExists } from './read-only.js';
import type { FoundAccount, FoundCertificate, FoundSet, ImportSource, NotCarried, SourceContext } from './types.js';

/**
 * lego's --path (./.lego): `certificates/<name>.{crt,key,issuer.crt,json}` (the .crt is the leaf and its issuers),
 * accounts in `accounts/<host_port>/<email>/account.json` with the key in `keys/<email>.key` (v4), or
 * `accounts/<host_port>/<id>/account.json` with `<id>.key` and a `server` field (v5).
 * v4 records neither the directory URL (only host and port) nor which account or challenge a certificate used.
 * Source: lego cmd/internal/storage (see research/next-capabilities.md section 6.3).
 */
export const legoSource: ImportSource = {
  client: 'lego',
  defaultDir: (env, cwd) => env.LEGO_PATH || path.join(cwd, '.lego'),
  async read(opts, ctx): Promise<FoundSet> {
    const dir = opts.dir;
    const skipped: NotCarried[] = [];
    const known = [...(opts.server ? [opts.server] : []), ...ctx.knownDirectoryUrls];
    const accounts = await readAccounts(path.join(dir, 'accounts'), known, opts.server);
    const certificates: FoundCertificate[] = [];
    const certDir = path.join(dir, 'certificates');
    for (const entry of await listDir(certDir)) {
      if (!entry.endsWith('.json')) continue;
      const found = await readCertificate(certDir, entry.slice(0, -'.json'.length), known, opts, accounts, ctx);
      if (found) certificates.push(found);
    }
    if (await readTextIfExists(path.join(dir, '.lego.bck.yaml')).catch(() => undefined)) {
      skipped.push({ what: path.join(dir, '.lego.bck.yaml'), reason: "lego v5's configuration is not read: challenges and renew days there are not carried over" });
    }
    return { client: 'lego', dir, certificates, accounts, skipped };
  },
};

interface ResourceJson {
  domain?: string;
  domains?: string[];
  keyType?: string;
  preferredChain?: string;
  profile?: string;
  certUrl?: string;
}

async function readCertificate(
  certDir: string,
  name: string,
  known: string[],
  opts: { server?: string; email?: string },
  accounts: FoundAccount[],
  _ctx: SourceContext,
): Promise<FoundCertificate | undefined> {
  const file = path.join(certDir, `${name}.json`);
  const text = await readTextIfExists(file).catch(() => undefined);
  if (text === undefined) return undefined;
  const problems: string[] = [];
  const notCarried: NotCarried[] = [];
  let res: ResourceJson = {};
  try {
    res = JSON.parse(text) as ResourceJson;
  } catch (err) {
    problems.push(`${file} is not valid JSON (${(err as Error).message})`);
  }
  const bundle = await readRequired(path.join(certDir, `${name}.crt`), problems, 'certificate');
  const keyPem = await readRequired(path.join(certDir, `${name}.key`), problems, 'private key');
  const blocks = bundle?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*/g) ?? [];
  let chainPem = blocks.slice(1).join('');
  // lego --no-bundle writes the leaf alone; the issuer is then only in <name>.issuer.crt.
  if (!chainPem) chainPem = (await readTextIfExists(path.join(certDir, `${name}.issuer.crt`)).catch(() => undefined)) ?? '';

  let certHost: string | undefined;
  try {
    if (res.certUrl) certHost = new URL(res.certUrl).host;
  } catch {
    // An odd certUrl only costs the CA guess below.
  }
  const directoryUrl = opts.server ?? (certHost ? directoryByHost(certHost, known) : undefined);
  if (!directoryUrl) {
    notCarried.push({
      what: 'the CA',
      reason: `lego records only the CA's host${certHost ? ` (${certHost})` : ''}, not its directory URL, and certdeck knows no CA there: import again with --server DIRECTORY-URL (lego's --server)`,
    });
  }
  const mine = accounts.filter((a) => a.directoryUrl !== undefined && a.directoryUrl === directoryUrl);
  const chosen = opts.email ? mine.find((a) => a.email?.toLowerCase() === opts.email!.toLowerCase()) : mine.length === 1 ? mine[0] : undefined;
  if (!chosen && mine.length > 1) {
    notCarried.push({ what: 'the account', reason: `lego does not record which of its ${mine.length} accounts at this CA obtained the certificate: import again with --email ADDRESS` });
  }

  const domains = res.domains ?? (res.domain ? [res.domain] : []);
  const keyType = legoKeyType(res.keyType, notCarried);
  const wildcard = domains.some((d) => d.startsWith('*.'));
  if (wildcard) {
    notCarried.push({ what: 'the challenge', reason: 'lego does not record how the names were proved, and a wildcard needs dns-01: give certdeck a hook with certdeck issue NAME --dns-hook HOOK (lego exec convention: HOOK present|cleanup FQDN VALUE)' });
  } else {
    notCarried.push({
      what: 'the challenge',
      reason: "lego does not record how the names were proved; certdeck will answer http-01 with its built-in server (lego --http); use --webroot DIR or --http-port PORT on the next certdeck issue to change it",
    });
  }
  if (res.profile) notCarried.push({ what: `profile ${res.profile}`, reason: 'certdeck does not request ACME profiles yet; the CA will issue its default profile' });
  return {
    sourceName: name,
    sourceFile: file,
    certName: name.replace(/^_\./, ''),
    domains,
    ...(bundle !== undefined && blocks[0] ? { certPem: blocks[0] } : {}),
    ...(chainPem ? { chainPem } : {}),
    ...(keyPem !== undefined ? { keyPem } : {}),
    ...(directoryUrl ? { directoryUrl } : {}),
    ...(keyType ? { keyType } : {}),
    ...(wildcard ? {} : { challenge: { method: 'http-01-standalone' as const } }),
    ...(res.preferredChain ? { preferredChain: res.preferredChain } : {}),
    ...(chosen ? { account: { sourceId: chosen.sourceId } } : {}),
    deployTargets: [],
    problems,
    notCarried,
  };
}

/** lego's key type names: rsa2048 ... rsa8192, ec256, ec384 (v5's JSON: RSA2048, EC256 ...). */
function legoKeyType(v: string | undefined, notCarried: NotCarried[]): KeyType | undefined {
  if (!v) return undefined;
  const m = /^(rsa|ec)(\d+)$/i.exec(v.trim());
  const t = m ? keyTypeOf(m[1]!.toLowerCase() === 'rsa' ? 'rsa' : 'ec', m[2]) : undefined;
  if (!t) notCarried.push({ what: `key type ${v}`, reason: 'certdeck makes ec-p256, ec-p384, rsa-2048, rsa-3072 or rsa-4096 keys; the next renewal uses the key type of the imported key if it is one of those' });
  return t;
}

async function readAccounts(root: string, known: string[], server: string | undefined): Promise<FoundAccount[]> {
  const out: FoundAccount[] = [];
  for (const dir of await findDirsWith(root, ['account.json'], 2)) {
    const problems: string[] = [];
    const rel = path.relative(root, dir).split(path.sep);
    if (rel.length !== 2) continue;
    const [hostDir, who] = rel as [string, string];
    let json: { email?: string; server?: string; id?: string; registration?: { uri?: string; accountURL?: string; body?: { contact?: unknown } } } = {};
    const text = await readRequired(path.join(dir, 'account.json'), problems, 'account');
    try {
      if (text !== undefined) json = JSON.parse(text) as typeof json;
    } catch (err) {
      problems.push(`${path.join(dir, 'account.json')} is not valid JSON (${(err as Error).message})`);
    }
    // v5 keeps the key next to account.json as <id>.key; v4 in keys/<email>.key.
    const v5Key = json.id ? path.join(dir, `${json.id}.key`) : undefined;
    const keyFile = v5Key && (await readTextIfExists(v5Key).catch(() => undefined)) !== undefined ? v5Key : path.join(dir, 'keys', `${who}.key`);
    const keyPem = await readRequired(keyFile, problems, 'account key');
    const accountUrl = json.registration?.accountURL ?? json.registration?.uri;
    if (!accountUrl) problems.push(`${path.join(dir, 'account.json')} has no account URL (registration.uri): lego never finished registering it`);
    // lego writes host:port as host_port (SanitizedName); the directory URL itself only v5 records.
    const hostPort = hostDir.replace(/_(\d+)$/, ':$1');
    const directoryUrl = json.server ?? (server && new URL(server).host === hostPort ? server : directoryByHost(hostPort, known));
    if (!directoryUrl) problems.push(`lego records only the CA's host (${hostPort}) for this account and certdeck knows no CA there: import again with --server DIRECTORY-URL`);
    out.push({
      sourceId: `${hostDir}/${who}`,
      sourceDir: dir,
      ...(directoryUrl ? { directoryUrl } : {}),
      ...(json.email ? { email: json.email } : {}),
      ...(accountUrl ? { accountUrl } : {}),
      ...(keyPem ? { keyPem } : {}),
      problems,
    });
  }
  return out;
}
