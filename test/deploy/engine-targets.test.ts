import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeployTargetInput } from '../../src/engine/api.js';
import { systemClock } from '../../src/engine/core/clock.js';
import { BadInputError, ConfigError } from '../../src/engine/core/errors.js';
import { targetsFilePath } from '../../src/engine/deploy/index.js';
import { Engine } from '../../src/engine/engine.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { certdeck } from './support/cli.js';
import { makeFixture, type DeployFixture } from './support/fixture.js';

/**
 * The engine's target actions (what the TUI's deploy view calls) against `certdeck deploy add|remove` on real
 * homes: the same input must give the same file, the same refusal and the same message.
 */
describe('engine deploy target actions', () => {
  let fx: DeployFixture;
  const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const engines: Engine[] = [];
  const engineOn = (home: string) => {
    const engine = new Engine({ paths: pathsUnder(home), clock: systemClock, userAgent: 'certdeck-test', env: ENV });
    engines.push(engine);
    return engine;
  };
  const cliAdd = async (home: string, args: string[]) => {
    const r = await certdeck(['deploy', 'add', 'site', ...args], { home });
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const fileOf = (home: string) => readFile(targetsFilePath(pathsUnder(home), 'site'), 'utf8');

  before(async () => {
    fx = await makeFixture();
  });
  after(async () => {
    for (const e of engines) await e.close();
    await fx.cleanup();
  });

  it('adds every kind exactly as `certdeck deploy add` does: byte-identical targets file, same warnings', async () => {
    const out = await fx.dir('out');
    const reload = await fx.script('reload.sh', 'exit 0');
    const viaEngine = path.join(fx.root, 'home-engine');
    const viaCli = path.join(fx.root, 'home-cli');
    const engine = engineOn(viaEngine);
    const inputs: DeployTargetInput[] = [
      // A trailing slash, as someone might type it: both must store the tidy path (and label).
      { kind: 'files', dir: `${out}/` },
      { kind: 'command', argv: [reload, '-s', 'reload'], id: 'reload' },
      { kind: 'pfx', out: path.join(out, 'site.pfx'), passwordEnv: 'PFX_PASSWORD' },
      { kind: 'verify', hosts: ['a.test', 'b.test@127.0.0.1:8443'] },
    ];
    const warnings: string[][] = [];
    for (const input of inputs) warnings.push((await engine.addDeployTarget('site', input)).warnings);

    await cliAdd(viaCli, ['files', '--dir', `${out}/`]);
    await cliAdd(viaCli, ['command', '--id', 'reload', '--', reload, '-s', 'reload']);
    const pfx = await cliAdd(viaCli, ['pfx', '--out', path.join(out, 'site.pfx'), '--password-env', 'PFX_PASSWORD']);
    await cliAdd(viaCli, ['verify', '--host', 'a.test', '--host', 'b.test@127.0.0.1:8443']);

    assert.equal(await fileOf(viaEngine), await fileOf(viaCli));
    const stored = JSON.parse(await fileOf(viaEngine)) as { targets: Array<{ id: string; dir?: string }> };
    assert.deepEqual(stored.targets.map((t) => t.id), ['files-1', 'reload', 'pfx-1', 'verify-1']);
    assert.equal(stored.targets[0]!.dir, out);
    assert.deepEqual(warnings, [[], [], ['PFX_PASSWORD is not set here; set it wherever certdeck deploy runs (cron, systemd unit)'], []]);
    assert.match(pfx.stderr, /warning: PFX_PASSWORD is not set here/);
  });

  it('keeps the snapshot in step: list loads the targets, add and remove replace the list', async () => {
    const home = path.join(fx.root, 'home-snapshot');
    const engine = engineOn(home);
    assert.deepEqual(await engine.listDeployTargets('site'), []);
    assert.deepEqual(engine.getSnapshot().deployTargets.site, []);
    const dir = await fx.dir('snap-out');
    const added = await engine.addDeployTarget('site', { kind: 'files', dir });
    assert.deepEqual(added.target, { id: 'files-1', kind: 'files', label: `files -> ${dir}` });
    await engine.addDeployTarget('site', { kind: 'verify', hosts: [] });
    assert.deepEqual(engine.getSnapshot().deployTargets.site?.map((t) => t.id), ['files-1', 'verify-1']);
    const removed = await engine.removeDeployTarget('site', 'files-1');
    assert.equal(removed.id, 'files-1');
    assert.deepEqual(engine.getSnapshot().deployTargets.site, [{ id: 'verify-1', kind: 'verify', label: 'verify all names on :443' }]);
    // And what the engine removed is gone for the CLI too.
    const list = await certdeck(['deploy', 'list', 'site'], { home });
    assert.match(list.stdout, /^site: 1 deploy target /m);
    assert.match(list.stdout, /^ {2}verify-1 {2}/m);
    assert.doesNotMatch(list.stdout, /files-1/);
  });

  it("refuses what the CLI refuses, with the CLI's message, and leaves the file untouched", async () => {
    const home = path.join(fx.root, 'home-refuse');
    const engine = engineOn(home);
    await engine.addDeployTarget('site', { kind: 'verify', hosts: ['a.test'] });
    const before = await fileOf(home);
    const missing = path.join(fx.root, 'no-such-dir');
    const cases: Array<[DeployTargetInput, string[]]> = [
      [{ kind: 'files', dir: missing }, ['files', '--dir', missing]],
      [{ kind: 'verify', hosts: ['bad name'] }, ['verify', '--host', 'bad name']],
      [{ kind: 'command', argv: ['no-such-program-certdeck'] }, ['command', '--', 'no-such-program-certdeck']],
      [{ kind: 'pfx', out: path.join(fx.root, 'x.pfx'), passwordEnv: 'not a name' }, ['pfx', '--out', path.join(fx.root, 'x.pfx'), '--password-env', 'not a name']],
      [{ kind: 'verify', hosts: [], id: 'verify-1' }, ['verify', '--id', 'verify-1']],
      [{ kind: 'verify', hosts: [], id: 'failed' }, ['verify', '--id', 'failed']],
    ];
    for (const [input, args] of cases) {
      const err = await engine.addDeployTarget('site', input).then(
        () => assert.fail(`accepted ${JSON.stringify(input)}`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof BadInputError, `${JSON.stringify(input)}: ${String(err)}`);
      const cli = await certdeck(['deploy', 'add', 'site', ...args], { home });
      assert.equal(cli.exitCode, 2, cli.stderr);
      assert.equal(cli.stderr.split('\n')[0], `certdeck: ${err.message}`);
      assert.equal(await fileOf(home), before, `${JSON.stringify(input)} changed the file`);
    }
    assert.match(String((await engine.removeDeployTarget('site', 'nope').catch((e: unknown) => e)) as Error), /site has no deploy target "nope" \(targets: verify-1\)/);
    assert.equal(await fileOf(home), before);
  });

  it('refuses to change the targets while a deploy of the certificate runs', async () => {
    const home = path.dirname(fx.paths.liveDir);
    const engine = engineOn(home);
    const go = path.join(fx.root, 'go');
    const gate = await fx.script('gate.sh', `while [ ! -e "${go}" ]; do sleep 0.05; done`);
    await engine.addDeployTarget('site', { kind: 'command', argv: [gate], id: 'gate' });
    const running = new Promise<void>((resolve) => {
      const off = engine.onEvent((e) => {
        if (e.type === 'deploy:target' && e.targetId === 'gate' && e.status === 'running') {
          off();
          resolve();
        }
      });
    });
    const deploy = engine.deploy('site');
    await running;
    const before = await fileOf(home);
    const refusals = await Promise.all([
      engine.addDeployTarget('site', { kind: 'verify', hosts: [] }).catch((e: unknown) => e),
      engine.removeDeployTarget('site', 'gate').catch((e: unknown) => e),
    ]);
    for (const err of refusals) {
      assert.ok(err instanceof BadInputError && err.code === 'deploy-running', String(err));
      assert.match(err.message, /site is being deployed right now/);
    }
    assert.equal(await fileOf(home), before);
    await writeFile(go, '');
    assert.equal((await deploy).outcome, 'succeeded');
    assert.equal((await engine.removeDeployTarget('site', 'gate')).id, 'gate');
  });

  it('reports a broken targets file as a ConfigError instead of overwriting it', async () => {
    const home = path.join(fx.root, 'home-broken');
    const engine = engineOn(home);
    await engine.addDeployTarget('site', { kind: 'verify', hosts: [] });
    await writeFile(targetsFilePath(pathsUnder(home), 'site'), '{ not json');
    await assert.rejects(engine.listDeployTargets('site'), (e: unknown) => e instanceof ConfigError && /is broken/.test(e.message));
    await assert.rejects(engine.addDeployTarget('site', { kind: 'verify', hosts: [] }), ConfigError);
    assert.equal(await fileOf(home), '{ not json');
  });
});
