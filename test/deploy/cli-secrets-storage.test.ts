import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { targetsFilePath } from '../../src/engine/deploy/index.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { certdeck } from './support/cli.js';
import { makeFixture, type DeployFixture } from './support/fixture.js';
import { writeLive } from './support/test-pki.js';

const isRoot = process.getuid?.() === 0;

describe('deploy CLI: secrets stay hidden, storage errors are messages', () => {
  let fx: DeployFixture;
  let home: string;
  before(async () => {
    fx = await makeFixture();
    home = path.dirname(fx.paths.liveDir);
  });
  after(() => fx.cleanup());

  it("deploy list --json shows a command target's env names, never their values", async () => {
    const file = targetsFilePath(fx.paths, 'site');
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify({ version: 1, certName: 'site', targets: [{ kind: 'command', id: 'hook', argv: ['true'], env: { API_TOKEN: 's3cret-token-value', MODE: 'x' } }] }), { mode: 0o600 });
    const r = await certdeck(['deploy', 'list', 'site', '--json'], { home });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /s3cret-token-value/);
    const parsed = JSON.parse(r.stdout) as { targets: Array<{ env?: Record<string, string> }> };
    assert.deepEqual(parsed.targets[0]?.env, { API_TOKEN: '(hidden)', MODE: '(hidden)' });
    assert.match(await readFile(file, 'utf8'), /s3cret-token-value/, 'the file itself keeps them');
  });

  it('deploy add on a read-only home is a storage error (exit 9), without a stack trace', async (t) => {
    if (!isRoot) return t.skip('mounting a read-only file system needs root');
    const ro = path.join(fx.root, 'ro-home');
    await mkdir(ro, { mode: 0o700 });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', ro], { stdio: 'pipe' });
    } catch (err) {
      return t.skip(`SKIPPED LOUDLY: cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`);
    }
    try {
      await writeLive(pathsUnder(ro), 'site', fx.leaf, fx.domains);
      execFileSync('mount', ['-o', 'remount,ro', ro], { stdio: 'pipe' });
      const dest = await fx.dir('ro-dest');
      const r = await certdeck(['deploy', 'add', 'site', 'files', '--dir', dest], { home: ro });
      assert.equal(r.exitCode, 9, r.stdout + r.stderr);
      assert.match(r.stderr, /read-only/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      execFileSync('umount', [ro]);
    }
  });
});
