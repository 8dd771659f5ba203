import { createPrivateKey, generateKeyPair, randomBytes, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { writeFileAtomic } from '../engine/store/atomic.js';

/** The TLS identity of the sandbox's HTTPS listeners (both Pebbles and the fault proxy). */
export interface SandboxPki {
  /** PEM of the sandbox root: the CA bundle clients trust for the sandbox, and nothing else. */
  rootCertPath: string;
  rootCertPem: string;
  /** Leaf for 127.0.0.1, ::1 and localhost, signed by the root. */
  serverCertPath: string;
  serverCertPem: string;
  /** 0600. */
  serverKeyPath: string;
  serverKeyPem: string;
}

const VALIDITY_DAYS = 3650;
const DAY_MS = 86_400_000;
const generateKeyPairAsync = promisify(generateKeyPair);

export function sandboxPkiPaths(dir: string): Pick<SandboxPki, 'rootCertPath' | 'serverCertPath' | 'serverKeyPath'> {
  const tls = path.join(dir, 'tls');
  return {
    rootCertPath: path.join(tls, 'root.pem'),
    serverCertPath: path.join(tls, 'server.pem'),
    serverKeyPath: path.join(tls, 'server.key'),
  };
}

/**
 * Returns the sandbox PKI under `<dir>/tls/`, generating it the first time (or when the leaf is about to expire or
 * the files do not belong together). Reusing it keeps the CA bundle that operators and tests trust stable across
 * restarts. The root's private key is never written: nothing needs it after the leaf is signed, and a key that does
 * not exist cannot leak.
 */
export async function ensureSandboxPki(dir: string, now: number): Promise<SandboxPki> {
  return (await readUsablePki(dir, now)) ?? generatePki(dir, now);
}

async function readUsablePki(dir: string, now: number): Promise<SandboxPki | undefined> {
  const paths = sandboxPkiPaths(dir);
  try {
    const [rootCertPem, serverCertPem, serverKeyPem] = await Promise.all([
      readFile(paths.rootCertPath, 'utf8'),
      readFile(paths.serverCertPath, 'utf8'),
      readFile(paths.serverKeyPath, 'utf8'),
    ]);
    const root = new X509Certificate(rootCertPem);
    const server = new X509Certificate(serverCertPem);
    const stillValid = Date.parse(server.validTo) > now + DAY_MS && Date.parse(root.validTo) > now + DAY_MS;
    const belongTogether = server.verify(root.publicKey) && server.checkPrivateKey(createPrivateKey(serverKeyPem));
    return stillValid && belongTogether ? { ...paths, rootCertPem, serverCertPem, serverKeyPem } : undefined;
  } catch {
    // Missing or unreadable files: start over with a fresh PKI rather than fail.
    return undefined;
  }
}

/**
 * node-forge signs (node's crypto cannot build certificates; @peculiar/x509 2.x would need a reflect polyfill that
 * is not a dependency); node's crypto generates the RSA keys, which is much faster than forge's pure-JS keygen.
 */
async function generatePki(dir: string, now: number): Promise<SandboxPki> {
  const paths = sandboxPkiPaths(dir);
  const rootKeys = await newRsaKeyPair();
  const serverKeys = await newRsaKeyPair();
  const notBefore = new Date(now - 3_600_000); // a clock a little behind still accepts the certificates
  const notAfter = new Date(now + VALIDITY_DAYS * DAY_MS);

  const rootName = [{ name: 'commonName', value: 'certdeck sandbox root' }];
  const root = forge.pki.createCertificate();
  root.publicKey = rootKeys.publicKey;
  root.serialNumber = serialNumber();
  root.validity.notBefore = notBefore;
  root.validity.notAfter = notAfter;
  root.setSubject(rootName);
  root.setIssuer(rootName);
  root.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  root.sign(rootKeys.privateKey, forge.md.sha256.create());

  const server = forge.pki.createCertificate();
  server.publicKey = serverKeys.publicKey;
  server.serialNumber = serialNumber();
  server.validity.notBefore = notBefore;
  server.validity.notAfter = notAfter;
  server.setSubject([{ name: 'commonName', value: 'localhost' }]);
  server.setIssuer(rootName);
  server.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: root.generateSubjectKeyIdentifier().getBytes() },
  ]);
  server.sign(rootKeys.privateKey, forge.md.sha256.create());

  const serverKeyPem = serverKeys.privateKeyPem;
  const serverCertPem = forge.pki.certificateToPem(server);
  const rootCertPem = forge.pki.certificateToPem(root);
  // Root last: until it is replaced, readUsablePki rejects a mix of old root and new leaf and regenerates.
  await writeFileAtomic(paths.serverKeyPath, serverKeyPem, { mode: 0o600, dirMode: 0o755 });
  await writeFileAtomic(paths.serverCertPath, serverCertPem, { mode: 0o644, dirMode: 0o755 });
  await writeFileAtomic(paths.rootCertPath, rootCertPem, { mode: 0o644, dirMode: 0o755 });
  return { ...paths, rootCertPem, serverCertPem, serverKeyPem };
}

async function newRsaKeyPair(): Promise<{ privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; privateKeyPem: string }> {
  const { privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  return {
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
    privateKeyPem: privateKey,
  };
}

/** A positive 16-byte serial in hex (a leading 0 nibble keeps the DER integer positive). */
function serialNumber(): string {
  return '0' + randomBytes(16).toString('hex').slice(1);
}
