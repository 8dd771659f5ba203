import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { oldNode } from '../support/old-node.js';

/**
 * certdeck as a package: `npm pack` (whose prepack builds dist/ afresh) makes a tarball that `npm install -g` puts
 * on PATH under the pinned Node, with nothing to download (dist/ is a bundle), and that runs from there: version,
 * an empty list, the CA catalog found in the installed assets/, completion. Packed from a copy of the sources, so
 * the build it runs does not replace the dist/ other tests are using.
 */

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '..', '..');
const pinnedBin = path.dirname(process.execPath);

/** npm's own CLI script: run with the pinned node, so npm (and the prepack build) run under Node >= 22. */
function npmCli(): string {
  const fromNpm = process.env.npm_execpath;
  if (fromNpm && /npm-cli\.js$/.test(fromNpm)) return fromNpm;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const npm = path.join(dir, 'npm');
    if (existsSync(npm)) return realpathSync(npm);
  }
  throw new Error('npm was not found on PATH');
}

/** The environment for npm and the installed bin: no npm_* variables of the `npm test` around us. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false', ...extra };
}

describe('npm pack, npm install -g, certdeck on PATH', () => {
  let tmp: string;
  let tarball: string;
  let prefix: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'certdeck-pack-'));
    const src = path.join(tmp, 'src-copy');
    await mkdir(src);
    for (const entry of ['package.json', 'esbuild.config.mjs', 'tsconfig.json', 'README.md', 'src', 'assets']) {
      await cp(path.join(repo, entry), path.join(src, entry), { recursive: true });
    }
    await symlink(path.join(repo, 'node_modules'), path.join(src, 'node_modules'), 'dir');
    const env = cleanEnv({ PATH: `${pinnedBin}${path.delimiter}${process.env.PATH ?? ''}` });
    const packed = await run(process.execPath, [npmCli(), 'pack', '--json', '--pack-destination', tmp], { cwd: src, env, timeout: 120_000 });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = path.join(tmp, info!.filename);
    assert.ok(existsSync(path.join(src, 'dist', 'cli.js')), 'prepack built dist/');
    prefix = path.join(tmp, 'prefix');
    await run(process.execPath, [npmCli(), 'install', '--global', '--offline', '--prefix', prefix, tarball], { env, timeout: 120_000 });
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  /** Runs the installed `certdeck` found through PATH, as a shell would. */
  function certdeck(args: string[], nodeFirst = pinnedBin) {
    const env = cleanEnv({ PATH: [path.join(prefix, 'bin'), nodeFirst, '/usr/bin', '/bin'].join(path.delimiter), CERTDECK_HOME: path.join(tmp, 'home') });
    return run('certdeck', args, { env, timeout: 30_000 }).then(
      (r) => ({ code: 0, ...r }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );
  }

  it('the tarball holds the bundle and the assets, not the sources, tests or source maps', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.split('\n').filter(Boolean);
    for (const f of ['package/package.json', 'package/dist/cli.js', 'package/dist/main.js', 'package/assets/ca-catalog.json', 'package/README.md']) assert.ok(files.includes(f), f);
    assert.ok(!files.some((f) => /^package\/(src|test|bench)\//.test(f) || f.endsWith('.map')), files.filter((f) => /src\/|test\/|\.map$/.test(f)).join('\n'));
  });

  it('installs without downloading anything: the bundle needs no runtime dependencies', async () => {
    const installed = path.join(prefix, 'lib', 'node_modules', 'certdeck');
    assert.ok(existsSync(path.join(installed, 'dist', 'cli.js')));
    assert.ok(!existsSync(path.join(installed, 'node_modules')), `node_modules in the installed package: ${existsSync(path.join(installed, 'node_modules')) ? (await readdir(path.join(installed, 'node_modules'))).join(', ') : ''}`);
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    assert.deepEqual(Object.keys(pkg.dependencies ?? {}), [], 'esbuild bundles every library into dist/: list them under devDependencies');
  });

  it('certdeck --version and certdeck list run from PATH with the pinned Node', async () => {
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    const version = await certdeck(['--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `certdeck ${pkg.version} (node ${process.version})\n`);
    const list = await certdeck(['list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /No certificates yet/);
    const json = await certdeck(['list', '--json']);
    assert.deepEqual(JSON.parse(json.stdout), { certificates: [], broken: [], storage: { kind: 'file', location: path.join(tmp, 'home'), encryptedSecrets: false } });
  });

  it('finds its assets in the installed location (the CA catalog) and completes in bash', async () => {
    const unknown = await certdeck(['issue', 'a.test', '--ca', 'no-such-ca']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /letsencrypt-staging/, 'the catalog ids come from the installed assets/ca-catalog.json');
    const completion = await certdeck(['completion', 'bash']);
    assert.equal(completion.code, 0, completion.stderr);
    assert.match(completion.stdout, /complete -o default -F _certdeck certdeck/);
  });

  it('under an older Node the installed certdeck says which Node it needs, in one line', { skip: oldNode() ? false : 'no Node older than 22 at /usr/bin/node' }, async () => {
    const r = await certdeck(['--version'], '/usr/bin');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^certdeck needs Node\.js 22 or newer, but this is Node\.js v\d+\.\d+\.\d+ \(\/usr\/bin\/node\)[^\n]*\n$/);
  });
});
