import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { AlreadyReplacedRule, FaultScenario, ProfilesRule, RenewalInfoRule } from './scenario.js';
import { problemBody } from './responses.js';
import type { UpstreamResponse } from './upstream.js';

/**
 * What Pebble 2.4 lacks and later CAs have, added by the proxy: ARI (RFC 9773) and ACME profiles. The directory
 * is unsigned JSON, so it can be rewritten; renewalInfo is answered from the certificates seen downloaded; newOrder
 * payloads are read (never changed: they are signed) so tests can see what the client sent.
 *
 * The certID here is computed with node-forge from the raw certificate, independently of certdeck's own code, so
 * an error in either shows as an unknown certID.
 */
export const RENEWAL_INFO_PATH = '/renewal-info/';

export function renewalInfoRule(s: FaultScenario): RenewalInfoRule | undefined {
  return s.rules.find((r): r is RenewalInfoRule => r.kind === 'renewal-info');
}

export function profilesRule(s: FaultScenario): ProfilesRule | undefined {
  return s.rules.find((r): r is ProfilesRule => r.kind === 'profiles');
}

export function alreadyReplacedIndex(s: FaultScenario): number {
  return s.rules.findIndex((r): r is AlreadyReplacedRule => r.kind === 'already-replaced');
}

/** Adds renewalInfo and meta.profiles to Pebble's directory when the scenario asks for them. */
export function rewriteDirectory(res: UpstreamResponse, scenario: FaultScenario, origin: string): boolean {
  const ari = renewalInfoRule(scenario);
  const profiles = profilesRule(scenario);
  if ((!ari && !profiles) || res.status !== 200) return false;
  let dir: Record<string, unknown>;
  try {
    dir = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (ari) dir.renewalInfo = `${origin}${RENEWAL_INFO_PATH.slice(0, -1)}`;
  if (profiles) dir.meta = { ...((dir.meta as Record<string, unknown> | undefined) ?? {}), profiles: profiles.profiles };
  res.body = Buffer.from(JSON.stringify(dir, null, 2));
  return true;
}

export interface SeenCertificate {
  notBefore: number;
  notAfter: number;
}

/** certID -> validity of every leaf certificate the proxy saw downloaded. */
export class CertificateBook {
  private readonly byId = new Map<string, SeenCertificate>();

  /** Remembers the leaf of a certificate download (the first PEM block of the chain). */
  noteDownload(body: Buffer): void {
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(body.toString('utf8'))?.[0];
    if (!pem) return;
    try {
      const cert = new X509Certificate(pem);
      const id = asn1CertId(cert.raw);
      if (id) this.byId.set(id, { notBefore: cert.validFromDate.getTime(), notAfter: cert.validToDate.getTime() });
    } catch {
      // Not a certificate that parses: nothing to serve renewalInfo for.
    }
  }

  get(certId: string): SeenCertificate | undefined {
    return this.byId.get(certId);
  }
}

/** Walks the DER with node-forge's generic ASN.1 reader (forge's X.509 layer reads RSA keys only). */
function asn1CertId(der: Buffer): string | undefined {
  const asn1 = forge.asn1;
  const cert = asn1.fromDer(der.toString('binary'));
  const tbs = (cert.value as forge.asn1.Asn1[])[0]!;
  const fields = tbs.value as forge.asn1.Asn1[];
  const hasVersion = fields[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC && fields[0]!.type === 0;
  const serial = fields[hasVersion ? 1 : 0]!.value as string; // INTEGER content bytes, sign byte included
  const extsWrapper = fields.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === 3);
  if (!extsWrapper) return undefined;
  const exts = ((extsWrapper.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[]);
  for (const ext of exts) {
    const parts = ext.value as forge.asn1.Asn1[];
    if (asn1.derToOid(parts[0]!.value as string) !== '2.5.29.35') continue;
    const octets = parts[parts.length - 1]!.value as string;
    const aki = asn1.fromDer(octets);
    const keyId = (aki.value as forge.asn1.Asn1[]).find((v) => v.tagClass === asn1.Class.CONTEXT_SPECIFIC && v.type === 0);
    if (!keyId || typeof keyId.value !== 'string') return undefined;
    return `${Buffer.from(keyId.value, 'binary').toString('base64url')}.${Buffer.from(serial, 'binary').toString('base64url')}`;
  }
  return undefined;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The answer to GET renewalInfo/<certID>. */
export function renewalInfoAnswer(rule: RenewalInfoRule, book: CertificateBook, certId: string, now: number): UpstreamResponse {
  const json: [string, string] = ['Content-Type', 'application/json'];
  const seen = book.get(certId);
  if (!seen) {
    return { status: 404, headers: [['Content-Type', 'application/problem+json']], body: problemBody('malformed', `no certificate with ARI certID ${certId} was issued through this proxy`, 404) };
  }
  const w = rule.window ?? 'default';
  let start: string;
  let end: string;
  if (w === 'default') {
    const ideal = seen.notBefore + ((seen.notAfter - seen.notBefore) * 2) / 3;
    start = new Date(Math.max(seen.notBefore, ideal - DAY)).toISOString();
    end = new Date(Math.min(seen.notAfter, ideal + DAY)).toISOString();
  } else if (w === 'now') {
    start = new Date(now - 2 * HOUR).toISOString();
    end = new Date(now - HOUR).toISOString();
  } else if ('inDays' in w) {
    start = new Date(now + w.inDays * DAY).toISOString();
    end = new Date(now + (w.inDays + 1) * DAY).toISOString();
  } else {
    ({ start, end } = w);
  }
  const body = { suggestedWindow: { start, end }, ...(rule.explanationUrl ? { explanationURL: rule.explanationUrl } : {}) };
  return { status: 200, headers: [json, ['Retry-After', String(rule.retryAfterSeconds ?? 21600)]], body: Buffer.from(JSON.stringify(body, null, 2)) };
}

/** `replaces` and `profile` from a newOrder JWS (the payload is base64url JSON; the signature is left alone). */
export function newOrderFields(body: Buffer): { replaces?: string; profile?: string } {
  try {
    const jws = JSON.parse(body.toString('utf8')) as { payload?: string };
    const payload = JSON.parse(Buffer.from(jws.payload ?? '', 'base64url').toString('utf8')) as { replaces?: unknown; profile?: unknown };
    return {
      ...(typeof payload.replaces === 'string' ? { replaces: payload.replaces } : {}),
      ...(typeof payload.profile === 'string' ? { profile: payload.profile } : {}),
    };
  } catch {
    return {};
  }
}

export function alreadyReplacedAnswer(replaces: string): UpstreamResponse {
  return {
    status: 409,
    headers: [['Content-Type', 'application/problem+json']],
    body: problemBody('alreadyReplaced', `the certificate ${replaces} has already been replaced (injected by certdeck fault proxy)`, 409),
  };
}
