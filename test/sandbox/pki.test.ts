import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ensureSandboxPki } from '../../src/sandbox/pki.js';

describe('sandbox PKI', () => {
  const dirs: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-pki-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const now = Date.now();

  it('makes a root and a loopback leaf it signs, with the key 0600', async () => {
    const pki = await ensureSandboxPki(await tempDir(), now);
    const root = new X509Certificate(pki.rootCertPem);
    const leaf = new X509Certificate(pki.serverCertPem);
    assert.ok(root.ca);
    assert.ok(leaf.verify(root.publicKey));
    assert.equal(leaf.checkHost('localhost'), 'localhost');
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(leaf.checkIP('::1'), '::1');
    assert.equal((await stat(pki.serverKeyPath)).mode & 0o777, 0o600);
  });

  it('reuses what it made, and starts over when the files no longer belong together', async () => {
    const dir = await tempDir();
    const first = await ensureSandboxPki(dir, now);
    const again = await ensureSandboxPki(dir, now);
    assert.equal(again.rootCertPem, first.rootCertPem);
    assert.equal(again.serverKeyPem, first.serverKeyPem);

    const other = await ensureSandboxPki(await tempDir(), now);
    await writeFile(first.rootCertPath, other.rootCertPem); // a root that did not sign this leaf
    const fresh = await ensureSandboxPki(dir, now);
    assert.notEqual(fresh.serverCertPem, first.serverCertPem);
    assert.ok(new X509Certificate(fresh.serverCertPem).verify(new X509Certificate(fresh.rootCertPem).publicKey));
  });

  it('renews a leaf that is about to expire', async () => {
    const dir = await tempDir();
    const first = await ensureSandboxPki(dir, now);
    const nearEnd = Date.parse(new X509Certificate(first.serverCertPem).validTo) - 3_600_000;
    const renewed = await ensureSandboxPki(dir, nearEnd);
    assert.notEqual(renewed.serverCertPem, first.serverCertPem);
  });
});
