import { accessSync, constants, statSync } from 'node:fs';
import { domainToUnicode } from 'node:url';
import type { AccountInfo, CaInfo, ChallengeConfig, DeployTargetInput, IssueRequest } from '../../engine/api.js';
import type { KeyType } from '../../engine/events.js';
import type { DomainValidator } from '../types.js';

/**
 * The guided setup's plan and the checks on each step, apart from the widgets: what the operator has chosen so far,
 * whether a step's input is good enough to go on, and the headless command lines that do the same thing.
 * Nothing here writes anything; the setup hands the finished plan to the engine only at "Run".
 */

export type SetupStepId = 'names' | 'ca' | 'preflight' | 'account' | 'challenge' | 'keyType' | 'deploy' | 'schedule' | 'review' | 'rehearsal' | 'run' | 'done';

/** Steps in order. Preflight comes after the CA because its CAA check asks "does CAA allow *this* CA". */
export const SETUP_STEPS: readonly SetupStepId[] = ['names', 'ca', 'preflight', 'account', 'challenge', 'keyType', 'deploy', 'schedule', 'review', 'rehearsal', 'run', 'done'];

export const STEP_TITLE: Record<SetupStepId, string> = {
  names: 'Names',
  ca: 'Certificate authority',
  preflight: 'Preflight checks',
  account: 'Account',
  challenge: 'Challenge',
  keyType: 'Key type',
  deploy: 'Deploy (optional)',
  schedule: 'Renewal schedule (optional)',
  review: 'Review',
  rehearsal: 'Rehearsal on staging',
  run: 'Issuing',
  done: 'Done',
};

/** One line per step: why it asks. */
export const STEP_WHY: Record<SetupStepId, string> = {
  names: 'The names the certificate will cover; each must point at this machine for HTTP-01.',
  ca: 'Who signs the certificate. Try a staging CA first: failures there do not count against rate limits.',
  preflight: 'Checks DNS, CAA, the HTTP-01 port and the clock here, before anything is sent to the CA.',
  account: 'The CA issues to an ACME account; it needs your agreement to its terms before one is created.',
  challenge: 'How the CA checks that you control the names.',
  keyType: 'The kind of private key the certificate gets.',
  deploy: 'Where the certificate goes after each issuance and renewal (files, a reload command, a check).',
  schedule: 'Certificates expire; a scheduled run renews them when they are due.',
  review: 'Everything that will be done, and the same as headless commands for scripts.',
  rehearsal: 'The same order on the staging CA first: a mistake there costs nothing.',
  run: 'The order at the CA, live.',
  done: 'Where things are and what happens next.',
};

export interface SetupNames {
  /** A-labels, as they go into the certificate. */
  names: string[];
  problems: Array<{ raw: string; reason: string }>;
  /** Internationalized names: U-label (as typed or shown) and A-label (in DNS and the certificate). */
  idn: Array<{ unicode: string; ascii: string }>;
  wildcards: string[];
}

/**
 * Splits and checks the names as they are typed. A wildcard needs dns-01: it is accepted only when the engine has
 * dns-01, and otherwise rejected with what to do instead.
 */
export function parseSetupNames(text: string, validate: DomainValidator, opts: { dns01: boolean }): SetupNames {
  const out: SetupNames = { names: [], problems: [], idn: [], wildcards: [] };
  const seen = new Set<string>();
  for (const raw of text.split(/[\s,]+/)) {
    if (raw === '') continue;
    const wildcard = raw.startsWith('*.');
    const result = validate(wildcard ? raw.slice(2) : raw);
    if (!result.ok) {
      out.problems.push({ raw, reason: result.reason });
      continue;
    }
    const name = wildcard ? `*.${result.name}` : result.name;
    if (wildcard && !opts.dns01) {
      out.problems.push({ raw, reason: `a wildcard can only be proven with dns-01 (a TXT record at _acme-challenge.${result.name}); list the names instead, e.g. www.${result.name}` });
      continue;
    }
    if (seen.has(name)) {
      out.problems.push({ raw, reason: 'listed twice' });
      continue;
    }
    seen.add(name);
    out.names.push(name);
    if (wildcard) out.wildcards.push(name);
    const unicode = domainToUnicode(result.name);
    if (unicode !== '' && unicode !== result.name) out.idn.push({ unicode: wildcard ? `*.${unicode}` : unicode, ascii: name });
  }
  return out;
}

export function namesError(parsed: SetupNames): string | undefined {
  if (parsed.problems.length > 0) return `fix ${parsed.problems.length === 1 ? 'the name' : `${parsed.problems.length} names`} marked above`;
  if (parsed.names.length === 0) return 'enter at least one name, e.g. example.com';
  return undefined;
}

