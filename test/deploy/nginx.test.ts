import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/engine/core/clock.js';
import { normalizeTarget, runDeploy } from '../../src/engine/deploy/index.js';
import type { DeployTarget } from '../../src/engine/deploy/types.js';
import { finalStatuses, makeFixture, targetEvents, type DeployFixture } from './support/fixture.js';
import { NGINX, servedFingerprint, startNginx, type TestNginx } from './support/nginx.js';
import { makeLeaf, type TestLeaf } from './support/test-pki.js';
import { writeFile, mkdir } from 'node:fs/promises';
import { systemPackagesSkip } from '../support/system-packages.js';

/**
 * The whole pipeline against a real nginx: files -> `nginx -s reload` -> TLS verify by SNI, deploying an old
 * certificate first and then a new one, and checking what nginx really serves for every name.
 */
describe('deploy to a real nginx', { skip: systemPackagesSkip(['nginx-light']) || (!existsSync(NGINX) && `${NGINX} is not installed`) }, () => {
  let fx: DeployFixture;
  let nginx: TestNginx | undefined;
  let old: TestLeaf;
  let targets: DeployTarget[];

  before(async () => {
    fx = await makeFixture({ domains: ['a.test', 'b.test', 'c.test'] });
    old = fx.leaf;
    const certDir = await fx.dir('nginx/certs');
    const defaultDir = await fx.dir('nginx/default');
    const unrelated = await makeLeaf(fx.ca, ['default.test']);
    await writeFile(path.join(defaultDir, 'fullchain.pem'), unrelated.certPem + unrelated.chainPem);
    await writeFile(path.join(defaultDir, 'privkey.pem'), unrelated.keyPem, { mode: 0o600 });
    // nginx needs a certificate in place to start: the old one, deployed by the files target alone.
    targets = [normalizeTarget({ kind: 'files', id: 'files-1', dir: certDir, continueOnFailure: false }, 't')];
    const first = await runDeploy({ paths: fx.paths, certName: fx.certName, targets, clock: systemClock, emit: fx.emit, env: {} });
    assert.equal(first.outcome, 'succeeded');
    await mkdir(path.join(fx.root, 'nginx', 'run'), { recursive: true });
    nginx = await startNginx(path.join(fx.root, 'nginx', 'run'), { names: fx.domains, certDir, defaultCertDir: defaultDir });
    const hosts = fx.domains.map((d) => `${d}@127.0.0.1:${nginx!.port}`);
    targets = [
      ...targets,
      normalizeTarget({ kind: 'command', id: 'reload', argv: nginx.reloadArgv, timeoutMs: 10_000 }, 't'),
      normalizeTarget({ kind: 'verify', id: 'verify-1', hosts, timeoutMs: 10_000, intervalMs: 100 }, 't'),
    ];
  });

  after(async () => {
    await nginx?.stop();
    await fx?.cleanup();
  });

  const deploy = (only?: string[], extra: DeployTarget[] = []) => {
    fx.events.length = 0;
    return runDeploy({ paths: fx.paths, certName: fx.certName, targets: [...targets, ...extra], ...(only ? { only } : {}), clock: systemClock, emit: fx.emit, env: { PATH: process.env.PATH } });
  };

  it('serves the old certificate for every name to begin with, and the unrelated one without a matching SNI', async () => {
    for (const name of fx.domains) assert.equal(await servedFingerprint(nginx!.port, name), old.fingerprint, name);
    assert.notEqual(await servedFingerprint(nginx!.port, 'other.test'), old.fingerprint);
  });

  it('verify catches new files that nginx has not loaded (no reload): each name fails with the fingerprint it saw', async () => {
    await fx.renew();
    const quick = normalizeTarget({ kind: 'verify', id: 'verify-quick', hosts: fx.domains.map((d) => `${d}@127.0.0.1:${nginx!.port}`), timeoutMs: 600, intervalMs: 100 }, 't');
    const outcome = await deploy(['files-1', 'verify-quick'], [quick]);
    assert.deepEqual([outcome.outcome, outcome.succeeded, outcome.failed], ['partial', 1, 1]);
    const perName = targetEvents(fx.events, 'verify-quick').filter((e) => e.domain && e.status === 'failed');
    assert.deepEqual(perName.map((e) => e.domain).sort(), fx.domains);
    const oldShort = old.fingerprint.replace(/:/g, '').slice(0, 16);
    for (const e of perName) assert.match(e.reason ?? '', new RegExp(`^serves another certificate \\(SHA-256 ${oldShort}…\\)`));
  });

  it('files -> reload -> verify: every name now serves the new certificate', async () => {
    const renewed = await fx.renew();
    const outcome = await deploy(['files-1', 'reload', 'verify-1']);
    const { targets: _ran, ...counts } = outcome;
    assert.deepEqual(counts, { runId: outcome.runId, certName: fx.certName, outcome: 'succeeded', succeeded: 3, failed: 0, skipped: 0 }, JSON.stringify(finalStatuses(fx.events)) + (await nginx!.errorLog()));
    const perName = targetEvents(fx.events, 'verify-1').filter((e) => e.domain && e.status !== 'running');
    assert.deepEqual(perName.map((e) => `${e.domain}=${e.status}`).sort(), fx.domains.map((d) => `${d}=succeeded`));
    for (const name of fx.domains) assert.equal(await servedFingerprint(nginx!.port, name), renewed.fingerprint, name);
    assert.notEqual(renewed.fingerprint, old.fingerprint);
    assert.match(await nginx!.errorLog(), /signal 1 \(SIGHUP\) received|reconfiguring/);
  });
});
