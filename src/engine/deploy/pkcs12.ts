import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import type { PfxAlgorithm } from './types.js';

/**
 * Builds a PKCS#12 (PFX) file from PEM inputs with node-forge's primitives. forge's own `toPkcs12Asn1` only takes
 * RSA keys (it parses the key and the certificates into its RSA-only objects), and ACME certificates are often
 * ECDSA, so the bags are assembled here from DER: the key as PKCS#8 (any algorithm) and the certificates as they
 * are. The layout is the one forge and OpenSSL write: one SafeContents with the certificates (leaf first), one with
 * the shrouded key, the leaf and the key tied by the same localKeyId, and a password MAC over both.
 */

const { asn1, pki } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;

export interface Pkcs12Input {
  keyPem: string;
  /** Leaf first, then the chain in order. */
  certPems: string[];
  password: string;
  /**
   * 'aes256': PBES2/PBKDF2-HMAC-SHA256 key encryption and a SHA-256 MAC (OpenSSL 3's default, what current
   * importers expect). '3des': the legacy PKCS#12 PBE and SHA-1 MAC, for old Windows and Java importers.
   */
  algorithm: PfxAlgorithm;
  friendlyName?: string;
  /** @default 10000 for aes256, 2048 for 3des */
  iterations?: number;
}

function bytesOf(buf: Uint8Array): string {
  return Buffer.from(buf).toString('binary');
}

function oid(id: string): forge.asn1.Asn1 {
  return asn1.create(U, T.OID, false, asn1.oidToDer(id).getBytes());
}

function octets(bytes: string): forge.asn1.Asn1 {
  return asn1.create(U, T.OCTETSTRING, false, bytes);
}

function explicit0(value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [value]);
}

function seq(items: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(U, T.SEQUENCE, true, items);
}

function attribute(id: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([oid(id), asn1.create(U, T.SET, true, [value])]);
}

/** PKCS#7 ContentInfo of type data wrapping DER bytes. */
function dataContent(inner: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([oid(pki.oids.data!), explicit0(octets(asn1.toDer(inner).getBytes()))]);
}

export function buildPkcs12(input: Pkcs12Input): Uint8Array {
  const modern = input.algorithm === 'aes256';
  const count = input.iterations ?? (modern ? 10_000 : 2_048);
  const certDers = input.certPems.map((pem) => new Uint8Array(new X509Certificate(pem).raw));
  const leafDer = certDers[0];
  if (!leafDer) throw new Error('a PKCS#12 file needs at least the leaf certificate');

  // localKeyId = SHA-1 of the leaf, as forge and OpenSSL do: importers use it to pair the key with its certificate.
  const localKeyId = createHash('sha1').update(leafDer).digest().toString('binary');
  const attrs = [attribute(pki.oids.localKeyId!, octets(localKeyId))];
  if (input.friendlyName !== undefined) {
    attrs.push(attribute(pki.oids.friendlyName!, asn1.create(U, T.BMPSTRING, false, input.friendlyName)));
  }
  const bagAttrs = asn1.create(U, T.SET, true, attrs);

  const certBags = certDers.map((der, i) => {
    const certBag = seq([oid(pki.oids.x509Certificate!), explicit0(octets(bytesOf(der)))]);
    return seq([oid(pki.oids.certBag!), explicit0(certBag), ...(i === 0 ? [bagAttrs] : [])]);
  });

  const pkcs8 = createPrivateKey(input.keyPem).export({ type: 'pkcs8', format: 'der' });
  const keyInfo = asn1.fromDer(forge.util.createBuffer(bytesOf(pkcs8)));
  // PBES2 hashes the password as bytes (UTF-8, as OpenSSL does); the legacy PKCS#12 PBE turns it into BMPString itself.
  const shrouded = modern
    ? pki.encryptPrivateKeyInfo(keyInfo, forge.util.encodeUtf8(input.password), { algorithm: 'aes256', count, prfAlgorithm: 'sha256' })
    : pki.encryptPrivateKeyInfo(keyInfo, input.password, { algorithm: '3des', count });
  const keyBag = seq([oid(pki.oids.pkcs8ShroudedKeyBag!), explicit0(shrouded), bagAttrs]);

  const authSafe = seq([dataContent(seq(certBags)), dataContent(seq([keyBag]))]);

  const md = modern ? forge.md.sha256.create() : forge.md.sha1.create();
  const macLength = modern ? 32 : 20;
  const macSalt = forge.util.createBuffer(forge.random.getBytesSync(modern ? 16 : 8));
  const macKey = forge.pkcs12.generateKey(input.password, macSalt, 3, count, macLength, md);
  const hmac = forge.hmac.create();
  hmac.start(md, macKey);
  hmac.update(asn1.toDer(authSafe).getBytes());
  const macData = seq([
    seq([seq([oid(modern ? pki.oids.sha256! : pki.oids.sha1!), asn1.create(U, T.NULL, false, '')]), octets(hmac.digest().getBytes())]),
    octets(macSalt.getBytes()),
    asn1.create(U, T.INTEGER, false, asn1.integerToDer(count).getBytes()),
  ]);

  const pfx = seq([
    asn1.create(U, T.INTEGER, false, asn1.integerToDer(3).getBytes()),
    dataContent(authSafe),
    macData,
  ]);
  return new Uint8Array(Buffer.from(asn1.toDer(pfx).getBytes(), 'binary'));
}