/** The staging CA of a catalog CA ("letsencrypt" -> "letsencrypt-staging"), when the catalog has one. */
export function stagingOf(ca: Pick<CaInfo, 'id' | 'staging'>, cas: readonly CaInfo[]): CaInfo | undefined {
  if (ca.staging) return undefined;
  return cas.find((c) => c.id === `${ca.id}-staging` && c.staging);
}

/**
 * The CA list as the setup offers it: a running sandbox first (whoever started it is about to use it), then staging
 * CAs (recommended for a first try), then the rest, then "custom directory URL".
 */
export function setupCaOrder(cas: readonly CaInfo[], isRunningSandbox: (ca: CaInfo) => boolean): CaInfo[] {
  const sandbox = cas.filter(isRunningSandbox);
  const rest = cas.filter((c) => !isRunningSandbox(c) && c.directoryUrl !== '');
  return [...sandbox, ...rest.filter((c) => c.staging), ...rest.filter((c) => !c.staging)];
}

export const CUSTOM_CA = 'custom';

/** Checks an ACME directory URL typed for a custom CA. */
export function directoryUrlError(url: string): string | undefined {
  const u = url.trim();
  if (u === '') return 'enter the ACME directory URL, e.g. https://acme.example.net/directory';
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return 'not a URL; it starts with https://';
  }
  if (parsed.protocol !== 'https:') return 'an ACME directory is served over https://';
  return undefined;
}

/** An absolute path, or empty when the field is optional. */
export function absolutePathError(path: string, opts: { optional: boolean; example: string }): string | undefined {
  const p = path.trim();
  if (p === '') return opts.optional ? undefined : `enter a path, e.g. ${opts.example}`;
  return p.startsWith('/') ? undefined : 'use an absolute path (starting with /)';
}

/** A pragmatic e-mail check (RFC 5322 is far wider; CAs refuse much of it): local@domain.tld, no spaces. */
export function emailError(email: string): string | undefined {
  const e = email.trim();
  if (e === '') return undefined; // optional: the CA then has no address for expiry notices
  if (/\s/.test(e)) return 'no spaces in an e-mail address';
  const at = e.lastIndexOf('@');
  if (at <= 0) return 'an e-mail address looks like name@example.com';
  const domain = e.slice(at + 1);
  if (!/^[^.@]+(\.[^.@]+)+$/.test(domain)) return `"${domain}" is not a mail domain (e.g. example.com)`;
  return undefined;
}

export function portError(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t)) return 'a port is a number, e.g. 80';
  const n = Number(t);
  return n >= 1 && n <= 65535 ? undefined : 'a port is between 1 and 65535';
}

/**
 * A dns-01 hook (lego's exec convention) must be an executable file: it runs without a shell, so a command line or a
 * missing execute bit would only fail at the CA's order. Checked here, before anything is sent.
 */
export function dnsHookError(path: string): string | undefined {
  const p = path.trim();
  if (p === '') return 'enter the path of the DNS hook, run as HOOK present|cleanup FQDN VALUE';
  if (!p.startsWith('/')) return 'use an absolute path (starting with /)';
  try {
    if (!statSync(p).isFile()) return `${p} is not a file`;
  } catch {
    return `no file at ${p}`;
  }
  try {
    accessSync(p, constants.X_OK);
  } catch {
    return `${p} is not executable: chmod +x ${p}`;
  }
  return undefined;
}

export const SETUP_KEY_TYPES: ReadonlyArray<{ value: KeyType; label: string; tag: string }> = [
  { value: 'ec-p256', label: 'ec-p256', tag: 'default: small, fast, accepted by every current client' },
  { value: 'ec-p384', label: 'ec-p384', tag: 'stronger curve, slightly slower' },
  { value: 'rsa-2048', label: 'rsa-2048', tag: 'for very old clients that lack ECDSA' },
  { value: 'rsa-3072', label: 'rsa-3072', tag: 'RSA with a longer key' },
  { value: 'rsa-4096', label: 'rsa-4096', tag: 'slow to generate and to handshake' },
];

export type ScheduleChoice = 'timer' | 'cron' | 'none';

export type AccountChoice = { kind: 'existing'; id: string; email?: string } | { kind: 'new'; email: string };

export interface SetupPlan {
  domains: string[];
  certName: string;
  ca: CaInfo;
  /** For a custom directory: its URL (also `ca.directoryUrl`) and an optional CA bundle. */
  caBundlePath?: string;
  eab?: { kid: string; hmacKey: string };
  account: AccountChoice;
  /** The terms of service URL the operator agreed to (new accounts). */
  termsOfService?: string;
  challenge: ChallengeConfig;
  keyType: KeyType;
  deploy: DeployTargetInput[];
  schedule: ScheduleChoice;
  /** The staging CA to rehearse on first, if the operator kept the rehearsal. */
  rehearseOn?: CaInfo;
}

