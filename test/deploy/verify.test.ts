import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { createSecureContext, createServer, type SecureContext, type Server } from 'node:tls';
import { ManualClock } from '../../src/engine/core/clock.js';
import { normalizeTarget, runDeploy } from '../../src/engine/deploy/index.js';
import type { DeployTarget } from '../../src/engine/deploy/types.js';
import { finalStatuses, makeFixture, targetEvents, type DeployFixture } from './support/fixture.js';
import { driveClock, freePort } from './support/net.js';
import { makeCa, type TestLeaf } from './support/test-pki.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const target = (input: Record<string, unknown>): DeployTarget => normalizeTarget(input, 'test');

/** A TLS server whose certificate per SNI name the test decides at each handshake. */
async function sniServer(pick: (name: string, handshake: number) => TestLeaf): Promise<{ server: Server; port: number; handshakes: Map<string, number> }> {
  const handshakes = new Map<string, number>();
  const contexts = new Map<TestLeaf, SecureContext>();
  const ctx = (leaf: TestLeaf): SecureContext => {
    let c = contexts.get(leaf);
    if (!c) contexts.set(leaf, (c = createSecureContext({ cert: leaf.certPem + leaf.chainPem, key: leaf.keyPem })));
    return c;
  };
  const server = createServer({
    SNICallback: (name, cb) => {
      const n = (handshakes.get(name) ?? 0) + 1;
      handshakes.set(name, n);
      cb(null, ctx(pick(name, n)));
    },
  });
  server.on('secureConnection', (s) => s.end());
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0, handshakes };
}

