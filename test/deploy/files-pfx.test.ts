import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import forge from 'node-forge';
import { ManualClock } from '../../src/engine/core/clock.js';
import { normalizeTarget, runDeploy } from '../../src/engine/deploy/index.js';
import type { DeployTarget } from '../../src/engine/deploy/types.js';
import { finalStatuses, makeFixture, type DeployFixture } from './support/fixture.js';

const target = (input: Record<string, unknown>): DeployTarget => normalizeTarget(input, 'test');
const isRoot = process.getuid?.() === 0;

async function mode(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.includes('.certdeck-'));
}

describe('files target', () => {
  let fx: DeployFixture;
  before(async () => {
    fx = await makeFixture();
  });
  after(() => fx.cleanup());

  const deploy = (targets: DeployTarget[]) => {
    fx.events.length = 0;
    return runDeploy({ paths: fx.paths, certName: fx.certName, targets, clock: new ManualClock(), emit: fx.emit, env: {} });
  };

  it('writes cert, chain, fullchain and key with their modes, atomically, and logs each file', async () => {
    const dir = await fx.dir('files-basic');
    const outcome = await deploy([target({ kind: 'files', id: 'f', dir, certMode: 0o640 })]);
    assert.equal(outcome.outcome, 'succeeded');
    assert.equal(await readFile(path.join(dir, 'cert.pem'), 'utf8'), fx.leaf.certPem);
    assert.equal(await readFile(path.join(dir, 'chain.pem'), 'utf8'), fx.leaf.chainPem);
    assert.equal(await readFile(path.join(dir, 'fullchain.pem'), 'utf8'), fx.leaf.certPem + fx.leaf.chainPem);
    assert.equal(await readFile(path.join(dir, 'privkey.pem'), 'utf8'), fx.leaf.keyPem);
    assert.equal(await mode(path.join(dir, 'privkey.pem')), 0o600);
    assert.equal(await mode(path.join(dir, 'cert.pem')), 0o640);
    assert.deepEqual(await leftovers(dir), []);
    const logs = fx.events.filter((e) => e.type === 'deploy:log').map((e) => (e.type === 'deploy:log' ? e.line : ''));
    assert.ok(logs.includes(`wrote ${path.join(dir, 'privkey.pem')} (0600)`), logs.join('\n'));
  });

  it('replaces files by rename, so an open reader keeps a whole old file', async () => {
    const dir = await fx.dir('files-replace');
    await deploy([target({ kind: 'files', id: 'f', dir })]);
    const before = await stat(path.join(dir, 'fullchain.pem'));
    const old = fx.leaf;
    await fx.renew();
    await deploy([target({ kind: 'files', id: 'f', dir })]);
    const afterStat = await stat(path.join(dir, 'fullchain.pem'));
    assert.notEqual(afterStat.ino, before.ino, 'a new inode: the old file was never rewritten in place');
    assert.equal(await readFile(path.join(dir, 'cert.pem'), 'utf8'), fx.leaf.certPem);
    assert.notEqual(fx.leaf.certPem, old.certPem);
  });

  it('places explicit paths and gives the files to another owner', { skip: !isRoot && 'changing owners needs root' }, async () => {
    const a = await fx.dir('files-owner/a');
    const b = await fx.dir('files-owner/b');
    const key = path.join(b, 'site.key');
    const full = path.join(a, 'site.crt');
    const outcome = await deploy([target({ kind: 'files', id: 'f', paths: { key, fullchain: full }, owner: 'nobody:nogroup' })]);
    assert.equal(outcome.outcome, 'succeeded', JSON.stringify(finalStatuses(fx.events)));
    assert.deepEqual((await readdir(a)).sort(), ['site.crt']);
    assert.deepEqual((await readdir(b)).sort(), ['site.key']);
    const s = await stat(key);
    assert.deepEqual([s.uid, s.gid, s.mode & 0o777], [65534, 65534, 0o600]);
  });

  it('reports a missing directory or an unknown owner per target, leaves other targets alone', async () => {
    const good = await fx.dir('files-good');
    const outcome = await deploy([
      target({ kind: 'files', id: 'missing', dir: path.join(fx.root, 'no-such-dir') }),
      target({ kind: 'files', id: 'owner', dir: good, owner: 'certdeck-no-such-user' }),
      target({ kind: 'files', id: 'good', dir: good }),
    ]);
    assert.deepEqual([outcome.outcome, outcome.succeeded, outcome.failed], ['partial', 1, 2]);
    const s = finalStatuses(fx.events);
    assert.equal(s.missing?.reason, `target directory ${path.join(fx.root, 'no-such-dir')} does not exist`);
    assert.equal(s.owner?.reason, 'owner certdeck-no-such-user: no user "certdeck-no-such-user" on this system');
    assert.equal(s.good?.status, 'succeeded');
  });

  it('replaces nothing when one of the files cannot be written (no half-deployed pair)', async () => {
    const certDir = await fx.dir('files-half/cert');
    const blocker = path.join(fx.root, 'files-half', 'not-a-dir');
    await writeFile(blocker, 'a file where a directory should be');
    await writeFile(path.join(certDir, 'site.crt'), 'OLD CERT');
    const outcome = await deploy([target({ kind: 'files', id: 'f', paths: { fullchain: path.join(certDir, 'site.crt'), key: path.join(blocker, 'site.key') } })]);
    assert.equal(outcome.outcome, 'failed');
    assert.match(finalStatuses(fx.events).f?.reason ?? '', /not-a-dir is not a directory|not a directory/);
    assert.equal(await readFile(path.join(certDir, 'site.crt'), 'utf8'), 'OLD CERT');
    assert.deepEqual(await leftovers(certDir), []);
  });

  it('fails cleanly on a directory it may not write', { skip: isRoot && 'root may write anywhere; the CLI test covers this as an unprivileged user' }, async () => {
    const ro = await fx.dir('files-ro');
    await writeFile(path.join(ro, 'cert.pem'), 'OLD');
    await chmod(ro, 0o555);
    try {
      const outcome = await deploy([target({ kind: 'files', id: 'f', dir: ro })]);
      assert.equal(outcome.outcome, 'failed');
      assert.match(finalStatuses(fx.events).f?.reason ?? '', /permission denied/);
      assert.equal(await readFile(path.join(ro, 'cert.pem'), 'utf8'), 'OLD');
    } finally {
      await chmod(ro, 0o755);
    }
  });
});