/** The request the setup hands the engine (the same the printed `certdeck issue` line makes). */
export function planRequest(plan: SetupPlan, ca: CaInfo = plan.ca): IssueRequest {
  const email = plan.account.kind === 'new' ? plan.account.email.trim() : plan.account.email;
  return {
    certName: ca === plan.ca ? plan.certName : rehearsalCertName(plan.certName),
    domains: plan.domains,
    ca: caArgument(ca),
    ...(plan.caBundlePath && ca === plan.ca ? { caBundlePath: plan.caBundlePath } : {}),
    ...(email ? { email } : {}),
    keyType: plan.keyType,
    challenge: plan.challenge,
  };
}

/** The rehearsal keeps its certificate apart, so the real one's name, files and deploy targets stay untouched. */
export function rehearsalCertName(certName: string): string {
  return `${certName}-rehearsal`;
}

function caArgument(ca: CaInfo): string {
  return ca.id === CUSTOM_CA ? ca.directoryUrl : ca.id;
}

/** POSIX shell quoting for a copyable line: bare when safe, single quotes otherwise. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function line(args: string[]): string {
  return args.map(shellQuote).join(' ');
}

/**
 * The headless commands that do what the plan does, in order. The EAB HMAC key is never printed: the line reads it
 * from CERTDECK_EAB_HMAC_KEY, which the operator sets from the CA's dashboard.
 */
export function equivalentCommands(plan: SetupPlan): string[] {
  const ca = caArgument(plan.ca);
  const bundle = plan.caBundlePath ? ['--ca-bundle', plan.caBundlePath] : [];
  const lines: string[] = [];
  if (plan.account.kind === 'new') {
    const email = plan.account.email.trim();
    const eab = plan.eab ? ['--eab-kid', plan.eab.kid] : [];
    const prefix = plan.eab ? 'CERTDECK_EAB_HMAC_KEY=… ' : '';
    lines.push(prefix + line(['certdeck', 'account', 'add', '--ca', ca, ...bundle, ...(email ? ['--email', email] : []), ...eab, '--agree-tos']));
  }
  const challenge =
    plan.challenge.method === 'http-01-webroot'
      ? ['--webroot', plan.challenge.webroot]
      : plan.challenge.method === 'dns-01'
        ? ['--challenge', 'dns-01', ...(plan.challenge.hook ? ['--dns-hook', plan.challenge.hook] : [])]
        : plan.challenge.method === 'http-01-standalone' && plan.challenge.port !== undefined
          ? ['--http-port', String(plan.challenge.port)]
          : [];
  const email = plan.account.kind === 'new' ? plan.account.email.trim() : plan.account.email;
  const name = plan.certName !== plan.domains[0] ? ['--name', plan.certName] : [];
  lines.push(line(['certdeck', 'issue', ...plan.domains, ...name, '--ca', ca, ...bundle, ...(email ? ['--email', email] : []), '--key-type', plan.keyType, ...challenge]));
  for (const t of plan.deploy) lines.push(line(['certdeck', 'deploy', 'add', plan.certName, ...deployArgs(t)]));
  return lines;
}

function deployArgs(t: DeployTargetInput): string[] {
  const id = t.id ? ['--id', t.id] : [];
  switch (t.kind) {
    case 'files':
      return ['files', '--dir', t.dir, ...id];
    case 'command':
      return ['command', ...id, '--', ...t.argv];
    case 'pfx':
      return ['pfx', '--out', t.out, '--password-env', t.passwordEnv, ...id];
    case 'verify':
      return ['verify', ...t.hosts.flatMap((h) => ['--host', h]), ...id];
  }
}

/**
 * The cron line that keeps every certificate of the home renewed (`certdeck renew` reads the stored requests and
 * renews only what is due), twice a day with a jitter so a fleet does not hit the CA at one minute. The dashboard
 * passes `certdeck schedule`'s own line (absolute paths); this one is the fallback without it.
 */
export function cronLine(home: string | undefined): string {
  const env = home ? `CERTDECK_HOME=${shellQuote(home)} ` : '';
  return `17 3,15 * * * ${env}certdeck renew --jitter 1h`;
}

/** Accounts offered first for a CA: the valid ones whose directory is the CA's. */
export function accountsFor(accounts: readonly AccountInfo[], ca: Pick<CaInfo, 'id' | 'directoryUrl'>): AccountInfo[] {
  return accounts.filter((a) => a.status === 'valid' && (a.caId === ca.id || a.directoryUrl === ca.directoryUrl));
}

/** "bücher.example (xn--bcher-kva.example)" for display, the A-label alone otherwise. */
export function displayName(ascii: string): string {
  const wildcard = ascii.startsWith('*.');
  const bare = wildcard ? ascii.slice(2) : ascii;
  const unicode = domainToUnicode(bare);
  if (unicode === '' || unicode === bare) return ascii;
  return `${wildcard ? '*.' : ''}${unicode} (${ascii})`;
}