describe('verify target', () => {
  let fx: DeployFixture;
  let old: TestLeaf;
  const servers: Server[] = [];
  before(async () => {
    fx = await makeFixture();
    old = fx.leaf;
    await fx.renew();
  });
  after(async () => {
    for (const s of servers) s.close();
    await fx.cleanup();
  });

  const deploy = (targets: DeployTarget[], clock: ManualClock) => {
    fx.events.length = 0;
    return runDeploy({ paths: fx.paths, certName: fx.certName, targets, clock, emit: fx.emit, env: {} });
  };

  it('checks each name by SNI and reports a status per name', async () => {
    const { server, port, handshakes } = await sniServer(() => fx.leaf);
    servers.push(server);
    const hosts = fx.domains.map((d) => `${d}@127.0.0.1:${port}`);
    const outcome = await deploy([target({ kind: 'verify', id: 'v', hosts })], new ManualClock());
    assert.equal(outcome.outcome, 'succeeded');
    const started = fx.events[0];
    assert.deepEqual(started?.type === 'deploy:started' && started.targets[0]?.domains, fx.domains);
    const perName = targetEvents(fx.events, 'v').filter((e) => e.domain && e.status !== 'running');
    // Names are checked side by side, so their verdicts may arrive in any order.
    assert.deepEqual(perName.map((e) => `${e.domain}=${e.status}`).sort(), fx.domains.map((d) => `${d}=succeeded`));
    assert.deepEqual([...handshakes.keys()].sort(), fx.domains, 'SNI carried each name');
  });

  it('fails only the name that still serves the old certificate, after retrying until its timeout', async () => {
    const { server, port } = await sniServer((name) => (name === 'c.test' ? old : fx.leaf));
    servers.push(server);
    const clock = new ManualClock();
    const hosts = fx.domains.map((d) => `${d}@127.0.0.1:${port}`);
    const outcome = await driveClock(clock, deploy([target({ kind: 'verify', id: 'v', hosts, timeoutMs: 3000, intervalMs: 500 })], clock), 250);
    assert.equal(outcome.outcome, 'failed');
    const names = Object.fromEntries(targetEvents(fx.events, 'v').filter((e) => e.domain && e.status !== 'running').map((e) => [e.domain, e]));
    assert.equal(names['a.test']?.status, 'succeeded');
    assert.equal(names['b.test']?.status, 'succeeded');
    assert.equal(names['c.test']?.status, 'failed');
    const short = (fp: string) => fp.replace(/:/g, '').slice(0, 16);
    assert.match(names['c.test']?.reason ?? '', new RegExp(`^serves another certificate \\(SHA-256 ${short(old.fingerprint)}…\\), not the new one \\(${short(fx.leaf.fingerprint)}…\\) \\(gave up after \\d+ attempts in 3s\\)$`));
    const attempts = fx.events.filter((e) => e.type === 'deploy:log' && e.line.startsWith('c.test: attempt')).length;
    // 500, 1000, 2000 (capped by the deadline): four handshakes in 3 s of clock time.
    assert.equal(attempts, 4);
    assert.match(finalStatuses(fx.events).v?.reason ?? '', /^1 of 3 not serving the new certificate: c\.test: serves another certificate/);
  });

  it('checks the name as a client would: the new certificate served for a name it does not cover fails', async () => {
    const { server, port } = await sniServer(() => fx.leaf);
    servers.push(server);
    const clock = new ManualClock();
    const outcome = await driveClock(clock, deploy([target({ kind: 'verify', id: 'v', hosts: [`a.test@127.0.0.1:${port}`, `other.test@127.0.0.1:${port}`], timeoutMs: 1000 })], clock), 250);
    assert.equal(outcome.outcome, 'failed');
    const names = Object.fromEntries(targetEvents(fx.events, 'v').filter((e) => e.domain && e.status !== 'running').map((e) => [e.domain, e]));
    assert.equal(names['a.test']?.status, 'succeeded');
    assert.equal(names['other.test']?.status, 'failed');
    assert.match(names['other.test']?.reason ?? '', /serves the new certificate, but a client would reject it for other\.test: .*altnames/i);
  });

  it('checks the chain as a client would: with a CA bundle the chain does not lead to, it fails', async () => {
    const { server, port } = await sniServer(() => fx.leaf);
    servers.push(server);
    const stranger = await makeCa('a CA the clients trust instead');
    const bundle = path.join(fx.root, 'stranger-bundle.pem');
    await writeFile(bundle, stranger.certPem);
    const trusted = path.join(fx.root, 'right-bundle.pem');
    await writeFile(trusted, fx.ca.certPem);
    const clock = new ManualClock();
    const outcome = await driveClock(
      clock,
      deploy([
        target({ kind: 'verify', id: 'wrong', hosts: [`a.test@127.0.0.1:${port}`], timeoutMs: 1000, caBundle: bundle }),
        target({ kind: 'verify', id: 'right', hosts: [`a.test@127.0.0.1:${port}`], timeoutMs: 1000, caBundle: trusted }),
      ], clock),
      250,
    );
    assert.equal(outcome.outcome, 'partial');
    const s = finalStatuses(fx.events);
    assert.match(s.wrong?.reason ?? '', /a client would reject its chain \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)\)/);
    assert.equal(s.right?.status, 'succeeded');
  });

  it('waits out a reload: a name that switches to the new certificate on the third handshake succeeds', async () => {
    const { server, port } = await sniServer((_name, n) => (n < 3 ? old : fx.leaf));
    servers.push(server);
    const clock = new ManualClock();
    const outcome = await driveClock(clock, deploy([target({ kind: 'verify', id: 'v', hosts: [`a.test@127.0.0.1:${port}`], timeoutMs: 10_000 })], clock), 100);
    assert.equal(outcome.outcome, 'succeeded');
    assert.ok(fx.events.some((e) => e.type === 'deploy:log' && e.line.startsWith('a.test: serves the new certificate') && e.line.endsWith('attempt 3)')));
  });

  it('reports a refused connection for that target only; later targets still run', async () => {
    const closed = await freePort();
    const clock = new ManualClock();
    const outcome = await driveClock(
      clock,
      deploy([target({ kind: 'verify', id: 'v', hosts: [`a.test@127.0.0.1:${closed}`], timeoutMs: 2000 }), target({ kind: 'command', id: 'next', argv: ['true'] })], clock),
      250,
    );
    assert.deepEqual([outcome.outcome, outcome.succeeded, outcome.failed], ['partial', 1, 1]);
    const aTest = targetEvents(fx.events, 'v').filter((e) => e.domain === 'a.test').at(-1);
    assert.match(aTest?.reason ?? '', new RegExp(`^connection refused \\(127\\.0\\.0\\.1:${closed}\\) \\(gave up after \\d+ attempts in 2s\\)$`));
    assert.equal(finalStatuses(fx.events).next?.status, 'succeeded');
  });

  it('defaults to every non-wildcard name on the certificate', async () => {
    const clock = new ManualClock();
    fx.events.length = 0;
    const run = runDeploy({ paths: fx.paths, certName: fx.certName, targets: [target({ kind: 'verify', id: 'v', timeoutMs: 1 })], clock, emit: fx.emit, env: {} });
    await driveClock(clock, run, 1000);
    const started = fx.events[0];
    assert.deepEqual(started?.type === 'deploy:started' && started.targets[0]?.domains, ['a.test', 'b.test', 'c.test']);
  });
});
