import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, stat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/engine/core/clock.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Checks leaf -> intermediates -> Pebble's root, signature by signature. */
function assertChainVerifies(fullchainPem: string, rootPem: string): void {
  const chain = splitPem(fullchainPem).map((p) => new X509Certificate(p));
  const root = new X509Certificate(rootPem);
  assert.ok(chain.length >= 2, 'leaf and at least one intermediate');
  for (let i = 0; i < chain.length; i++) {
    const issuer = chain[i + 1] ?? root;
    assert.ok(chain[i]!.checkIssued(issuer), `certificate ${i} is issued by the next one`);
    assert.ok(chain[i]!.verify(issuer.publicKey), `certificate ${i} signature verifies`);
  }
}

describe('issuance against a real Pebble with real HTTP-01', { skip }, () => {
  let sandbox: TestSandbox;
  let engine: Engine;
  const events: EngineEvent[] = [];

  before(async () => {
    sandbox = await startTestSandbox({});
    engine = new Engine({ paths: pathsUnder(sandbox.home), clock: systemClock, userAgent: 'certdeck-test' });
    engine.onEvent((e) => events.push(e));
  });
  after(async () => {
    await engine?.close();
    await sandbox?.stop();
  });

  it('issues a single-name ECDSA certificate whose chain verifies against the Pebble root', async () => {
    const outcome = await engine.issue({ domains: ['Single.Example.test.'], ca: 'sandbox', agreeTos: true, email: 'ops@example.test' });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.equal(outcome.certName, 'single.example.test', 'upper case and trailing dot normalised');
    const dir = outcome.certificateDir!;
    const [cert, chain, fullchain, key] = await Promise.all(['cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem'].map((f) => readFile(path.join(dir, f), 'utf8')));
    const leaf = new X509Certificate(cert!);
    assert.equal(leaf.subjectAltName, 'DNS:single.example.test');
    assert.equal(createPublicKey(key!).asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(leaf.checkPrivateKey(createPrivateKey(key!)), 'privkey.pem belongs to cert.pem');
    assert.equal(splitPem(fullchain!).length, 1 + splitPem(chain!).length, 'fullchain = leaf + chain');
    assert.ok(fullchain!.startsWith(cert!.trim()), 'fullchain starts with the leaf');
    assertChainVerifies(fullchain!, await sandbox.pebbleRootPem('sandbox'));
    const keyMode = (await stat(path.join(dir, 'privkey.pem'))).mode & 0o777;
    assert.equal(keyMode, 0o600, 'private key is 0600');
    const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as { domains: string[]; caId: string; serial: string };
    assert.deepEqual(meta.domains, ['single.example.test']);
    assert.equal(meta.caId, 'sandbox');
    assert.equal(meta.serial.toLowerCase(), leaf.serialNumber.toLowerCase());
    // live/<name> is a symlink swapped atomically to a complete version directory.
    assert.match(await readlink(path.join(pathsUnder(sandbox.home).liveDir, 'single.example.test')), /archive/);
    // Real HTTP-01: the order went through authorization (unless Pebble reused a valid authorization).
    const phases = events.filter((e) => e.type === 'order:phase' && e.orderId === outcome.orderId).map((e) => (e as { phase: string }).phase);
    assert.ok(phases.includes('finalizing') && phases.includes('downloading'), phases.join(','));
  });

  it('polls the authorization once the validator has fetched the answers, not on the backoff schedule', async () => {
    // A 2 s floor and first poll: without the built-in server's signal the first poll would come at 2 s, the second at 4 s.
    const outcome = await engine.issue({ domains: ['hint.example.test', 'www.hint.example.test'], ca: 'sandbox', agreeTos: true, policy: { firstMs: 2_000, floorMs: 2_000, capMs: 10_000, jitter: 0 } });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const mine = events.filter((e) => 'orderId' in e && e.orderId === outcome.orderId);
    const waits = mine.filter((e) => e.type === 'wait:scheduled' && e.phase === 'authorization');
    if (waits.length === 0) return; // Pebble reused both valid authorizations: nothing to wait for
    assert.equal(waits.length, 1, 'one poll found the names validated');
    const wait = waits[0] as Extract<EngineEvent, { type: 'wait:scheduled' }>;
    assert.equal(wait.nextPollAt - wait.at, 4_000, 'bounded by the first two poll delays (first poll, then the floor)');
    const poll = mine.find((e) => e.type === 'http:exchange' && e.at > wait.at && /\/my-order\//.test(e.url))!;
    assert.ok(poll.at - wait.at < 2_000, `polled ${poll.at - wait.at} ms after answering, before the 2 s floor`);
  });

  it('issues a multi-SAN RSA certificate and re-uses the registered account', async () => {
    const before = events.filter((e) => e.type === 'http:exchange' && (e as { url: string }).url.includes('new-acct')).length;
    const outcome = await engine.issue({ domains: ['www.multi.test', 'multi.test', 'api.multi.test'], ca: 'sandbox', keyType: 'rsa-2048', email: 'ops@example.test' });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.equal(outcome.certName, 'www.multi.test');
    const cert = new X509Certificate(await readFile(path.join(outcome.certificateDir!, 'cert.pem'), 'utf8'));
    assert.deepEqual(cert.subjectAltName!.split(', ').sort(), ['DNS:api.multi.test', 'DNS:multi.test', 'DNS:www.multi.test']);
    assert.equal(cert.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    const afterCount = events.filter((e) => e.type === 'http:exchange' && (e as { url: string }).url.includes('new-acct')).length;
    assert.equal(afterCount, before, 'no new account registration');
  });

  it('issues P-384 certificates for several names concurrently (--each)', async () => {
    const outcomes = await engine.issueMany(['e1.test', 'e2.test', 'e3.test', 'e4.test'].map((d) => ({ domains: [d], ca: 'sandbox-b', keyType: 'ec-p384' as const, agreeTos: true })), 4);
    assert.deepEqual(outcomes.map((o) => o.ok), [true, true, true, true], JSON.stringify(outcomes.map((o) => o.error)));
    const key = await readFile(path.join(outcomes[0]!.certificateDir!, 'privkey.pem'), 'utf8');
    assert.equal(createPublicKey(key).asymmetricKeyDetails?.namedCurve, 'secp384r1');
    assertChainVerifies(await readFile(path.join(outcomes[3]!.certificateDir!, 'fullchain.pem'), 'utf8'), await sandbox.pebbleRootPem('sandbox-b'));
  });

  it('reuses the existing key on request and generates a new one otherwise', async () => {
    const dir = path.join(pathsUnder(sandbox.home).liveDir, 'single.example.test');
    const oldKey = await readFile(path.join(dir, 'privkey.pem'), 'utf8');
    const reused = await engine.issue({ domains: ['single.example.test'], ca: 'sandbox', email: 'ops@example.test', reuseKey: true });
    assert.equal(reused.ok, true);
    assert.equal(await readFile(path.join(dir, 'privkey.pem'), 'utf8'), oldKey);
    // The stored request now remembers reuse-key (as certbot's reuse_key does): turning it off is explicit.
    const fresh = await engine.issue({ domains: ['single.example.test'], ca: 'sandbox', email: 'ops@example.test', reuseKey: false });
    assert.equal(fresh.ok, true);
    assert.notEqual(await readFile(path.join(dir, 'privkey.pem'), 'utf8'), oldKey);
  });
});

describe('issuance while Pebble rejects 30% of nonces', { skip }, () => {
  it('retries badNonce and issues every certificate', async () => {
    const sandbox = await startTestSandbox({ nonceRejectPercent: 30 });
    const engine = new Engine({ paths: pathsUnder(sandbox.home), clock: systemClock, userAgent: 'certdeck-test' });
    let badNonces = 0;
    engine.onEvent((e) => {
      if (e.type === 'http:exchange' && e.problemType?.endsWith(':badNonce')) badNonces += 1;
    });
    try {
      const outcomes = await engine.issueMany(['n1.test', 'n2.test', 'n3.test', 'n4.test', 'n5.test'].map((d) => ({ domains: [d], ca: 'sandbox', agreeTos: true })), 5);
      assert.deepEqual(outcomes.map((o) => o.ok), [true, true, true, true, true], JSON.stringify(outcomes.map((o) => o.error)));
      assert.ok(badNonces > 0, 'Pebble did reject some nonces');
    } finally {
      await engine.close();
      await sandbox.stop();
    }
  });
});
