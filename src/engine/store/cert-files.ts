import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, realpath, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { BadInputError, ConfigError, StorageError } from '../core/errors.js';
import type { CertificateSummary } from '../events.js';
import { assertCertName, sameDomainSet } from '../names.js';
import { ensureDir, errnoCode, fsyncDir, storageError, uniqueTempName, writeDurably } from './atomic.js';
import { inspectCertificate, keyMatchesCertificate, splitPemBundle, type CertificateFacts } from './inspect.js';
import { filesSignature, openListCache } from './list-cache.js';
import type { StatePaths } from './paths.js';
import { pidAlive } from './pid.js';

/**
 * certbot-compatible certificate files. Each issued set lives in its own version directory
 * `archive/<name>/<n>/{cert,chain,fullchain,privkey}.pem + meta.json`, and `live/<name>` is a symlink to the current
 * one. A new set is written and fsynced completely before one rename swaps the symlink, so a web server reading
 * live/<name>/fullchain.pem and privkey.pem gets a matching pair from one version, never a mix or a partial file.
 */

export const CERT_FILES = {
  cert: 'cert.pem',
  chain: 'chain.pem',
  fullchain: 'fullchain.pem',
  privkey: 'privkey.pem',
  meta: 'meta.json',
} as const;

/** Versions kept besides the current one, so an operator can roll back by re-pointing the symlink. */
export const KEEP_PREVIOUS_VERSIONS = 2;

export interface CertificateMetaInput {
  /** Defaults to the certificate's DNS names. */
  domains?: string[];
  caId: string;
  directoryUrl: string;
  accountUrl?: string;
  keyType: string;
  /** ms since epoch, from the engine's Clock. */
  savedAt: number;
}

/** meta.json: what the dashboard shows without parsing PEM, and what renewal needs to re-issue. */
export interface CertificateMeta {
  metaVersion: 1;
  certName: string;
  domains: string[];
  caId: string;
  directoryUrl: string;
  accountUrl?: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  fingerprint: string;
  issuer: string;
  keyType: string;
  savedAt: string;
  /** The archive version directory this set lives in. */
  version: number;
}

export interface SavedCertificate extends CertificateSummary {
  version: number;
  /** The archive directory live/<name> now points to. */
  versionDir: string;
}

export interface StoredCertificate {
  certPem: string;
  chainPem: string;
  fullchainPem: string;
  keyPem: string;
  meta: CertificateMeta;
  /** The resolved version directory all files were read from. */
  dir: string;
}

export interface BrokenCertificate {
  certName: string;
  file: string;
  message: string;
  hint?: string;
}

export interface CertificateListing {
  certificates: CertificateSummary[];
  /** Entries that could not be read; the dashboard lists them instead of failing as a whole. */
  broken: BrokenCertificate[];
}

/** archive/ sits next to live/, as in certbot's layout. */
export function archiveDir(paths: StatePaths): string {
  return path.join(path.dirname(paths.liveDir), 'archive');
}

/** Stable paths a deploy target or web server config points at. */
export function livePaths(paths: StatePaths, certName: string): Record<keyof typeof CERT_FILES, string> & { dir: string } {
  const dir = path.join(paths.liveDir, certName);
  return {
    dir,
    cert: path.join(dir, CERT_FILES.cert),
    chain: path.join(dir, CERT_FILES.chain),
    fullchain: path.join(dir, CERT_FILES.fullchain),
    privkey: path.join(dir, CERT_FILES.privkey),
    meta: path.join(dir, CERT_FILES.meta),
  };
}

