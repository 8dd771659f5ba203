import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CaInfo } from '../api.js';
import { BadInputError, BugError, ConfigError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';
import { directorySlug } from '../names.js';
import { DEFAULT_POLICY, mergePolicy } from '../policy.js';
import type { PolicyOverride, WaitPolicy } from '../policy.js';
import { splitPemBundle } from '../store/inspect.js';
import { pidAlive } from '../store/pid.js';
import { readSandboxState, sandboxStatePath } from './sandbox-state.js';
import type { SandboxCaState, SandboxState } from './sandbox-state.js';

/**
 * The CAs certdeck knows by name (assets/ca-catalog.json), the local sandbox CAs whose URLs come from the sandbox's
 * state file, and any other ACME directory given by URL. Each resolves to one ResolvedCa with the wait policy the
 * order runner uses for it.
 */

export interface CaCatalogEntry {
  id: string;
  name: string;
  /** 'sandbox' entries have no fixed URL: the running sandbox's state file supplies it. */
  source: 'public' | 'sandbox';
  directoryUrl?: string;
  eabRequired: boolean;
  staging: boolean;
  notes: string[];
  /** Set when the CA runs separate endpoints per key family (SSL.com). */
  keyFamily?: 'ec' | 'rsa';
  /** Over DEFAULT_POLICY. */
  policy: PolicyOverride;
  /** Issuer domain names this CA accepts in a CAA `issue`/`issuewild` record (RFC 8659 4.2). */
  caaIdentifiers?: string[];
  /** False for a test CA that issues regardless of CAA (Pebble): a CAA refusal is then a prediction only. @default true */
  caaEnforced?: boolean;
  /** The CA's published rate limits, for comparing local history against them. */
  rateLimits?: CaRateLimit[];
  /** Behaviour worth knowing before an order goes wrong, with what helps. */
  knownIssues?: CaKnownIssue[];
}

export interface CaRateLimit {
  id: string;
  /** What is counted: orders per account, certificates per exact name set, per registered domain, failures per name. */
  scope: 'account' | 'name-set' | 'registered-domain' | 'name';
  limit: number;
  windowHours: number;
  what: string;
}

export interface CaKnownIssue {
  id: string;
  seen: string;
  todo: string;
  /** Policy deadlines below these make the issue bite: a shorter wait gives up before the CA is done. */
  minDeadlineMs?: Partial<Record<'authorization' | 'processing' | 'download', number>>;
}

export interface ResolvedCa extends CaInfo {
  source: 'catalog' | 'sandbox' | 'url';
  /** From the catalog entry; absent for a CA given by URL only (its CAA name is unknown). */
  caaIdentifiers?: string[];
  caaEnforced?: boolean;
  rateLimits?: CaRateLimit[];
  knownIssues?: CaKnownIssue[];
  keyFamily?: 'ec' | 'rsa';
  /** Extra roots to trust for this CA only (--ca-bundle, or the sandbox's own root). */
  caBundlePem?: string;
  caBundlePath?: string;
  /** Sandbox: the port Pebble's validator connects to for HTTP-01; certdeck's challenge server must listen there. */
  httpPort?: number;
  /** Sandbox: pebble-challtestsrv's DNS port and management API (dns-01). */
  dnsPort?: number;
  challtestsrvUrl?: string;
}

export interface CaContext {
  sandboxDir: string;
  /** PEM file of roots to trust for this CA (--ca-bundle); wins over the sandbox's own bundle. */
  caBundlePath?: string;
  /** Per-CA policy overrides from settings, keyed by CA id (a URL's id is its slug). */
  caPolicies?: Record<string, PolicyOverride>;
}

const SANDBOX_HINT = 'start it with: certdeck sandbox start';

/** The catalog file, data shipped in the package's assets/. */
export function catalogPath(): string {
  return path.join(packageRoot(), 'assets', 'ca-catalog.json');
}

export function loadCatalog(): CaCatalogEntry[] {
  const file = catalogPath();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BugError(`The CA catalog ${file} cannot be read: ${(err as Error).message}`, err);
  }
  const cas = (parsed as { cas?: unknown }).cas;
  if (!Array.isArray(cas)) throw new BugError(`The CA catalog ${file} has no "cas" list.`);
  return cas.map((raw, i) => checkEntry(raw, `${file} entry ${i}`));
}

