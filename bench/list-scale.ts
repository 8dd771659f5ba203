/**
 * `certdeck list` over many certificates: a synthetic state home of real self-signed P-256 certificates (one key
 * signs and is the key of all of them, so generating 10,000 takes seconds, not minutes) in the live/ layout with
 * meta.json as certdeck writes it. The home is built once into bench/results/ and reused; each measured run
 * copies nothing, it only drops the list cache for the "first listing" figure.
 */
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as x509 from '@peculiar/x509';
import { inspectCertificate } from '../src/engine/store/inspect.js';
import { listCachePath } from '../src/engine/store/list-cache.js';
import { pathsUnder } from '../src/engine/store/paths.js';
import { CERTDECK_CLI } from './client-certdeck.js';
import { childEnv, expectSuccess, runTimed } from './timed-process.js';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const DAY = 86_400_000;

/** The home with `count` certificates, built on first use. */
export async function syntheticHome(count: number): Promise<string> {
  const home = path.join(RESULTS, `list-home-${count}`);
  const done = path.join(home, '.complete');
  if (existsSync(done)) return home;
  await rm(home, { recursive: true, force: true });
  const paths = pathsUnder(home);
  await mkdir(paths.liveDir, { recursive: true, mode: 0o700 });
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const name = `site-${String(i).padStart(5, '0')}.example.org`;
    const notBefore = new Date(now - (i % 80) * DAY);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: (i + 1).toString(16).padStart(8, '0'),
      name: `CN=${name}`,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 90 * DAY),
      signingAlgorithm: alg,
      keys,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }, { type: 'dns', value: `www.${name}` }])],
    });
    const certPem = cert.toString('pem').replace(/\r\n/g, '\n').trimEnd() + '\n';
    const facts = inspectCertificate(certPem);
    const dir = path.join(paths.liveDir, name);
    await mkdir(dir, { mode: 0o700 });
    const meta = {
      metaVersion: 1,
      certName: name,
      domains: facts.dnsNames,
      caId: i % 3 ? 'letsencrypt' : 'zerossl',
      directoryUrl: 'https://acme.invalid/directory',
      serial: facts.serial,
      notBefore: new Date(facts.notBefore).toISOString(),
      notAfter: new Date(facts.notAfter).toISOString(),
      fingerprint: new X509Certificate(certPem).fingerprint256,
      issuer: facts.issuer,
      keyType: 'ec-p256',
      savedAt: new Date(now).toISOString(),
      version: 1,
    };
    await Promise.all([
      writeFile(path.join(dir, 'cert.pem'), certPem),
      writeFile(path.join(dir, 'chain.pem'), ''),
      writeFile(path.join(dir, 'fullchain.pem'), certPem),
      writeFile(path.join(dir, 'privkey.pem'), keyPem, { mode: 0o600 }),
      writeFile(path.join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`),
    ]);
  }
  await writeFile(done, `${count}\n`);
  return home;
}

export interface ListTimes {
  count: number;
  /** No list cache: every certificate verified against its files (the first listing, or after an upgrade). */
  firstMs: number;
  /** With the cache the first listing wrote. */
  cachedMs: number[];
  listed: number;
}

/** `certdeck list --json` over the synthetic home: once without the cache, then `runs` times with it. */
export async function measureList(count: number, runs: number, signal?: AbortSignal): Promise<ListTimes> {
  const home = await syntheticHome(count);
  await rm(listCachePath(pathsUnder(home)), { force: true });
  const env = childEnv({ CERTDECK_HOME: home });
  const list = async () => {
    const run = await runTimed(process.execPath, [CERTDECK_CLI, 'list', '--json'], { env, timeoutMs: 300_000, ...(signal ? { signal } : {}) });
    expectSuccess(run, 'certdeck list --json');
    return { ms: run.ms, listed: (JSON.parse(run.stdout) as { certificates: unknown[] }).certificates.length };
  };
  const first = await list();
  const cachedMs: number[] = [];
  for (let i = 0; i < runs; i++) cachedMs.push((await list()).ms);
  return { count, firstMs: first.ms, cachedMs, listed: first.listed };
}