describe('pfx target', () => {
  let fx: DeployFixture;
  before(async () => {
    fx = await makeFixture({ keyType: 'rsa' });
  });
  after(() => fx.cleanup());

  const deploy = (targets: DeployTarget[], env: NodeJS.ProcessEnv) => {
    fx.events.length = 0;
    return runDeploy({ paths: fx.paths, certName: fx.certName, targets, clock: new ManualClock(), emit: fx.emit, env });
  };

  function open(file: Buffer, password: string) {
    return forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(file.toString('binary'))), password);
  }

  it('writes a 0600 PKCS#12 that opens with the password from the environment and holds the key and the chain', async () => {
    const out = path.join(await fx.dir('pfx'), 'site.pfx');
    const outcome = await deploy([target({ kind: 'pfx', id: 'p', out, passwordEnv: 'PFX_PW', password: 'stored-one', friendlyName: 'site' })], { PFX_PW: 's3cret env' });
    assert.equal(outcome.outcome, 'succeeded', JSON.stringify(finalStatuses(fx.events)));
    assert.equal(await mode(out), 0o600);
    const der = await readFile(out);
    assert.throws(() => open(der, 'stored-one'), 'the environment variable wins over the stored password');
    const p12 = open(der, 's3cret env');
    const keyBags = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? [];
    const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
    assert.equal(keyBags.length, 1);
    const key = keyBags[0]!.key;
    assert.ok(key, 'forge reads the RSA key');
    const expected = forge.pki.privateKeyFromPem(createPrivateKey(fx.leaf.keyPem).export({ type: 'pkcs1', format: 'pem' }).toString());
    assert.equal((key as forge.pki.rsa.PrivateKey).n.toString(16), expected.n.toString(16));
    // The test CA signs with ECDSA, which forge cannot parse into certificate objects; it hands those back as ASN.1.
    const ders = certBags.map((b) => Buffer.from(forge.asn1.toDer(b.cert ? forge.pki.certificateToAsn1(b.cert) : b.asn1!).getBytes(), 'binary'));
    assert.deepEqual(
      ders.map((d) => new X509Certificate(d).fingerprint256),
      [fx.leaf.fingerprint, new X509Certificate(fx.ca.certPem).fingerprint256],
      'leaf first, then the chain',
    );
    assert.equal(keyBags[0]!.attributes.friendlyName?.[0], 'site');
    const logs = JSON.stringify(fx.events);
    assert.equal(logs.includes('s3cret'), false, 'the password never appears in events');
  });

  it('handles ECDSA keys too (opened by forge as raw bags)', async () => {
    const ec = await makeFixture({ keyType: 'ec', domains: ['ec.test'] });
    try {
      const out = path.join(await ec.dir('pfx'), 'ec.pfx');
      const outcome = await runDeploy({ paths: ec.paths, certName: ec.certName, targets: [target({ kind: 'pfx', id: 'p', out, passwordEnv: 'PW', algorithm: '3des' })], clock: new ManualClock(), emit: ec.emit, env: { PW: 'pw' } });
      assert.equal(outcome.outcome, 'succeeded');
      const p12 = open(await readFile(out), 'pw');
      const keyBag = (p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? [])[0];
      assert.ok(keyBag?.asn1, 'the decrypted PKCS#8 is there');
      const keyDer = Buffer.from(forge.asn1.toDer(keyBag.asn1).getBytes(), 'binary');
      assert.deepEqual(keyDer, createPrivateKey(ec.leaf.keyPem).export({ type: 'pkcs8', format: 'der' }));
      const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
      const certDers = certBags.map((b) => Buffer.from(forge.asn1.toDer(b.asn1!).getBytes(), 'binary'));
      assert.deepEqual(certDers.map((d) => new X509Certificate(d).fingerprint256), [ec.leaf.fingerprint, new X509Certificate(ec.ca.certPem).fingerprint256]);
    } finally {
      await ec.cleanup();
    }
  });

  it('fails with a clear reason when the password variable is missing, and writes nothing', async () => {
    const dir = await fx.dir('pfx-missing');
    const out = path.join(dir, 'site.pfx');
    const outcome = await deploy([target({ kind: 'pfx', id: 'p', out, passwordEnv: 'NOT_SET_ANYWHERE' })], {});
    assert.equal(outcome.outcome, 'failed');
    assert.equal(finalStatuses(fx.events).p?.reason, 'environment variable NOT_SET_ANYWHERE (the PFX password) is not set');
    assert.deepEqual(await readdir(dir), []);
  });

  it('reports a missing output directory', async () => {
    const out = path.join(fx.root, 'nowhere', 'site.pfx');
    const outcome = await deploy([target({ kind: 'pfx', id: 'p', out, passwordEnv: 'PW' })], { PW: 'x' });
    assert.equal(outcome.outcome, 'failed');
    assert.equal(finalStatuses(fx.events).p?.reason, `target directory ${path.join(fx.root, 'nowhere')} does not exist`);
    await mkdir(path.join(fx.root, 'nowhere'));
  });
});
