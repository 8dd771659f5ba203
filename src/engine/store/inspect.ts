import { X509Certificate, createPrivateKey } from 'node:crypto';
import { BadInputError } from '../core/errors.js';

/** What certdeck needs to know about a certificate, read from its PEM with node's own X.509 parser. */
export interface CertificateFacts {
  /** Upper-case hex without separators, as `openssl x509 -serial` prints it. */
  serial: string;
  notBefore: number;
  notAfter: number;
  /** SHA-256 of the DER, upper-case hex with colons (as openssl prints it). */
  fingerprint: string;
  /** One line, e.g. "CN=R11, O=Let's Encrypt, C=US". */
  issuer: string;
  subject: string;
  /** DNS names from subjectAltName, in certificate order. */
  dnsNames: string[];
  ipAddresses: string[];
  /** In KeyType's spelling where it has one: "ec-p256", "ec-p384", "rsa-2048"... */
  keyType: string;
}

/** OpenSSL curve names to the names certdeck's KeyType uses ("ec-p256"). */
const CURVES: Record<string, string> = { prime256v1: 'p256', secp384r1: 'p384', secp521r1: 'p521' };

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates in a PEM bundle, in order, each normalized to end with one newline. */
export function splitPemBundle(pem: string): string[] {
  return (pem.match(PEM_CERT) ?? []).map((block) => `${block.trim()}\n`);
}

/** Reads the first certificate of `pem`. Throws BadInputError when there is none or it does not parse. */
export function inspectCertificate(pem: string): CertificateFacts {
  const first = splitPemBundle(pem)[0];
  if (first === undefined) {
    throw new BadInputError('bad-certificate', 'No PEM certificate found (expected -----BEGIN CERTIFICATE-----).');
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(first);
  } catch (err) {
    throw new BadInputError('bad-certificate', `The certificate does not parse: ${(err as Error).message}`);
  }
  const { dnsNames, ipAddresses } = parseSubjectAltName(cert.subjectAltName);
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails;
  const keyType =
    key.asymmetricKeyType === 'ec'
      ? `ec-${CURVES[details?.namedCurve ?? ''] ?? details?.namedCurve ?? 'unknown'}`
      : `${key.asymmetricKeyType ?? 'unknown'}-${details?.modulusLength ?? ''}`.replace(/-$/, '');
  return {
    serial: cert.serialNumber.toUpperCase(),
    notBefore: cert.validFromDate.getTime(),
    notAfter: cert.validToDate.getTime(),
    fingerprint: cert.fingerprint256,
    issuer: oneLineDn(cert.issuer),
    subject: oneLineDn(cert.subject),
    dnsNames,
    ipAddresses,
    keyType,
  };
}

/** True when `keyPem` is the private key of the certificate in `certPem` (a mismatched pair would break TLS). */
export function keyMatchesCertificate(certPem: string, keyPem: string): boolean {
  try {
    const first = splitPemBundle(certPem)[0];
    if (first === undefined) return false;
    return new X509Certificate(first).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** node prints DNs one attribute per line, most significant last; operators read "CN=..., O=..." */
function oneLineDn(dn: string): string {
  return dn
    .split('\n')
    .filter((part) => part.length > 0)
    .reverse()
    .join(', ');
}

function parseSubjectAltName(san: string | undefined): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  if (!san) return { dnsNames, ipAddresses };
  // node quotes entries containing commas as JSON strings; DNS names never contain commas, so a split is enough.
  for (const entry of san.split(', ')) {
    const m = /^(DNS|IP Address):(.*)$/.exec(entry);
    if (m?.[1] === 'DNS') dnsNames.push(m[2] ?? '');
    else if (m?.[1] === 'IP Address') ipAddresses.push(m[2] ?? '');
  }
  return { dnsNames, ipAddresses };
}
