import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BadInputError, StorageError } from '../../../src/engine/core/errors.js';
import { archiveDir, listCertificates, livePaths, readCertificate, saveCertificate } from '../../../src/engine/store/cert-files.js';
import { inspectCertificate, keyMatchesCertificate } from '../../../src/engine/store/inspect.js';
import { makeCert, withHome } from './helpers.js';

const meta = { caId: 'sandbox', directoryUrl: 'https://127.0.0.1:14000/dir', keyType: 'ec-p256', savedAt: Date.UTC(2026, 0, 2) };
const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

describe('inspectCertificate', () => {
  it('reads what openssl reads', () => {
    const { certPem } = makeCert(['example.test', 'www.example.test'], { days: 10 });
    const facts = inspectCertificate(certPem);
    const serial = execFileSync('openssl', ['x509', '-noout', '-serial'], { input: certPem, encoding: 'utf8' }).trim().replace('serial=', '');
    const fp = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: certPem, encoding: 'utf8' }).trim().split('=')[1];
    assert.equal(facts.serial, serial.toUpperCase());
    assert.equal(facts.fingerprint, fp);
    assert.deepEqual(facts.dnsNames, ['example.test', 'www.example.test']);
    assert.equal(facts.issuer, 'CN=example.test');
    assert.equal(facts.keyType, 'ec-p256');
    assert.ok(Math.abs(facts.notAfter - facts.notBefore - 10 * 86_400_000) < 5_000);
  });

  it('rejects text that is not a certificate', () => {
    assert.throws(() => inspectCertificate('hello'), BadInputError);
  });
});

describe('saveCertificate', () => {
  it('writes a certbot layout: live/<name> -> archive/<name>/1 with 0600 key and meta.json', async () => {
    await withHome(async (paths) => {
      const leaf = makeCert(['example.test']);
      const issuer = makeCert(['issuer.test'], { cn: 'Test Issuer' });
      const saved = await saveCertificate(paths, 'example.test', { certPem: leaf.certPem, chainPem: issuer.certPem, keyPem: leaf.keyPem, meta });
      const files = livePaths(paths, 'example.test');
      assert.ok((await lstat(files.dir)).isSymbolicLink());
      assert.equal(await readlink(files.dir), path.join('..', 'archive', 'example.test', '1'));
      assert.equal(saved.version, 1);
      assert.equal(await readFile(files.cert, 'utf8'), leaf.certPem);
      assert.equal(await readFile(files.chain, 'utf8'), issuer.certPem);
      assert.equal(await readFile(files.fullchain, 'utf8'), leaf.certPem + issuer.certPem);
      assert.equal(await readFile(files.privkey, 'utf8'), leaf.keyPem);
      assert.equal(await modeOf(files.privkey), 0o600);
      assert.equal(await modeOf(files.cert), 0o644);
      assert.equal(await modeOf(path.join(archiveDir(paths), 'example.test')), 0o700);

      const m = JSON.parse(await readFile(files.meta, 'utf8')) as Record<string, unknown>;
      const facts = inspectCertificate(leaf.certPem);
      assert.deepEqual(m.domains, ['example.test']);
      assert.equal(m.caId, 'sandbox');
      assert.equal(m.serial, facts.serial);
      assert.equal(m.fingerprint, facts.fingerprint);
      assert.equal(m.notAfter, new Date(facts.notAfter).toISOString());
      assert.equal(m.savedAt, '2026-01-02T00:00:00.000Z');
      assert.equal(saved.serial, facts.serial);
      assert.equal(saved.dir, files.dir);
      assert.deepEqual(await readdir(paths.liveDir), ['example.test'], 'no temp links left');
    });
  });

  it('refuses a key that does not match the certificate, and writes nothing', async () => {
    await withHome(async (paths) => {
      const a = makeCert(['a.test']);
      const b = makeCert(['a.test']);
      await assert.rejects(
        saveCertificate(paths, 'a.test', { certPem: a.certPem, chainPem: '', keyPem: b.keyPem, meta }),
        (e: unknown) => e instanceof BadInputError && e.code === 'key-mismatch',
      );
      assert.equal(await readCertificate(paths, 'a.test'), undefined);
    });
  });

  it('rejects an unsafe certificate name before touching the disk', async () => {
    await withHome(async (paths) => {
      const a = makeCert(['a.test']);
      await assert.rejects(saveCertificate(paths, '../evil', { certPem: a.certPem, chainPem: '', keyPem: a.keyPem, meta }), BadInputError);
    });
  });

  it('keeps the current version and the previous two, pruning older ones', async () => {
    await withHome(async (paths) => {
      const certs = Array.from({ length: 4 }, () => makeCert(['r.test']));
      for (const c of certs) await saveCertificate(paths, 'r.test', { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta });
      assert.deepEqual((await readdir(path.join(archiveDir(paths), 'r.test'))).sort(), ['2', '3', '4']);
      const read = await readCertificate(paths, 'r.test');
      assert.equal(read?.certPem, certs[3]!.certPem);
      assert.equal(read?.keyPem, certs[3]!.keyPem);
      assert.equal(read?.meta.version, 4);
    });
  });

  it('swaps whole sets: a concurrent reader always gets a matching certificate and key', async () => {
    await withHome(async (paths) => {
      const certs = Array.from({ length: 6 }, () => makeCert(['swap.test']));
      await saveCertificate(paths, 'swap.test', { certPem: certs[0]!.certPem, chainPem: '', keyPem: certs[0]!.keyPem, meta });
      let done = false;
      let reads = 0;
      const reader = (async () => {
        while (!done) {
          const r = await readCertificate(paths, 'swap.test');
          assert.ok(r, 'the certificate disappeared during a swap');
          assert.ok(keyMatchesCertificate(r.certPem, r.keyPem), 'certificate and key came from different versions');
          assert.ok(r.fullchainPem.startsWith(r.certPem));
          reads += 1;
        }
      })();
      for (const c of certs.slice(1)) await saveCertificate(paths, 'swap.test', { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta });
      done = true;
      await reader;
      assert.ok(reads > 0);
    });
  });

  it('does not clobber a real live directory it does not manage', async () => {
    await withHome(async (paths) => {
      const c = makeCert(['real.test']);
      await mkdir(path.join(paths.liveDir, 'real.test'), { recursive: true });
      await writeFile(path.join(paths.liveDir, 'real.test', 'cert.pem'), 'mine');
      await assert.rejects(
        saveCertificate(paths, 'real.test', { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta }),
        (e: unknown) => e instanceof StorageError && /real directory/.test(e.message) && /Move/.test(e.hint ?? ''),
      );
      assert.equal(await readFile(path.join(paths.liveDir, 'real.test', 'cert.pem'), 'utf8'), 'mine');
      assert.deepEqual(await readdir(path.join(archiveDir(paths), 'real.test')), ['1'], 'the new set is kept in the archive');
    });
  });
});