function checkEntry(raw: unknown, where: string): CaCatalogEntry {
  const e = raw as Partial<CaCatalogEntry> & { source?: string };
  const ok =
    typeof e === 'object' &&
    e !== null &&
    typeof e.id === 'string' &&
    typeof e.name === 'string' &&
    typeof e.eabRequired === 'boolean' &&
    typeof e.staging === 'boolean' &&
    Array.isArray(e.notes) &&
    typeof e.policy === 'object' &&
    (e.source === 'sandbox' || typeof e.directoryUrl === 'string');
  if (!ok) throw new BugError(`The CA catalog is malformed at ${where}.`);
  return {
    id: e.id!,
    name: e.name!,
    source: e.source === 'sandbox' ? 'sandbox' : 'public',
    ...(e.directoryUrl === undefined ? {} : { directoryUrl: e.directoryUrl }),
    eabRequired: e.eabRequired!,
    staging: e.staging!,
    notes: e.notes!,
    ...(e.keyFamily === undefined ? {} : { keyFamily: e.keyFamily }),
    policy: e.policy!,
    ...(Array.isArray(e.caaIdentifiers) ? { caaIdentifiers: e.caaIdentifiers } : {}),
    ...(typeof e.caaEnforced === 'boolean' ? { caaEnforced: e.caaEnforced } : {}),
    ...(Array.isArray(e.rateLimits) ? { rateLimits: e.rateLimits } : {}),
    ...(Array.isArray(e.knownIssues) ? { knownIssues: e.knownIssues } : {}),
  };
}

function policyFor(id: string, base: PolicyOverride | undefined, ctx: CaContext): WaitPolicy {
  return mergePolicy(DEFAULT_POLICY, base, ctx.caPolicies?.[id]);
}

/**
 * Resolves a catalog id ("letsencrypt", "sandbox") or an ACME directory URL. A URL that names a catalog CA (or the
 * running sandbox) resolves to that entry, so it gets the same policy and shares its accounts.
 */
export function resolveCa(idOrUrl: string, ctx: CaContext): ResolvedCa {
  const input = idOrUrl.trim();
  const catalog = loadCatalog();
  const resolved = /^[a-z][a-z0-9+.-]*:/i.test(input) ? resolveUrl(input, catalog, ctx) : resolveId(input, catalog, ctx);
  if (ctx.caBundlePath !== undefined) {
    return { ...resolved, caBundlePath: ctx.caBundlePath, caBundlePem: readCaBundle(ctx.caBundlePath, '--ca-bundle') };
  }
  return resolved;
}

function resolveId(id: string, catalog: CaCatalogEntry[], ctx: CaContext): ResolvedCa {
  const entry = catalog.find((e) => e.id === id.toLowerCase());
  if (!entry) {
    throw new BadInputError(
      'unknown-ca',
      `Unknown CA ${JSON.stringify(id)}.`,
      `Known CAs: ${catalog.map((e) => e.id).join(', ')}; or pass an ACME directory URL (https://...).`,
    );
  }
  if (entry.source === 'sandbox') return resolveSandbox(entry, ctx);
  return fromEntry(entry, entry.directoryUrl ?? '', ctx);
}

