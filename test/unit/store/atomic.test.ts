import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { StorageError } from '../../../src/engine/core/errors.js';
import { storageError, writeFileAtomic } from '../../../src/engine/store/atomic.js';
import { NODE, withHome } from './helpers.js';

const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

describe('writeFileAtomic', () => {
  it('creates parent directories 0700 and the file 0600 by default', async () => {
    await withHome(async (_paths, root) => {
      const file = path.join(root, 'a', 'b', 'secret.pem');
      await writeFileAtomic(file, 'key');
      assert.equal(await readFile(file, 'utf8'), 'key');
      assert.equal(await modeOf(file), 0o600);
      assert.equal(await modeOf(path.join(root, 'a')), 0o700);
      assert.equal(await modeOf(path.join(root, 'a', 'b')), 0o700);
    });
  });

  it('gives exactly the requested mode whatever the umask', async () => {
    await withHome(async (_paths, root) => {
      const old = process.umask(0o077);
      try {
        const file = path.join(root, 'cert.pem');
        await writeFileAtomic(file, 'cert', { mode: 0o644 });
        assert.equal(await modeOf(file), 0o644);
      } finally {
        process.umask(old);
      }
    });
  });

  it('replaces an existing file and tightens its mode', async () => {
    await withHome(async (_paths, root) => {
      const file = path.join(root, 'k.pem');
      await writeFile(file, 'old', { mode: 0o644 });
      await writeFileAtomic(file, 'new', { mode: 0o600 });
      assert.equal(await readFile(file, 'utf8'), 'new');
      assert.equal(await modeOf(file), 0o600);
      assert.deepEqual(await readdir(root), ['k.pem']);
    });
  });

  it('fails with a StorageError naming the path and leaves no temp file behind', async () => {
    await withHome(async (_paths, root) => {
      const target = path.join(root, 'is-a-dir');
      await mkdir(target);
      await assert.rejects(writeFileAtomic(target, 'x'), (e: unknown) => e instanceof StorageError && e.message.includes(target));
      assert.deepEqual(await readdir(root), ['is-a-dir']);
      const blocked = path.join(root, 'file');
      await writeFile(blocked, '');
      await assert.rejects(writeFileAtomic(path.join(blocked, 'child.pem'), 'x'), (e: unknown) => e instanceof StorageError && e.message.includes(blocked));
    });
  });

  it('explains permission problems with CERTDECK_HOME as the way out', () => {
    const err = storageError(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }), '/srv/x/privkey.pem', 'write');
    assert.match(err.message, /cannot write \/srv\/x\/privkey\.pem: permission denied/);
    assert.match(err.hint ?? '', /CERTDECK_HOME/);
    assert.equal(err.kind, 'storage');
  });

  it('readers never see a partial file, and a writer killed mid-write leaves an intact one', async () => {
    await withHome(async (_paths, root) => {
      const file = path.join(root, 'big.txt');
      const size = 4 * 1024 * 1024;
      await writeFile(file, 'A'.repeat(size));
      const child = spawn(NODE, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'atomic-writer.ts'), file, String(size)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        await once(child.stdout, 'data');
        // Read until the writer was seen to replace the file at least once (both contents seen) over a good number
        // of reads; counted, not timed, so a loaded machine only makes it slower. The deadline only stops a hang.
        let reads = 0;
        const giveUpAt = Date.now() + 120_000;
        const seen = new Set<string>();
        while ((reads < 20 || seen.size < 2) && Date.now() < giveUpAt) {
          const text = await readFile(file, 'utf8');
          assert.equal(text.length, size, 'a reader saw a file of the wrong length');
          const first = text[0]!;
          assert.ok(text === first.repeat(size), 'a reader saw mixed content');
          seen.add(first);
          reads += 1;
        }
        assert.ok(reads >= 20, `only ${reads} reads before giving up`);
        assert.equal(seen.size, 2, 'the writer made progress while we read');
      } finally {
        child.kill('SIGKILL');
        if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      }
      const text = await readFile(file, 'utf8');
      assert.ok(text === 'A'.repeat(size) || text === 'B'.repeat(size), 'the file is intact after the kill');
      for (const entry of await readdir(root)) {
        if (entry === 'big.txt') continue;
        assert.match(entry, /^\.big\.txt\.\d+\.\d+\.[0-9a-f]+\.tmp$/);
        assert.equal(await modeOf(path.join(root, entry)), 0o600, 'a leftover temp file is not private');
      }
    });
  });
});
