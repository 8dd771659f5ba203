import 'reflect-metadata';
import { X509Certificate, webcrypto } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import type { StatePaths } from '../../../src/engine/store/paths.js';

/** A small test CA and leaves for several names, written like the live store writes them. */

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type KeyPair = webcrypto.CryptoKeyPair;
type X509Keys = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

export type TestKeyType = 'ec' | 'rsa';

export interface TestCa {
  cert: x509.X509Certificate;
  certPem: string;
  keys: KeyPair;
}

export interface TestLeaf {
  certPem: string;
  keyPem: string;
  chainPem: string;
  /** Upper-case hex with colons, as node's X509Certificate.fingerprint256. */
  fingerprint: string;
  serial: string;
}

function algorithm(kind: TestKeyType): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return kind === 'ec'
    ? { name: 'ECDSA', namedCurve: 'P-256' }
    : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
}

function signing(kind: TestKeyType): { name: string; hash?: string } {
  return kind === 'ec' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' };
}

const DAY = 86_400_000;

export async function makeCa(name = 'certdeck test CA'): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(algorithm('ec'), true, ['sign', 'verify'])) as KeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys: keys as unknown as X509Keys,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    signingAlgorithm: signing('ec'),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { cert, certPem: cert.toString('pem'), keys };
}

export async function makeLeaf(ca: TestCa, names: string[], kind: TestKeyType = 'ec'): Promise<TestLeaf> {
  const keys = (await webcrypto.subtle.generateKey(algorithm(kind), true, ['sign', 'verify'])) as KeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${names[0]}`,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey as unknown as X509Keys['publicKey'] & object,
    signingKey: ca.keys.privateKey as unknown as X509Keys['privateKey'] & object,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 10 * DAY),
    signingAlgorithm: signing('ec'),
    extensions: [
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  const certPem = `${cert.toString('pem')}\n`;
  const node = new X509Certificate(certPem);
  return { certPem, keyPem, chainPem: `${ca.certPem}\n`, fingerprint: node.fingerprint256, serial: node.serialNumber };
}

/** Writes `liveDir/<certName>/` as the issuing side does. */
export async function writeLive(paths: StatePaths, certName: string, leaf: TestLeaf, domains: string[]): Promise<string> {
  const dir = path.join(paths.liveDir, certName);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'cert.pem'), leaf.certPem);
  await writeFile(path.join(dir, 'chain.pem'), leaf.chainPem);
  await writeFile(path.join(dir, 'fullchain.pem'), leaf.certPem + leaf.chainPem);
  await writeFile(path.join(dir, 'privkey.pem'), leaf.keyPem, { mode: 0o600 });
  await chmod(path.join(dir, 'privkey.pem'), 0o600);
  await writeFile(path.join(dir, 'meta.json'), JSON.stringify({ domains, serial: leaf.serial, fingerprint: leaf.fingerprint }));
  return dir;
}