export async function saveCertificate(
  paths: StatePaths,
  certName: string,
  input: { certPem: string; chainPem: string; keyPem: string; meta: CertificateMetaInput },
): Promise<SavedCertificate> {
  assertCertName(certName);
  const facts = inspectCertificate(input.certPem);
  if (input.chainPem.trim() !== '' && splitPemBundle(input.chainPem).length === 0) {
    throw new BadInputError('bad-chain', 'The chain is not a PEM certificate bundle.');
  }
  // Refuse before touching live/: a certificate paired with the wrong key takes a site down at the next reload.
  if (!keyMatchesCertificate(input.certPem, input.keyPem)) {
    throw new BadInputError('key-mismatch', `The private key does not belong to the certificate for ${certName}.`, 'Nothing was saved; re-issue with the key the CSR was made from.');
  }

  const certPem = splitPemBundle(input.certPem)[0] ?? input.certPem;
  const chainPem = splitPemBundle(input.chainPem).join('');
  const archiveRoot = path.join(archiveDir(paths), certName);
  await ensureDir(archiveRoot, 0o700);
  await ensureDir(paths.liveDir, 0o700);

  const staging = path.join(archiveRoot, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging, { mode: 0o700 }).catch((err: unknown) => {
      throw storageError(err, staging, 'create');
    });
    const versionGuess = (await listVersions(archiveRoot)).reduce((a, b) => Math.max(a, b), 0) + 1;
    const meta: CertificateMeta = {
      metaVersion: 1,
      certName,
      // The certificate's own names: the caller's order of them when it asked for exactly these, else as issued.
      domains: input.meta.domains && sameDomainSet(input.meta.domains, facts.dnsNames) ? input.meta.domains : facts.dnsNames,
      caId: input.meta.caId,
      directoryUrl: input.meta.directoryUrl,
      ...(input.meta.accountUrl === undefined ? {} : { accountUrl: input.meta.accountUrl }),
      serial: facts.serial,
      notBefore: new Date(facts.notBefore).toISOString(),
      notAfter: new Date(facts.notAfter).toISOString(),
      fingerprint: facts.fingerprint,
      issuer: facts.issuer,
      keyType: input.meta.keyType,
      savedAt: new Date(input.meta.savedAt).toISOString(),
      version: versionGuess,
    };
    const write = async (name: string, data: string, mode: number): Promise<void> => {
      const file = path.join(staging, name);
      // A full disk here is a storage problem the operator can fix, not a bug: said so, with the path.
      await writeDurably(file, data, mode).catch((err: unknown) => {
        throw storageError(err, file, 'write');
      });
    };
    await write(CERT_FILES.cert, certPem, 0o644);
    await write(CERT_FILES.chain, chainPem, 0o644);
    await write(CERT_FILES.fullchain, certPem + chainPem, 0o644);
    await write(CERT_FILES.privkey, input.keyPem, 0o600);
    await write(CERT_FILES.meta, `${JSON.stringify(meta, null, 2)}\n`, 0o644);
    await fsyncDir(staging);

    const versionDir = path.join(archiveRoot, String(versionGuess));
    try {
      await rename(staging, versionDir);
    } catch (err) {
      // Callers hold the certificate's lock, so a taken number means the lock was bypassed: stop, don't guess.
      throw storageError(err, versionDir, 'rename');
    }
    await fsyncDir(archiveRoot);
    await pointLiveAt(paths, certName, versionDir);
    await pruneVersions(archiveRoot, versionGuess);
    return {
      certName,
      domains: meta.domains,
      caId: meta.caId,
      dir: path.join(paths.liveDir, certName),
      serial: facts.serial,
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
      fingerprint: facts.fingerprint,
      issuer: facts.issuer,
      version: versionGuess,
      versionDir,
    };
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Swaps live/<name> to `versionDir` with a temp symlink and one rename (atomic on POSIX). */
async function pointLiveAt(paths: StatePaths, certName: string, versionDir: string): Promise<void> {
  const live = path.join(paths.liveDir, certName);
  const tempLink = path.join(paths.liveDir, uniqueTempName(certName));
  // Relative, so the whole certdeck home can be moved or backed up and restored elsewhere.
  await symlink(path.relative(paths.liveDir, versionDir), tempLink).catch((err: unknown) => {
    throw storageError(err, tempLink, 'create');
  });
  try {
    await rename(tempLink, live);
  } catch (err) {
    await rm(tempLink, { force: true }).catch(() => undefined);
    const code = errnoCode(err);
    if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new StorageError(
        `${live} is a real directory, not the symlink certdeck manages; the new certificate is saved in ${versionDir}.`,
        `Move ${live} aside (e.g. to ${live}.old) and run the command again.`,
        err,
      );
    }
    throw storageError(err, live, 'rename');
  }
  await fsyncDir(paths.liveDir);
}

async function listVersions(archiveRoot: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir(archiveRoot);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw storageError(err, archiveRoot, 'read');
  }
  return entries.filter((e) => /^[1-9]\d*$/.test(e)).map(Number);
}

