import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';
import { BadInputError } from './core/errors.js';

/**
 * Names the user types (domains, certificate names) and names certdeck derives (slugs of CA URLs). Everything here
 * is pure and cheap: the TUI validates domains on every keystroke, so validateDomain never throws.
 */

export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

export interface DomainRules {
  /** `*.example.com` is accepted only when the chosen challenge can validate it (dns-01). */
  wildcardAllowed: boolean;
  /** IP identifiers (RFC 8738). Off until the engine supports them. @default false */
  ipAllowed?: boolean;
}

const MAX_NAME = 253;
const MAX_LABEL = 63;
/** Characters a host name may contain once lower-cased (plus '*' for a wildcard's leftmost label). */
const LDH = /^[a-z0-9-]+$/;
/** Zero-width and other default-ignorable characters UTS #46 maps to nothing, plus the soft hyphen. */
const INVISIBLE = /[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/u;

/**
 * An A-label (RFC 5890 2.3.2.1) must decode to Unicode that encodes back to exactly it and is not plain ASCII:
 * "xn--abc" (undecodable) and "xn--ab-" (decodes to "ab") are not names any CA should be asked for.
 */
function isValidALabel(label: string): boolean {
  const unicode = domainToUnicode(label);
  return unicode !== '' && unicode !== label && /[^\x00-\x7f]/.test(unicode) && domainToASCII(unicode) === label;
}

/** IDNA treats these as label separators just like '.' (UTS #46 mapping). */
const IDN_DOTS = /[\u3002\uff0e\uff61]/g;

/**
 * Checks one domain name and returns its normalized form (lower case, A-labels, no trailing dot) or the exact
 * reason it cannot be in a certificate.
 *
 * Single-label names ("localhost", "intranet") are allowed: private ACME CAs (step-ca, Pebble in the sandbox)
 * issue for them, and a public CA answers with a rejectedIdentifier problem that the order runner reports with the
 * CA's own words. Refusing them here would block the private-CA use case to save one round trip.
 */
export function validateDomain(raw: string, opts: DomainRules): NameCheck {
  if (raw.length === 0) return bad('is empty');
  const ws = /\s/.exec(raw);
  if (ws) return bad(ws[0] === ' ' ? 'contains a space' : 'contains whitespace');

  const ip = ipLiteral(raw);
  if (ip === '') return bad("starts with '[' but is not an IPv6 address");
  if (ip !== undefined) {
    if (!opts.ipAllowed) return bad('is an IP address: IP certificates are not supported yet');
    return { ok: true, name: ip };
  }

  // IDNA mapping deletes these silently ("ex\u200bample.com" becomes example.com): a name that looks like one thing
  // and is ordered as another is refused instead, saying which character it was.
  const invisible = INVISIBLE.exec(raw);
  if (invisible) return bad(`contains the invisible character U+${invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);

  // NFKC first so full-width look-alikes ('／', '＿') are judged as the ASCII the IDNA mapping would turn them into;
  // domainToASCII alone would silently cut "a／b" to "a" the way a URL parser drops a path.
  let name = raw.normalize('NFKC').toLowerCase().replace(IDN_DOTS, '.');
  const badChar = /[^a-z0-9.*\-\u{80}-\u{10ffff}]/u.exec(name);
  if (badChar) return bad(`contains '${badChar[0]}': only letters, digits, '-' and '.' are allowed`);
  let wildcard = false;
  if (name.startsWith('*.')) {
    wildcard = true;
    name = name.slice(2);
  }
  if (name.endsWith('.') && name !== '.') name = name.slice(0, -1); // "example.com." is the same name, fully qualified
  if (name.includes('*')) return bad("'*' may only be the whole leftmost label, as in *.example.com");
  if (wildcard && !opts.wildcardAllowed) return bad('is a wildcard: HTTP-01 and TLS-ALPN-01 cannot validate wildcards, use dns-01 (--challenge dns-01 with a --dns-hook)');

  const labels = name.split('.');
  if (labels.some((l) => l === '')) return bad('has an empty label (a leading dot or two dots in a row)');
  const last = labels[labels.length - 1] ?? '';
  if (/^\d+$/.test(last)) {
    // WHATWG host parsing would read "10.1" or "foo.123" as an IPv4 address; no top-level domain is all digits.
    return labels.every((l) => /^\d+$/.test(l))
      ? bad('looks like an IP address: IP certificates are not supported yet')
      : bad(`ends in the all-digit label '${last}', which no top-level domain is`);
  }

  let ascii = name;
  if (/[^\x00-\x7f]/.test(name)) {
    ascii = domainToASCII(name);
    if (ascii === '' || ascii.split('.').length !== labels.length) {
      return bad('is not a valid internationalized domain name');
    }
  }

  for (const label of ascii.split('.')) {
    if (label.startsWith('xn--') && !isValidALabel(label)) return bad(`has an invalid punycode label '${shorten(label)}'`);
    if (label.length > MAX_LABEL) {
      return bad(`has a label of ${label.length} characters ('${shorten(label)}'); the limit is ${MAX_LABEL}`);
    }
    if (!LDH.test(label)) return bad(`has an invalid label '${label}'`);
    if (label.startsWith('-')) return bad(`has a label starting with '-' ('${label}')`);
    if (label.endsWith('-')) return bad(`has a label ending with '-' ('${label}')`);
  }
  const full = wildcard ? `*.${ascii}` : ascii;
  if (full.length > MAX_NAME) return bad(`is ${full.length} characters long; the limit is ${MAX_NAME}`);
  return { ok: true, name: full };
}

/** Thrown by normalizeDomains; `problems` lets a view mark each bad entry. */
export class DomainListError extends BadInputError {
  readonly problems: ReadonlyArray<{ input: string; reason: string }>;

  constructor(problems: Array<{ input: string; reason: string }>, total: number) {
    const lines = problems.map((p) => `  ${JSON.stringify(p.input)} ${p.reason}`);
    const head =
      problems.length === 1 && total === 1
        ? 'The domain name is invalid:'
        : `${problems.length} of ${total} domain names are invalid:`;
    super(
      'bad-domain',
      `${head}\n${lines.join('\n')}`,
      "Use host names such as example.com or www.example.com (letters, digits, '-' and '.'); " +
        'internationalized names are converted to their xn-- form for you.',
    );
    this.problems = problems;
  }
}

/**
 * Normalizes a list of names for an order: each validated, duplicates (after normalization) dropped, first
 * occurrence's position kept. Throws one error listing every bad name, so the user fixes them all in one go.
 */
export function normalizeDomains(raw: readonly string[], opts: DomainRules): string[] {
  if (raw.length === 0) {
    throw new BadInputError('no-domains', 'No domain names given.', 'Name at least one, e.g. -d example.com.');
  }
  const seen = new Set<string>();
  const out: string[] = [];
  const problems: Array<{ input: string; reason: string }> = [];
  for (const input of raw) {
    const r = validateDomain(input, opts);
    if (!r.ok) {
      problems.push({ input, reason: r.reason });
    } else if (!seen.has(r.name)) {
      seen.add(r.name);
      out.push(r.name);
    }
  }
  if (problems.length) throw new DomainListError(problems, raw.length);
  return out;
}

const MAX_CERT_NAME = 100;

/**
 * A certificate name becomes a directory (live/<name>, archive/<name>) and part of file names (journal, lock), so it
 * must stay one harmless path segment: no separators, no "..", no leading dot (hidden) or dash (read as a flag).
 */
/** Whether two lists name the same set of domains (order aside): the same certificate, as far as names go. */
export function sameDomainSet(a: readonly string[], b: readonly string[]): boolean {
  return [...a].sort().join(',') === [...b].sort().join(',');
}

export function validateCertName(name: string): NameCheck {
  if (name.length === 0) return bad('is empty');
  if (name.length > MAX_CERT_NAME) return bad(`is ${name.length} characters long; the limit is ${MAX_CERT_NAME}`);
  if (/[/\\]/.test(name)) return bad("contains a slash: a certificate name is one directory name, not a path");
  if (name.includes('..')) return bad("contains '..'");
  if (name.startsWith('.') || name.startsWith('-')) return bad(`starts with '${name[0]}'`);
  const badChar = /[^A-Za-z0-9._@+-]/.exec(name);
  if (badChar) return bad(`contains '${badChar[0]}': use letters, digits, '.', '-', '_', '@' or '+'`);
  return { ok: true, name };
}

/** Throws BadInputError when the name is unsafe; for store functions that receive a cert name from outside. */
export function assertCertName(name: string): string {
  const r = validateCertName(name);
  if (!r.ok) {
    throw new BadInputError('bad-cert-name', `Certificate name ${JSON.stringify(name)} ${r.reason}.`, 'Pick another with --name.');
  }
  return r.name;
}

/** certbot's convention: a certificate is named after its first domain; a wildcard after its base domain. */
export function defaultCertName(domains: readonly string[]): string {
  const first = domains[0] ?? '';
  return first.startsWith('*.') ? first.slice(2) : first;
}

/**
 * A short, stable, file-name-safe key for an ACME directory URL: readable host+port+path plus 8 hex of a hash, so
 * two URLs that differ only in punctuation never share accounts. The query and fragment are ignored.
 */
export function directorySlug(directoryUrl: string): string {
  let key = directoryUrl.trim();
  try {
    const u = new URL(key);
    key = `${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    key = key.toLowerCase();
  }
  const readable = key
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${readable || 'ca'}-${hash}`;
}

function ipLiteral(raw: string): string | undefined {
  const inner = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (isIPv4(inner)) return inner;
  // Only text with a colon can be IPv6; node compiles isIPv6's large pattern on first use (tens of ms at start).
  if (inner.includes(':') && isIPv6(inner)) return new URL(`http://[${inner}]/`).hostname.slice(1, -1); // canonical compressed form
  if (raw.startsWith('[')) return ''; // bracketed but not an address
  return undefined;
}

function shorten(label: string): string {
  return label.length > 20 ? `${label.slice(0, 12)}…${label.slice(-4)}` : label;
}

function bad(reason: string): NameCheck {
  return { ok: false, reason };
}