function fromEntry(entry: CaCatalogEntry, directoryUrl: string, ctx: CaContext): ResolvedCa {
  return {
    id: entry.id,
    name: entry.name,
    directoryUrl,
    eabRequired: entry.eabRequired,
    notes: entry.notes,
    staging: entry.staging,
    policy: policyFor(entry.id, entry.policy, ctx),
    source: entry.source === 'sandbox' ? 'sandbox' : 'catalog',
    ...(entry.keyFamily === undefined ? {} : { keyFamily: entry.keyFamily }),
    ...(entry.caaIdentifiers ? { caaIdentifiers: entry.caaIdentifiers } : {}),
    ...(entry.caaEnforced === undefined ? {} : { caaEnforced: entry.caaEnforced }),
    ...(entry.rateLimits ? { rateLimits: entry.rateLimits } : {}),
    ...(entry.knownIssues ? { knownIssues: entry.knownIssues } : {}),
  };
}

function resolveSandbox(entry: CaCatalogEntry, ctx: CaContext, state = runningSandbox(ctx.sandboxDir)): ResolvedCa {
  const ca = state.cas.find((c) => c.id === entry.id);
  if (!ca) {
    throw new BadInputError(
      'sandbox-ca-missing',
      `The running sandbox has no CA ${JSON.stringify(entry.id)} (it runs: ${state.cas.map((c) => c.id).join(', ') || 'none'}).`,
      `Restart it so it runs both: certdeck sandbox stop, then ${SANDBOX_HINT}`,
    );
  }
  return sandboxCa(entry, ca, state, ctx);
}

function sandboxCa(entry: CaCatalogEntry, ca: SandboxCaState, state: SandboxState, ctx: CaContext): ResolvedCa {
  return {
    ...fromEntry(entry, ca.directoryUrl, ctx),
    name: ca.name || entry.name,
    caBundlePath: state.caBundlePath,
    caBundlePem: readCaBundle(state.caBundlePath, 'The sandbox CA bundle'),
    httpPort: state.httpPort,
    dnsPort: state.dnsPort,
    challtestsrvUrl: state.challtestsrvUrl,
  };
}

/** The sandbox's state, when the sandbox is running; otherwise a BadInputError saying how to start it. */
function runningSandbox(sandboxDir: string): SandboxState {
  const state = readSandboxStateOrThrow(sandboxDir);
  if (!state) {
    throw new BadInputError('sandbox-not-running', 'The sandbox CA is not running.', `Start it with: certdeck sandbox start`);
  }
  // After a reboot or a kill the state file outlives the processes; talking to a dead port would only time out.
  if (state.pids.length > 0 && !state.pids.some(pidAlive)) {
    throw new BadInputError(
      'sandbox-not-running',
      `The sandbox CA is not running (its processes from ${state.startedAt} are gone).`,
      `Start it again with: certdeck sandbox start`,
    );
  }
  return state;
}

function readSandboxStateOrThrow(sandboxDir: string): SandboxState | undefined {
  try {
    return readSandboxState(sandboxDir);
  } catch (err) {
    const file = sandboxStatePath(sandboxDir);
    throw new ConfigError('sandbox-state-corrupt', `The sandbox state file ${file} is not valid JSON.`, `Delete it and ${SANDBOX_HINT}`, err);
  }
}

/**
 * RFC 8555 6.1 requires HTTPS. Plain http is accepted for loopback hosts only: a local test CA or proxy often has no
 * certificate, and anyone able to tamper with loopback traffic already controls this machine.
 */