/** Keeps the current version and the previous KEEP_PREVIOUS_VERSIONS; removes older ones and dead writers' temp dirs. */
async function pruneVersions(archiveRoot: string, current: number): Promise<void> {
  const versions = (await listVersions(archiveRoot)).sort((a, b) => b - a);
  const keep = new Set([current, ...versions.filter((v) => v <= current).slice(0, KEEP_PREVIOUS_VERSIONS + 1)]);
  for (const v of versions) {
    if (!keep.has(v)) await rm(path.join(archiveRoot, String(v)), { recursive: true, force: true });
  }
  for (const entry of await readdir(archiveRoot)) {
    const m = /^\.tmp-(\d+)-/.exec(entry);
    if (m && !pidAlive(Number(m[1]))) await rm(path.join(archiveRoot, entry), { recursive: true, force: true });
  }
}

export async function readCertificate(paths: StatePaths, certName: string): Promise<StoredCertificate | undefined> {
  assertCertName(certName);
  const live = path.join(paths.liveDir, certName);
  let dir: string;
  try {
    // Resolve once, then read every file from that one version directory: a swap in between cannot mix versions.
    dir = await realpath(live);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw storageError(err, live, 'read');
  }
  const read = async (name: string): Promise<string> => {
    const file = path.join(dir, name);
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw storageError(err, file, 'read');
    }
  };
  const [certPem, chainPem, fullchainPem, keyPem, metaText] = await Promise.all([
    read(CERT_FILES.cert),
    read(CERT_FILES.chain),
    read(CERT_FILES.fullchain),
    read(CERT_FILES.privkey),
    read(CERT_FILES.meta),
  ]);
  const meta = parseMeta(metaText, path.join(dir, CERT_FILES.meta));
  // meta.json is a cache of what the files say; renewal decisions must rest on the files themselves.
  verifyAgainstFiles(meta, certPem, path.join(dir, CERT_FILES.cert));
  if (!keyMatchesCertificate(certPem, keyPem)) {
    throw withFile(
      new ConfigError('key-mismatch', `${path.join(dir, CERT_FILES.privkey)} is not the private key of ${path.join(dir, CERT_FILES.cert)}.`, 'The certificate cannot be served as it is; issue it again.'),
      path.join(dir, CERT_FILES.privkey),
    );
  }
  return { certPem, chainPem, fullchainPem, keyPem, meta, dir };
}

/** Throws when cert.pem does not parse or is not the certificate meta.json describes. */
function verifyAgainstFiles(meta: CertificateMeta, certPem: string, certFile: string): CertificateFacts {
  let facts: CertificateFacts;
  try {
    facts = inspectCertificate(certPem);
  } catch (err) {
    throw withFile(new ConfigError('bad-certificate-file', `${certFile}: ${(err as Error).message}`, 'The certificate file is damaged; issue it again.'), certFile);
  }
  if (facts.fingerprint !== meta.fingerprint) {
    throw withFile(
      new ConfigError('meta-mismatch', `${certFile} is not the certificate ${path.basename(path.dirname(certFile))}/meta.json describes (serial ${facts.serial}, not ${meta.serial}).`, 'Move meta.json aside (certdeck then reads cert.pem), or issue the certificate again.'),
      certFile,
    );
  }
  return facts;
}

/**
 * Summaries of every certificate under live/, read from meta.json (or cert.pem when meta.json is missing). Each is
 * verified against its files (summaryOf), unless the list cache holds the summary verified from exactly the files
 * there now (list-cache.ts): thousands of certificates list in a fraction of a second, and a damaged file still
 * shows as broken because changing it changes what the cache is keyed on.
 */
export async function listCertificates(paths: StatePaths): Promise<CertificateListing> {
  let names: string[];
  try {
    names = (await readdir(paths.liveDir)).filter((n) => !n.startsWith('.')).sort();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { certificates: [], broken: [] };
    throw storageError(err, paths.liveDir, 'read');
  }
  const certificates: CertificateSummary[] = [];
  const broken: BrokenCertificate[] = [];
  const cache = await openListCache(paths, names);
  for (const certName of names) {
    const files = livePaths(paths, certName);
    const sig = filesSignature(files);
    const cached = cache.lookup(certName, sig);
    if (cached && cached.dir === files.dir) {
      certificates.push(cached);
      continue;
    }
    try {
      const summary = await summaryOf(certName, files);
      // Read again after verifying: a file replaced meanwhile must not be cached under the new file's identity.
      if (sig !== undefined && filesSignature(files) === sig) cache.remember(certName, sig, summary);
      certificates.push(summary);
    } catch (err) {
      const hint = (err as { hint?: unknown }).hint;
      broken.push({ certName, file: (err as { file?: string }).file ?? files.meta, message: (err as Error).message, ...(typeof hint === 'string' ? { hint } : {}) });
    }
  }
  await cache.save();
  return { certificates, broken };
}

