import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/engine/core/clock.js';
import { normalizeTarget, runDeploy } from '../../src/engine/deploy/index.js';
import { finalStatuses, makeFixture, type DeployFixture } from './support/fixture.js';

const HOOKS = fileURLToPath(new URL('../../assets/hooks/', import.meta.url));

describe('example deploy hooks (assets/hooks)', () => {
  let fx: DeployFixture;
  before(async () => {
    fx = await makeFixture();
  });
  after(() => fx.cleanup());

  it('haproxy-combined-pem.sh writes full chain + key as one 0600 file and runs the reload', async () => {
    const dir = await fx.dir('haproxy');
    const reloaded = path.join(fx.root, 'reloaded');
    const outcome = await runDeploy({
      paths: fx.paths,
      certName: fx.certName,
      // A hook's settings come from the target's env (certdeck's own environment does not reach hooks).
      targets: [normalizeTarget({ kind: 'command', id: 'haproxy', argv: [path.join(HOOKS, 'haproxy-combined-pem.sh'), dir], env: { RELOAD: `touch ${reloaded}` } }, 't')],
      clock: new ManualClock(),
      emit: fx.emit,
      env: { PATH: process.env.PATH },
    });
    assert.equal(outcome.outcome, 'succeeded', JSON.stringify(finalStatuses(fx.events)));
    const out = path.join(dir, 'site.pem');
    assert.equal(await readFile(out, 'utf8'), fx.leaf.certPem + fx.leaf.chainPem + fx.leaf.keyPem);
    assert.equal((await stat(out)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['site.pem']);
    await stat(reloaded);
  });

  it('reload-nginx.sh stops before the reload when the config test fails, with nginx\'s words as the reason', async () => {
    const fakeNginx = await fx.script('nginx', 'if [ "$1" = "-t" ]; then echo "nginx: [emerg] cannot load certificate key" >&2; exit 1; fi\necho reloaded > "$(dirname "$0")/reload-ran"');
    fx.events.length = 0;
    const outcome = await runDeploy({
      paths: fx.paths,
      certName: fx.certName,
      targets: [normalizeTarget({ kind: 'command', id: 'nginx', argv: [path.join(HOOKS, 'reload-nginx.sh')], env: { NGINX: fakeNginx } }, 't')],
      clock: new ManualClock(),
      emit: fx.emit,
      env: { PATH: process.env.PATH },
    });
    assert.equal(outcome.outcome, 'failed');
    assert.equal(finalStatuses(fx.events).nginx?.reason, `${path.join(HOOKS, 'reload-nginx.sh')}: exit code 1: nginx: [emerg] cannot load certificate key`);
    await assert.rejects(stat(path.join(path.dirname(fakeNginx), 'reload-ran')));
  });
});
