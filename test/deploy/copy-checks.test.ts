import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/engine/core/clock.js';
import { ConfigError } from '../../src/engine/core/errors.js';
import { normalizeTarget, runDeploy } from '../../src/engine/deploy/index.js';
import { makeFixture, type DeployFixture } from './support/fixture.js';
import { makeCa, makeLeaf, writeLive } from './support/test-pki.js';

/**
 * Deploy copies chain.pem and fullchain.pem besides cert.pem and the key. A damaged or mismatched file is refused
 * before any target runs: a garbage fullchain must never be "deployed ok".
 */
describe('deploy checks what it copies', () => {
  let fx: DeployFixture;
  let out: string;
  before(async () => {
    fx = await makeFixture();
    out = await fx.dir('out');
  });
  after(() => fx.cleanup());
  beforeEach(() => writeLive(fx.paths, fx.certName, fx.leaf, fx.domains));

  const live = (name: string): string => path.join(fx.paths.liveDir, fx.certName, name);
  const deploy = () =>
    runDeploy({
      paths: fx.paths,
      certName: fx.certName,
      targets: [normalizeTarget({ kind: 'files', id: 'f', dir: out }, 't')],
      clock: new ManualClock(),
      emit: fx.emit,
      env: {},
    });

  const refused = async (message: RegExp): Promise<void> => {
    await assert.rejects(deploy(), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    assert.deepEqual(await readdir(out), [], 'nothing was copied');
  };

  it('an intact set deploys', async () => {
    const outcome = await deploy();
    assert.equal(outcome.outcome, 'succeeded');
    assert.equal(await readFile(path.join(out, 'fullchain.pem'), 'utf8'), fx.leaf.certPem + fx.leaf.chainPem);
    for (const f of await readdir(out)) await rm(path.join(out, f));
  });

  it('a garbage fullchain.pem is refused', async () => {
    await writeFile(live('fullchain.pem'), 'garbage\n');
    await refused(/fullchain\.pem holds no PEM certificate/);
  });

  it('a fullchain.pem for another certificate is refused', async () => {
    const other = await makeLeaf(fx.ca, ['other.test']);
    await writeFile(live('fullchain.pem'), other.certPem + other.chainPem);
    await refused(/fullchain\.pem does not start with the certificate in .*cert\.pem/);
  });

  it('a chain.pem that did not sign the certificate is refused', async () => {
    const stranger = await makeCa('not the issuer');
    await writeFile(live('chain.pem'), stranger.certPem);
    await writeFile(live('fullchain.pem'), fx.leaf.certPem + stranger.certPem);
    await refused(/chain\.pem is not the issuer of .*cert\.pem/);
  });

  it('a cert.pem swapped by hand (not the one meta.json records as current) is refused', async () => {
    const other = await makeLeaf(fx.ca, fx.domains);
    await writeFile(live('cert.pem'), other.certPem);
    await writeFile(live('fullchain.pem'), other.certPem + other.chainPem);
    await writeFile(live('privkey.pem'), other.keyPem);
    await refused(/is not the certificate site\/meta\.json records as current/);
  });
});
