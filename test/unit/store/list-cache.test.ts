import assert from 'node:assert/strict';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { listCertificates, livePaths, saveCertificate } from '../../../src/engine/store/cert-files.js';
import { listCachePath } from '../../../src/engine/store/list-cache.js';
import { makeCert, withHome } from './helpers.js';

const meta = { caId: 'sandbox', directoryUrl: 'https://127.0.0.1:14000/dir', keyType: 'ec-p256', savedAt: Date.UTC(2026, 0, 2) };

describe('the list cache', () => {
  it('lists from the cache what it verified, and still finds a cert.pem damaged in place with its old mtime', async () => {
    await withHome(async (paths) => {
      for (const name of ['a.test', 'b.test']) {
        const c = makeCert([name]);
        await saveCertificate(paths, name, { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta });
      }
      const first = await listCertificates(paths);
      assert.deepEqual(first.certificates.map((c) => c.certName), ['a.test', 'b.test']);
      const cached = JSON.parse(await readFile(listCachePath(paths), 'utf8')) as { entries: Record<string, unknown> };
      assert.deepEqual(Object.keys(cached.entries).sort(), ['a.test', 'b.test']);
      assert.equal((await stat(listCachePath(paths))).mode & 0o777, 0o600);
      assert.deepEqual(await listCertificates(paths), first, 'a listing from the cache says what a verified one said');

      // Same size, same mtime: only the inode's ctime changed. Still broken.
      const cert = livePaths(paths, 'b.test').cert;
      const before = await stat(cert);
      const text = await readFile(cert, 'utf8');
      const lines = text.split('\n');
      // One base64 character of the signature changed: still a parsable certificate, but not the one meta.json names.
      const i = lines.findIndex((l) => l.startsWith('-----END')) - 2;
      lines[i] = `${lines[i]![0] === 'A' ? 'B' : 'A'}${lines[i]!.slice(1)}`;
      const damaged = lines.join('\n');
      assert.notEqual(damaged, text);
      assert.equal(damaged.length, text.length);
      await writeFile(cert, damaged);
      await utimes(cert, before.atime, before.mtime);
      const second = await listCertificates(paths);
      assert.deepEqual(second.certificates.map((c) => c.certName), ['a.test']);
      assert.deepEqual(second.broken.map((b) => b.certName), ['b.test']);
      // And on every later listing, not just the first after the damage.
      assert.deepEqual((await listCertificates(paths)).broken.map((b) => b.certName), ['b.test']);
    });
  });

  it('ignores a damaged cache file and lists by verifying', async () => {
    await withHome(async (paths) => {
      const c = makeCert(['c.test']);
      await saveCertificate(paths, 'c.test', { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta });
      await listCertificates(paths);
      await writeFile(listCachePath(paths), '{ not json');
      assert.deepEqual((await listCertificates(paths)).certificates.map((x) => x.certName), ['c.test']);
    });
  });

  it('notices a swapped key (privkey.pem replaced by another key)', async () => {
    await withHome(async (paths) => {
      const c = makeCert(['d.test']);
      await saveCertificate(paths, 'd.test', { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta });
      assert.equal((await listCertificates(paths)).certificates.length, 1);
      await writeFile(livePaths(paths, 'd.test').privkey, makeCert(['other.test']).keyPem);
      assert.deepEqual((await listCertificates(paths)).broken.map((b) => b.certName), ['d.test']);
    });
  });
});
