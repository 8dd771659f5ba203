import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathsUnder, type StatePaths } from '../../../src/engine/store/paths.js';

/** A throw-away certdeck home; always removed, even when the test body throws. */
export async function withHome<T>(fn: (paths: StatePaths, root: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'certdeck-store-'));
  try {
    return await fn(pathsUnder(root), root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export interface TestCert {
  certPem: string;
  keyPem: string;
}

/** A self-signed EC certificate for `domains` (openssl is fast and exercises a real X.509 encoder). */
export function makeCert(domains: string[], opts: { days?: number; cn?: string } = {}): TestCert {
  const out = execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-subj', `/CN=${opts.cn ?? domains[0] ?? 'test'}`,
      '-addext', `subjectAltName=${domains.map((d) => `DNS:${d}`).join(',')}`,
      '-days', String(opts.days ?? 30),
      '-keyout', '-', '-out', '-',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(out)?.[0];
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(out)?.[0];
  if (!keyPem || !certPem) throw new Error(`openssl gave no key/cert:\n${out}`);
  return { certPem, keyPem };
}

export const NODE = path.resolve('node_modules/.bin/node');