async function summaryOf(certName: string, files: ReturnType<typeof livePaths>): Promise<CertificateSummary> {
  let metaText: string | undefined;
  try {
    metaText = await readFile(files.meta, 'utf8');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw withFile(storageError(err, files.meta, 'read'), files.meta);
  }
  if (metaText !== undefined) {
    const meta = parseMeta(metaText, files.meta);
    // What list and the dashboard show comes from the certificate itself; meta.json must agree with it.
    let pem: string;
    try {
      pem = await readFile(files.cert, 'utf8');
    } catch (err) {
      throw withFile(storageError(err, files.cert, 'read'), files.cert);
    }
    const facts = verifyAgainstFiles(meta, pem, files.cert);
    const keyPem = await readFile(files.privkey, 'utf8').catch((err: unknown) => {
      // Another user's store (list by a monitoring user) may not let us read the key: the certificate still lists.
      if (errnoCode(err) === 'EACCES') return undefined;
      throw withFile(storageError(err, files.privkey, 'read'), files.privkey);
    });
    if (keyPem !== undefined && !keyMatchesCertificate(pem, keyPem)) {
      throw withFile(new ConfigError('key-mismatch', `${files.privkey} is missing, damaged or not the key of ${files.cert}.`, 'The certificate cannot be served as it is; issue it again.'), files.privkey);
    }
    return {
      certName,
      domains: facts.dnsNames.length ? meta.domains.filter((d) => facts.dnsNames.includes(d)).concat(facts.dnsNames.filter((d) => !meta.domains.includes(d))) : meta.domains,
      caId: meta.caId,
      dir: files.dir,
      serial: facts.serial,
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
      fingerprint: facts.fingerprint,
      issuer: facts.issuer,
    };
  }
  // A directory imported from certbot has no meta.json; its certificate still says everything the dashboard shows.
  let pem: string;
  try {
    pem = await readFile(files.cert, 'utf8');
  } catch (err) {
    throw withFile(storageError(err, files.cert, 'read'), files.cert);
  }
  let facts;
  try {
    facts = inspectCertificate(pem);
  } catch (err) {
    throw withFile(new ConfigError('bad-certificate-file', `${files.cert}: ${(err as Error).message}`), files.cert);
  }
  return {
    certName,
    domains: facts.dnsNames,
    caId: 'unknown',
    dir: files.dir,
    serial: facts.serial,
    notBefore: facts.notBefore,
    notAfter: facts.notAfter,
    fingerprint: facts.fingerprint,
    issuer: facts.issuer,
  };
}

function parseMeta(text: string, file: string): CertificateMeta {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw withFile(corruptMeta(file, `not valid JSON (${(err as Error).message})`), file);
  }
  const m = value as Partial<CertificateMeta> | null;
  const problems: string[] = [];
  if (typeof m !== 'object' || m === null) problems.push('not an object');
  else {
    if (!Array.isArray(m.domains) || !m.domains.every((d) => typeof d === 'string')) problems.push('domains');
    for (const key of ['caId', 'serial', 'fingerprint', 'issuer', 'keyType'] as const) {
      if (typeof m[key] !== 'string') problems.push(key);
    }
    for (const key of ['notBefore', 'notAfter'] as const) {
      if (typeof m[key] !== 'string' || Number.isNaN(Date.parse(m[key]))) problems.push(key);
    }
  }
  if (problems.length) throw withFile(corruptMeta(file, `missing or invalid: ${problems.join(', ')}`), file);
  return m as CertificateMeta;
}

function corruptMeta(file: string, what: string): ConfigError {
  return new ConfigError(
    'bad-certificate-meta',
    `${file} is ${what}.`,
    `The certificate files next to it are intact; move ${path.basename(file)} aside and certdeck will read cert.pem instead.`,
  );
}

function withFile<E extends Error>(err: E, file: string): E {
  Object.defineProperty(err, 'file', { value: file, enumerable: false });
  return err;
}
