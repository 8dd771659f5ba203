import type { DnsLookups, LookupResult, RawCaa } from './resolver.js';

/**
 * CAA as a CA evaluates it (RFC 8659, with the RFC 8657 parameters accounturi and validationmethods): find the
 * relevant record set by climbing from the name towards the root, then decide whether it lets this CA issue.
 * The evaluation is pure, so the setup's preflight and the doctor share it and tests can feed it records.
 */

export interface CaaProperty {
  critical: boolean;
  tag: string;
  value: string;
}

export type RelevantCaa =
  /** The first name up the tree with a CAA record set (RFC 8659 3). */
  | { kind: 'found'; at: string; properties: CaaProperty[] }
  /** No CAA anywhere up to the TLD: every CA may issue. */
  | { kind: 'none' }
  /** A lookup failed: CAs refuse to issue when they cannot tell (the CA/B Baseline Requirements allow few exceptions). */
  | { kind: 'failed'; at: string; code: string; message: string };

/** Tags RFC 8659 and its extensions define; an unknown one marked critical forbids issuance (RFC 8659 4.1). */
const KNOWN_TAGS = new Set(['issue', 'issuewild', 'iodef', 'contactemail', 'contactphone', 'issuemail', 'issuevmc']);

export function toProperties(raw: readonly RawCaa[]): CaaProperty[] {
  return raw.map((r) => {
    // node adds `type: 'CAA'` next to the one property (node >= 22); no CAA tag is called "type".
    const tag = Object.keys(r).find((k) => k !== 'critical' && k !== 'type') ?? '';
    return { critical: (Number(r.critical) & 128) !== 0, tag: tag.toLowerCase(), value: String(r[tag] ?? '') };
  });
}

/** RFC 8659 3: RelevantCAASet climbs label by label; the root is never queried. Wildcards are looked up without "*.". */
export async function findRelevantCaa(lookups: DnsLookups, name: string): Promise<RelevantCaa> {
  const labels = name.replace(/^\*\./, '').replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length; i += 1) {
    const at = labels.slice(i).join('.');
    const result: LookupResult<RawCaa[]> = await lookups.caa(at);
    if (result.kind === 'failed') return { kind: 'failed', at, code: result.code, message: result.message };
    if (result.kind === 'ok' && result.value.length > 0) return { kind: 'found', at, properties: toProperties(result.value) };
  }
  return { kind: 'none' };
}

export interface CaaRequest {
  /** The CA's issuer domain names (catalog caaIdentifiers); undefined when the CA is not in the catalog. */
  caIdentifiers?: readonly string[];
  wildcard: boolean;
  /** The ACME account URL that will order, when known (RFC 8657 accounturi). */
  accountUri?: string;
  /** The challenge type that will be used, e.g. "http-01" (RFC 8657 validationmethods). */
  method?: string;
}

export interface CaaVerdict {
  allowed: boolean | 'unknown';
  /** One sentence: which records decided it and why. */
  reason: string;
  /** The property values that apply (issue or issuewild), as found. */
  applicable: string[];
}

interface IssueValue {
  issuer: string;
  params: Map<string, string>;
}

/** `issuer-domain-name *(";" key=value)`, whitespace allowed around ";" (RFC 8659 4.2). An empty issuer forbids all. */
export function parseIssueValue(value: string): IssueValue {
  const [first = '', ...rest] = value.split(';');
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return { issuer: first.trim().toLowerCase().replace(/\.$/, ''), params };
}

export function evaluateCaa(set: readonly CaaProperty[], req: CaaRequest): CaaVerdict {
  const unknownCritical = set.find((p) => p.critical && !KNOWN_TAGS.has(p.tag));
  if (unknownCritical) {
    return { allowed: false, reason: `it has a critical property "${unknownCritical.tag}" that no CA understands, which forbids issuance`, applicable: [] };
  }
  const wild = req.wildcard ? set.filter((p) => p.tag === 'issuewild') : [];
  const tag = wild.length ? 'issuewild' : 'issue';
  const applicable = wild.length ? wild : set.filter((p) => p.tag === 'issue');
  const values = applicable.map((p) => p.value);
  if (applicable.length === 0) return { allowed: true, reason: 'it has no issue restrictions', applicable: values };
  if (!req.caIdentifiers || req.caIdentifiers.length === 0) {
    return { allowed: 'unknown', reason: `it restricts issuance (${tag} ${values.map((v) => JSON.stringify(v)).join(', ')}) and the CAA name of this CA is not known to certdeck`, applicable: values };
  }
  const ids = req.caIdentifiers.map((i) => i.toLowerCase());
  const forUs = applicable.map((p) => parseIssueValue(p.value)).filter((v) => v.issuer !== '' && ids.includes(v.issuer));
  if (forUs.length === 0) {
    return { allowed: false, reason: `its ${tag} records (${values.map((v) => JSON.stringify(v)).join(', ')}) do not name ${ids.join(' or ')}`, applicable: values };
  }
  const problems: string[] = [];
  for (const v of forUs) {
    const account = v.params.get('accounturi');
    const methods = v.params.get('validationmethods');
    const accountOk = account === undefined || req.accountUri === undefined || account === req.accountUri;
    const methodOk = methods === undefined || req.method === undefined || methods.split(',').map((m) => m.trim().toLowerCase()).includes(req.method);
    if (accountOk && methodOk) {
      const caveats: string[] = [];
      if (account !== undefined && req.accountUri === undefined) caveats.push(`only for account ${account}`);
      if (methods !== undefined && req.method === undefined) caveats.push(`only by ${methods}`);
      return { allowed: true, reason: `${tag} ${JSON.stringify(`${v.issuer}`)} allows this CA${caveats.length ? ` (${caveats.join('; ')})` : ''}`, applicable: values };
    }
    if (!accountOk) problems.push(`it binds ${v.issuer} to account ${account}, not ${req.accountUri}`);
    if (!methodOk) problems.push(`it allows ${v.issuer} only by ${methods}, not ${req.method}`);
  }
  return { allowed: false, reason: problems.join('; '), applicable: values };
}