function resolveUrl(raw: string, catalog: CaCatalogEntry[], ctx: CaContext): ResolvedCa {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadInputError('bad-ca-url', `${JSON.stringify(raw)} is not a valid URL.`, 'Pass an ACME directory URL such as https://acme.example.com/directory, or a CA id.');
  }
  if (url.username || url.password) {
    throw new BadInputError('bad-ca-url', 'The CA URL contains a user name or password.', 'ACME needs no credentials in the URL; use --eab-kid/--eab-hmac-key for external account binding.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new BadInputError(
      'insecure-ca-url',
      `The CA URL must use https:// (got ${url.protocol}//${url.host}).`,
      'ACME requires HTTPS (RFC 8555 6.1); plain http is only accepted for 127.0.0.1, ::1 and localhost.',
    );
  }
  const directoryUrl = url.href;
  const key = comparable(directoryUrl);
  const known = catalog.find((e) => e.directoryUrl !== undefined && comparable(e.directoryUrl) === key);
  if (known) return fromEntry(known, known.directoryUrl ?? directoryUrl, ctx);

  const state = safeSandboxState(ctx.sandboxDir);
  const sandbox = state?.cas.find((c) => comparable(c.directoryUrl) === key);
  const sandboxEntry = sandbox && catalog.find((e) => e.id === sandbox.id);
  if (state && sandbox && sandboxEntry) return sandboxCa(sandboxEntry, sandbox, state, ctx);

  const id = directorySlug(directoryUrl);
  return {
    id,
    name: `${url.host}${url.pathname === '/' ? '' : url.pathname}`,
    directoryUrl,
    // Unknown until the directory is fetched: its meta.externalAccountRequired decides.
    eabRequired: false,
    notes: ["Not in certdeck's catalog: default wait policy; the directory's own meta says whether EAB is required."],
    staging: false,
    policy: mergePolicy(DEFAULT_POLICY, ctx.caPolicies?.[id], ctx.caPolicies?.[directoryUrl]),
    source: 'url',
  };
}

function safeSandboxState(sandboxDir: string): SandboxState | undefined {
  try {
    return readSandboxState(sandboxDir);
  } catch {
    return undefined;
  }
}

function comparable(u: string): string {
  try {
    const p = new URL(u);
    return `${p.protocol}//${p.host}${p.pathname.replace(/\/+$/, '')}${p.search}`.toLowerCase();
  } catch {
    return u.toLowerCase();
  }
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Reads a PEM bundle of roots; every problem is the user's to fix, so each says which file and what is wrong. */
export function readCaBundle(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${(err as Error).message})`;
    throw new BadInputError('bad-ca-bundle', `${what} ${file} ${why}.`, 'Pass a PEM file of CA certificates (-----BEGIN CERTIFICATE-----).');
  }
  const blocks = splitPemBundle(text);
  if (blocks.length === 0) {
    throw new BadInputError('bad-ca-bundle', `${what} ${file} contains no PEM certificate.`, 'Pass a PEM file of CA certificates (-----BEGIN CERTIFICATE-----); DER files can be converted with: openssl x509 -inform der -in FILE -out FILE.pem');
  }
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new BadInputError('bad-ca-bundle', `Certificate ${i + 1} in ${file} does not parse: ${(err as Error).message}.`, 'Replace the bundle with intact PEM certificates.');
    }
  });
  return blocks.join('');
}

/**
 * Every catalog CA for the TUI's picker, with its effective policy. A sandbox CA that is not running is listed with an
 * empty directoryUrl and a note saying how to start it.
 */
export function listCas(ctx: CaContext): CaInfo[] {
  const state = safeSandboxState(ctx.sandboxDir);
  const alive = state !== undefined && (state.pids.length === 0 || state.pids.some(pidAlive));
  return loadCatalog().map((entry): CaInfo => {
    const base = fromEntry(entry, entry.directoryUrl ?? '', ctx);
    const info: CaInfo = {
      id: base.id,
      name: base.name,
      directoryUrl: base.directoryUrl,
      eabRequired: base.eabRequired,
      notes: base.notes,
      staging: base.staging,
      policy: base.policy,
    };
    if (entry.source !== 'sandbox') return info;
    const running = alive ? state.cas.find((c) => c.id === entry.id) : undefined;
    if (running) return { ...info, directoryUrl: running.directoryUrl };
    return { ...info, directoryUrl: '', notes: [`Not running: ${SANDBOX_HINT}`, ...info.notes] };
  });
}
