import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readJournal } from '../../src/engine/store/journal.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { runCli } from '../support/cli.js';
import { startHostileCa, type HostileCa } from '../support/hostile-ca.js';

/**
 * A disk that fills up between finalize and saving: the CA has issued, certdeck cannot write. The order must stay
 * in the journal (resumable), the run must exit with the storage code (9) and say so, and the next run (with space
 * again) must download the same order's certificate instead of ordering again.
 */
const isRoot = process.getuid?.() === 0;

describe('a full disk while saving the issued certificate', () => {
  let ca: HostileCa;
  let root: string;
  let home: string;
  let mounted = false;
  let skipReason: string | false = false;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'certdeck-enospc-'));
    ca = await startHostileCa(root);
    home = path.join(root, 'home');
    await mkdir(home, { mode: 0o700 });
    if (!isRoot) {
      skipReason = 'mounting a small tmpfs needs root';
      return;
    }
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', home], { stdio: 'pipe' });
      mounted = true;
    } catch (err) {
      skipReason = `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`;
    }
  });
  after(async () => {
    if (mounted) execFileSync('umount', [home]);
    await ca?.stop();
    await rm(root, { recursive: true, force: true });
  });

  /** Fills the tmpfs to the last byte, so the next write fails with ENOSPC. */
  async function fillDisk(): Promise<void> {
    const fh = await open(path.join(home, 'filler'), 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) await fh.write(chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
        await fh.write(Buffer.alloc(size, 1)).catch(() => undefined);
      }
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  it('keeps the order resumable, exits 9, and the rerun downloads it with one order at the CA', async (t) => {
    if (skipReason) {
      console.warn(`SKIPPED full-disk test: ${skipReason}`);
      return t.skip(`SKIPPED LOUDLY: ${skipReason}`);
    }
    const webroot = await mkdtemp(path.join(root, 'webroot-'));
    const args = ['issue', 'disk.test', '--ca', ca.directoryUrl, '--ca-bundle', ca.tlsRootPath, '--agree-tos', '--webroot', webroot, '--no-tui'];
    const env = { CERTDECK_HOME: home };
    ca.behaviour = { onFinalize: fillDisk };
    const orders = ca.counts.newOrder;
    const downloads = ca.counts.certificate;

    const full = await runCli(args, env);
    assert.equal(full.code, 9, full.stdout + full.stderr);
    assert.match(full.stdout + full.stderr, /the disk is full/);
    assert.match(full.stdout + full.stderr, /The certificate was issued but could not be saved/);
    assert.match(full.stdout + full.stderr, /the order resumes and the certificate is downloaded again, without a new order/);
    assert.doesNotMatch(full.stdout + full.stderr, /bug|please report/i);
    assert.equal(existsSync(path.join(home, 'live', 'disk.test')), false, 'nothing half-installed');
    const journal = await readJournal(pathsUnder(home), 'disk.test');
    assert.ok(journal?.current?.orderUrl, 'the order is still in the journal');
    assert.equal(ca.counts.newOrder - orders, 1);

    await rm(path.join(home, 'filler'));
    ca.behaviour = {};
    const again = await runCli(args, env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(ca.counts.newOrder - orders, 1, 'the rerun created no new order');
    assert.equal(ca.counts.certificate - downloads, 2, 'the rerun downloaded the same order again');
    assert.ok((await readdir(path.join(home, 'live', 'disk.test'))).includes('fullchain.pem'));
    assert.equal((await readJournal(pathsUnder(home), 'disk.test'))?.current, undefined);
  });
});
