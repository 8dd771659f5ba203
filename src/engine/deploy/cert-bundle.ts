import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { BadInputError, ConfigError } from '../core/errors.js';
import { splitPemBundle } from '../store/inspect.js';
import type { StatePaths } from '../store/paths.js';
import { errnoCode } from '../core/errno.js';
import { checkCertName } from './target-store.js';

/**
 * The certificate being deployed, read once per run from `liveDir/<certName>/`. Every target works from this one
 * in-memory copy, so a renewal writing the live directory mid-run cannot hand different targets different
 * certificates.
 */
export interface CertBundle {
  certName: string;
  dir: string;
  domains: string[];
  /** Paths in the live directory (what command hooks get in CERTDECK_*_PATH). */
  files: { cert: string; chain: string; fullchain: string; key: string };
  certPem: string;
  chainPem: string;
  fullchainPem: string;
  keyPem: string;
  /** SHA-256 of the leaf, upper-case hex with colons (node's and openssl's format). */
  fingerprint: string;
  serial: string;
}

/** Normalises any fingerprint spelling (colons or not, any case) for comparison. */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new ConfigError('cert-unreadable', `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, 'Run certdeck as the user that owns the certificate store.', err);
  }
}

function sanNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:') || s.startsWith('IP Address:'))
    .map((s) => s.replace(/^DNS:|^IP Address:/, ''));
}

/**
 * Deploy copies chain.pem and fullchain.pem as well as cert.pem: each must parse, fullchain must be this leaf
 * followed by this chain, and the chain must be what signed the leaf. A garbage fullchain is never "deployed ok".
 */
function checkCopiedFiles(leaf: X509Certificate, files: CertBundle['files'], fullchainPem: string, chainPem: string): void {
  const parse = (pem: string, file: string): X509Certificate[] => {
    const blocks = splitPemBundle(pem);
    if (pem.trim() !== '' && blocks.length === 0) throw new ConfigError('cert-broken', `${file} holds no PEM certificate`, 'Re-issue the certificate; nothing was deployed.');
    try {
      return blocks.map((b) => new X509Certificate(b));
    } catch (err) {
      throw new ConfigError('cert-broken', `${file} is not a readable certificate bundle: ${err instanceof Error ? err.message : String(err)}`, 'Re-issue the certificate; nothing was deployed.');
    }
  };
  const chain = parse(chainPem, files.chain);
  const full = parse(fullchainPem, files.fullchain);
  const fp = (c: X509Certificate): string => c.fingerprint256;
  if (full.length === 0 || fp(full[0]!) !== fp(leaf)) {
    throw new ConfigError('cert-broken', `${files.fullchain} does not start with the certificate in ${files.cert}`, 'Re-issue the certificate; nothing was deployed.');
  }
  if (full.slice(1).map(fp).join() !== chain.map(fp).join()) {
    throw new ConfigError('cert-broken', `${files.fullchain} and ${files.chain} hold different chains`, 'Re-issue the certificate; nothing was deployed.');
  }
  const issuer = chain[0];
  if (issuer && !(leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey))) {
    throw new ConfigError('cert-broken', `${files.chain} is not the issuer of ${files.cert}`, 'Re-issue the certificate; nothing was deployed.');
  }
}

export async function loadCertBundle(paths: StatePaths, certName: string): Promise<CertBundle> {
  checkCertName(certName);
  const dir = path.join(paths.liveDir, certName);
  const files = {
    cert: path.join(dir, 'cert.pem'),
    chain: path.join(dir, 'chain.pem'),
    fullchain: path.join(dir, 'fullchain.pem'),
    key: path.join(dir, 'privkey.pem'),
  };
  // live/<name> is a symlink the store swaps to a new version directory; reading every file through one resolved
  // path means a renewal landing mid-read cannot give us the certificate of one version and the key of another.
  const real = await realpath(dir).catch(() => dir);
  const [certPem, chainFile, fullchainFile, keyPem, metaText] = await Promise.all([
    readOptional(path.join(real, 'cert.pem')),
    readOptional(path.join(real, 'chain.pem')),
    readOptional(path.join(real, 'fullchain.pem')),
    readOptional(path.join(real, 'privkey.pem')),
    readOptional(path.join(real, 'meta.json')),
  ]);
  if (certPem === undefined || keyPem === undefined) {
    throw new BadInputError(
      'no-certificate',
      `no certificate "${certName}" to deploy: ${certPem === undefined ? files.cert : files.key} does not exist`,
      'Issue it first (`certdeck issue`), or check the name with `certdeck list`.',
    );
  }
  let leaf: X509Certificate;
  try {
    const first = splitPemBundle(certPem)[0];
    if (!first) throw new Error('no PEM certificate in it');
    leaf = new X509Certificate(first);
  } catch (err) {
    throw new ConfigError('cert-broken', `${files.cert} is not a readable certificate: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Deploying a certificate with someone else's key would take every server it reaches offline.
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) {
      throw new ConfigError('key-mismatch', `${files.key} does not belong to ${files.cert}`, 'Re-issue the certificate; nothing was deployed.');
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError('key-broken', `${files.key} is not a readable private key`, 'Re-issue the certificate; nothing was deployed.', err);
  }
  const leafPem = splitPemBundle(certPem)[0]!;
  const fullchainPem = fullchainFile ?? certPem + (chainFile ?? '');
  const chainPem = chainFile ?? splitPemBundle(fullchainPem).slice(1).join('');
  checkCopiedFiles(leaf, files, fullchainPem, chainPem);
  let domains: string[] | undefined;
  if (metaText !== undefined) {
    let meta: { domains?: unknown; fingerprint?: unknown } | undefined;
    try {
      meta = JSON.parse(metaText) as { domains?: unknown; fingerprint?: unknown };
    } catch {
      /* meta.json is a cache of what the certificate says; fall back to the certificate itself */
    }
    if (meta && Array.isArray(meta.domains) && meta.domains.every((d): d is string => typeof d === 'string')) domains = meta.domains;
    // The current certificate is the one meta.json describes; a cert.pem swapped in by hand is not deployed.
    if (meta && typeof meta.fingerprint === 'string' && normalizeFingerprint(meta.fingerprint) !== normalizeFingerprint(leaf.fingerprint256)) {
      throw new ConfigError('not-current', `${files.cert} is not the certificate ${certName}/meta.json records as current`, 'Re-issue the certificate (or restore the live directory); nothing was deployed.');
    }
  }
  return {
    certName,
    dir,
    domains: domains ?? sanNames(leaf),
    files,
    certPem: leafPem,
    chainPem,
    fullchainPem,
    keyPem,
    fingerprint: leaf.fingerprint256,
    serial: leaf.serialNumber,
  };
}