describe('listCertificates', () => {
  it('summarizes good entries and reports broken ones without failing', async () => {
    await withHome(async (paths) => {
      assert.deepEqual(await listCertificates(paths), { certificates: [], broken: [] });
      const good = makeCert(['good.test', 'www.good.test']);
      await saveCertificate(paths, 'good.test', { certPem: good.certPem, chainPem: '', keyPem: good.keyPem, meta });
      const bad = makeCert(['bad.test']);
      await saveCertificate(paths, 'bad.test', { certPem: bad.certPem, chainPem: '', keyPem: bad.keyPem, meta });
      await writeFile(livePaths(paths, 'bad.test').meta, '{ not json');
      // A certbot directory imported as is: no meta.json, just PEM files.
      const imported = makeCert(['old.test']);
      await mkdir(path.join(paths.liveDir, 'old.test'), { recursive: true });
      await writeFile(path.join(paths.liveDir, 'old.test', 'cert.pem'), imported.certPem);

      const { certificates, broken } = await listCertificates(paths);
      assert.deepEqual(certificates.map((c) => [c.certName, c.caId, c.domains]), [
        ['good.test', 'sandbox', ['good.test', 'www.good.test']],
        ['old.test', 'unknown', ['old.test']],
      ]);
      assert.equal(certificates[0]!.notAfter, inspectCertificate(good.certPem).notAfter);
      assert.equal(broken.length, 1);
      assert.equal(broken[0]!.certName, 'bad.test');
      assert.equal(broken[0]!.file, livePaths(paths, 'bad.test').meta);
      assert.match(broken[0]!.message, /not valid JSON/);
    });
  });
});

describe('list and renewal read the certificate itself, not only meta.json', () => {
  it('a broken cert.pem, a cert.pem that is not the one meta.json describes, or a foreign privkey.pem is listed as broken', async () => {
    await withHome(async (paths) => {
      for (const name of ['garbled.test', 'swapped.test', 'wrongkey.test', 'fine.test']) {
        const c = makeCert([name]);
        await saveCertificate(paths, name, { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta });
      }
      await writeFile(livePaths(paths, 'garbled.test').cert, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      await writeFile(livePaths(paths, 'swapped.test').cert, makeCert(['swapped.test']).certPem);
      await writeFile(livePaths(paths, 'wrongkey.test').privkey, makeCert(['other.test']).keyPem);

      const { certificates, broken } = await listCertificates(paths);
      assert.deepEqual(certificates.map((c) => c.certName), ['fine.test']);
      const why = Object.fromEntries(broken.map((b) => [b.certName, b.message]));
      assert.match(why['garbled.test']!, /does not parse/);
      assert.match(why['swapped.test']!, /is not the certificate swapped\.test\/meta\.json describes/);
      assert.match(why['wrongkey.test']!, /missing, damaged or not the key/);

      // readCertificate (what --if-due and renew decide from) refuses the same entries.
      await assert.rejects(readCertificate(paths, 'swapped.test'), /meta\.json describes/);
      await assert.rejects(readCertificate(paths, 'wrongkey.test'), /is not the private key/);
      assert.ok(await readCertificate(paths, 'fine.test'));
    });
  });

  it("meta.json's names and dates are the certificate's, not the caller's", async () => {
    await withHome(async (paths) => {
      const c = makeCert(['real.test', 'www.real.test']);
      const saved = await saveCertificate(paths, 'real.test', { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta: { ...meta, domains: ['claimed.test'] } });
      assert.deepEqual(saved.domains, ['real.test', 'www.real.test']);
      const m = JSON.parse(await readFile(livePaths(paths, 'real.test').meta, 'utf8')) as { domains: string[]; notAfter: string };
      assert.deepEqual(m.domains, ['real.test', 'www.real.test']);
      assert.equal(Date.parse(m.notAfter), inspectCertificate(c.certPem).notAfter);
    });
  });
});
