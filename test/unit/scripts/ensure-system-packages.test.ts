import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PACKAGES, missingPackages, plan } from '../../../scripts/ensure-system-packages.mjs';
import { systemPackagesSkip } from '../../support/system-packages.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/ensure-system-packages.mjs', import.meta.url));
const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

describe('scripts/ensure-system-packages.mjs', () => {
  it('lists every package the demo and tests use, once', () => {
    const names = SYSTEM_PACKAGES.map((p) => p.pkg);
    for (const pkg of ['pebble', 'nginx-light', 'tmux', 'openssl', 'redis-server', 'certbot', 'lego', 'curl']) assert.ok(names.includes(pkg), pkg);
    assert.equal(new Set(names).size, names.length);
  });

  it('installs as root with apt-get, and otherwise gives the one apt-get line', () => {
    const missing = missingPackages((p) => p.pkg !== 'pebble' && p.pkg !== 'tmux');
    assert.deepEqual(missing.map((m) => m.pkg), ['pebble', 'tmux']);
    assert.deepEqual(plan(missing, { isRoot: true, hasAptGet: true, checkOnly: false }), { action: 'install', line: 'apt-get install -y --no-install-recommends pebble tmux' });
    assert.deepEqual(plan(missing, { isRoot: false, hasAptGet: true, checkOnly: false }), { action: 'explain', line: 'sudo apt-get install -y --no-install-recommends pebble tmux' });
    assert.equal(plan(missing, { isRoot: true, hasAptGet: false, checkOnly: false }).action, 'explain');
    assert.equal(plan(missing, { isRoot: true, hasAptGet: true, checkOnly: true }).action, 'explain');
    assert.deepEqual(plan([], { isRoot: false, hasAptGet: false, checkOnly: false }), { action: 'none' });
  });

  it('on this machine (everything installed) it passes without installing anything', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });

  it('runs first in the README commands: npm test and npm run demo', () => {
    const scripts = (JSON.parse(readFileSync(root('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.test ?? '', /^node scripts\/ensure-system-packages\.mjs && /);
    assert.match(scripts.demo ?? '', /^node scripts\/ensure-system-packages\.mjs && /);
    assert.match(readFileSync(root('.ci/run'), 'utf8'), /^npm test$/m);
  });

  it('a test needing a missing package fails in CI and says why outside it', () => {
    // Neither dpkg-query nor the programs are found on an empty PATH.
    const env = { PATH: '/nonexistent' };
    assert.throws(() => systemPackagesSkip(['lego'], { ...env, CI: 'true' }), /lego[\s\S]*apt-get install[\s\S]*CI/);
    assert.match(String(systemPackagesSkip(['lego'], env)), /apt-get install -y --no-install-recommends lego/);
  });
});
