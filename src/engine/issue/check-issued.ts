import { X509Certificate, createPrivateKey } from 'node:crypto';
import { EngineError } from '../core/errors.js';
import { stripControl } from '../core/sanitize.js';
import { sameDomainSet } from '../names.js';
import { splitPemBundle } from '../store/inspect.js';

/**
 * A CA's certificate is checked before anything is installed: a CA that returns a certificate for other names,
 * one not yet (or no longer) valid, one its own chain did not sign, or one for another key would otherwise be put
 * in place of a working certificate and then reported as valid by `list`, `--if-due` and verify.
 */

/** Clocks disagree a little; a notBefore this far ahead of ours is still "now" (Let's Encrypt backdates by 1 h). */
export const NOT_BEFORE_SKEW_MS = 5 * 60_000;

export interface IssuedCheckInput {
  fullchainPem: string;
  keyPem: string;
  /** The identifiers the order asked for (normalised, A-labels). */
  domains: readonly string[];
  now: number;
  caName: string;
}

export function checkIssuedCertificate(input: IssuedCheckInput): void {
  const { caName } = input;
  const pems = splitPemBundle(input.fullchainPem);
  const fail = (code: string, what: string): never => {
    throw new EngineError('ca-problem', code, `${caName} returned a certificate certdeck will not install: ${what}.`, {
      hint: 'Nothing was installed and the certificate in use is untouched. Report it to the CA, or issue from another CA (--fallback / switch CA).',
    });
  };
  if (pems.length === 0) fail('issued-not-pem', 'the download holds no PEM certificate');
  let certs: X509Certificate[];
  try {
    certs = pems.map((p) => new X509Certificate(p));
  } catch (err) {
    return fail('issued-unparsable', `it does not parse (${stripControl((err as Error).message)})`);
  }
  const [leaf, ...chain] = certs as [X509Certificate, ...X509Certificate[]];

  const names = dnsNamesOf(leaf);
  if (!sameDomainSet(names.map((n) => n.toLowerCase()), input.domains.map((d) => d.toLowerCase()))) {
    const want = new Set(input.domains.map((d) => d.toLowerCase()));
    const have = new Set(names.map((d) => d.toLowerCase()));
    const extra = [...have].filter((n) => !want.has(n));
    const missing = [...want].filter((n) => !have.has(n));
    fail(
      'issued-wrong-names',
      `it is for ${names.length ? names.map((n) => stripControl(n)).join(', ') : 'no DNS names'}` +
        `${extra.length ? `; not requested: ${extra.map((n) => stripControl(n)).join(', ')}` : ''}` +
        `${missing.length ? `; missing: ${missing.join(', ')}` : ''}`,
    );
  }
  if (leaf.subjectAltName?.split(', ').some((e) => !e.startsWith('DNS:'))) {
    fail('issued-wrong-names', `it names identifiers that were not requested (${stripControl(leaf.subjectAltName)})`);
  }
  const notBefore = leaf.validFromDate.getTime();
  const notAfter = leaf.validToDate.getTime();
  if (notBefore > input.now + NOT_BEFORE_SKEW_MS) fail('issued-not-yet-valid', `it is not valid until ${new Date(notBefore).toISOString()}`);
  if (notAfter <= input.now) fail('issued-expired', `it expired at ${new Date(notAfter).toISOString()}`);
  if (notAfter <= notBefore) fail('issued-bad-validity', 'its validity period is empty');

  // The leaf must have been signed by the issuer the CA sent with it, and each chain link by the next.
  for (let i = 0; i < chain.length; i++) {
    const child = i === 0 ? leaf : chain[i - 1]!;
    const parent = chain[i]!;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      fail('issued-bad-chain', i === 0 ? 'it was not signed by the issuer certificate sent with it' : `chain certificate ${i} was not signed by certificate ${i + 1}`);
    }
  }
  let keyOk = false;
  try {
    keyOk = leaf.checkPrivateKey(createPrivateKey(input.keyPem));
  } catch {
    keyOk = false;
  }
  if (!keyOk) fail('issued-key-mismatch', 'it is not for the private key certdeck sent the request for');
}

export function dnsNamesOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((e) => e.startsWith('DNS:'))
    .map((e) => e.slice(4));
}
