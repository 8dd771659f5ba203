import { readCertificate, saveCertificate, type CertificateMeta } from './cert-files.js';
import type { StatePaths } from './paths.js';
import type { Storage } from './storage.js';

/**
 * Certificates in a shared storage, and their copy in each node's local live/ layout. A node serves from local
 * files (a web server reads live/<name>/fullchain.pem; a Redis outage must not take sites down), so the shared copy
 * is the source and live/ a materialised view of it. With the file storage, live/ is the storage itself and both
 * operations do nothing.
 *
 * Keys: certificates/<name>/{cert.pem,chain.pem,privkey.pem,meta.json}; meta.json is written last and names the
 * serial, so a reader that finds it finds the rest of that version (a writer under the lock wrote them first).
 */

export type MaterializeResult = 'local' | 'absent' | 'unchanged' | 'updated';

export function isShared(storage: Storage): boolean {
  return storage.info().kind !== 'file';
}

export async function publishCertificate(storage: Storage, certName: string, cert: { certPem: string; chainPem: string; keyPem: string; meta: CertificateMeta }): Promise<void> {
  if (!isShared(storage)) return;
  const base = `certificates/${certName}`;
  await storage.store(`${base}/privkey.pem`, cert.keyPem, { secret: true });
  await storage.store(`${base}/cert.pem`, cert.certPem);
  await storage.store(`${base}/chain.pem`, cert.chainPem);
  await storage.store(`${base}/meta.json`, `${JSON.stringify(cert.meta, null, 2)}\n`);
}

/** The shared certificate's meta (serial, dates), or undefined when the fleet has none of that name. */
export async function sharedMeta(storage: Storage, certName: string): Promise<CertificateMeta | undefined> {
  const text = await storage.load(`certificates/${certName}/meta.json`);
  return text === undefined ? undefined : (JSON.parse(text) as CertificateMeta);
}

export async function listSharedCertificates(storage: Storage): Promise<string[]> {
  return isShared(storage) ? storage.list('certificates') : [];
}

/**
 * Brings the local live/<name> up to the shared version (atomic swap, 0600 key: saveCertificate), unless it already
 * serves that serial.
 */
export async function materializeCertificate(storage: Storage, paths: StatePaths, certName: string): Promise<MaterializeResult> {
  if (!isShared(storage)) return 'local';
  const meta = await sharedMeta(storage, certName);
  if (!meta) return 'absent';
  const local = await readCertificate(paths, certName).catch(() => undefined);
  if (local?.meta.serial === meta.serial) return 'unchanged';
  const base = `certificates/${certName}`;
  const [certPem, chainPem, keyPem] = await Promise.all([storage.load(`${base}/cert.pem`), storage.load(`${base}/chain.pem`), storage.load(`${base}/privkey.pem`)]);
  if (certPem === undefined || keyPem === undefined) return 'absent';
  await saveCertificate(paths, certName, {
    certPem,
    chainPem: chainPem ?? '',
    keyPem,
    meta: {
      domains: meta.domains,
      caId: meta.caId,
      directoryUrl: meta.directoryUrl,
      ...(meta.accountUrl ? { accountUrl: meta.accountUrl } : {}),
      keyType: meta.keyType,
      savedAt: Date.parse(meta.savedAt),
    },
  });
  return 'updated';
}
