import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StorageError } from '../../../src/engine/core/errors.js';
import { WebrootHttp01 } from '../../../src/engine/challenge/webroot.js';

/**
 * certdeck often runs as root while the webroot belongs to someone less trusted. These cases run as root against a
 * webroot whose owner ("nobody") planted symlinks in it, and check that certdeck writes, truncates and deletes
 * nothing outside it. As another user they would prove little (that user could not write elsewhere anyway).
 */
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Runs a command as the unprivileged owner of the webroot. */
function asNobody(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { uid: NOBODY, gid: NOBODY, stdio: 'pipe' });
}

describe('webroot HTTP-01 against a hostile webroot owner', { skip: isRoot ? false : 'needs root: the point is what root does in a webroot another user controls' }, () => {
  let root: string;
  let victim: string;
  let secret: string;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'certdeck-webroot-hostile-'));
    await chmod(root, 0o755);
    victim = path.join(root, 'victim');
    await mkdir(victim, { mode: 0o700 });
    secret = path.join(victim, 'shadow');
    await writeFile(secret, 'precious\n');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function nobodysWebroot(name: string): Promise<string> {
    const dir = path.join(root, name);
    await mkdir(dir, { mode: 0o755 });
    await chown(dir, NOBODY, NOBODY);
    return dir;
  }

  async function victimUntouched(): Promise<void> {
    assert.deepEqual(await readdir(victim), ['shadow']);
    assert.equal(await readFile(secret, 'utf8'), 'precious\n');
  }

  it('refuses a symlinked .well-known and writes nothing through it', async () => {
    const webroot = await nobodysWebroot('w1');
    asNobody('ln', ['-s', victim, path.join(webroot, '.well-known')]);
    const solver = await WebrootHttp01.open(webroot);
    await assert.rejects(solver.present('tok1', 'tok1.thumb'), (err: unknown) => err instanceof StorageError && /symlink/.test(err.message));
    await solver.close();
    await victimUntouched();
  });

  it('refuses a symlinked acme-challenge and writes nothing through it', async () => {
    const webroot = await nobodysWebroot('w2');
    asNobody('mkdir', [path.join(webroot, '.well-known')]);
    asNobody('ln', ['-s', victim, path.join(webroot, '.well-known', 'acme-challenge')]);
    const solver = await WebrootHttp01.open(webroot);
    await assert.rejects(solver.present('tok2', 'tok2.thumb'), (err: unknown) => err instanceof StorageError && /acme-challenge is a symlink/.test(err.message));
    await solver.close();
    await victimUntouched();
  });

  it('a symlink planted at the answer name is replaced, not followed; cleanup leaves the planted link alone', async () => {
    const webroot = await nobodysWebroot('w3');
    asNobody('mkdir', ['-p', path.join(webroot, '.well-known', 'acme-challenge')]);
    asNobody('ln', ['-s', secret, path.join(webroot, '.well-known', 'acme-challenge', 'tok3')]);
    const solver = await WebrootHttp01.open(webroot);
    const cleanup = await solver.present('tok3', 'tok3.thumb');
    const answer = path.join(webroot, '.well-known', 'acme-challenge', 'tok3');
    assert.equal((await lstat(answer)).isFile(), true);
    assert.equal(await readFile(answer, 'utf8'), 'tok3.thumb');
    await victimUntouched();
    // The owner swaps the answer for a link again before cleanup: cleanup removes only the file it wrote.
    asNobody('rm', [answer]);
    asNobody('ln', ['-s', secret, answer]);
    await cleanup();
    await solver.close();
    assert.equal((await lstat(answer)).isSymbolicLink(), true, 'not certdeck\'s file: left alone');
    await victimUntouched();
  });

  it('in a webroot with no .well-known, the directories certdeck created are removed again at close', async () => {
    const webroot = await nobodysWebroot('w4');
    const solver = await WebrootHttp01.open(webroot);
    const cleanup = await solver.present('tok4', 'tok4.thumb');
    const challengeDir = path.join(webroot, '.well-known', 'acme-challenge');
    assert.equal(await readFile(path.join(challengeDir, 'tok4'), 'utf8'), 'tok4.thumb');
    await cleanup();
    await solver.close();
    assert.equal(await stat(path.join(webroot, '.well-known')).then(() => true, () => false), false, 'the directories certdeck created are removed again');
    await victimUntouched();
  });
});

describe('webroot modes do not depend on the umask', () => {
  let root: string;
  let previous: number;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'certdeck-webroot-umask-'));
    previous = process.umask(0o077);
  });
  after(async () => {
    process.umask(previous);
    await rm(root, { recursive: true, force: true });
  });

  it('under umask 077 the answer is 0644 and the directories 0755', async () => {
    const webroot = path.join(root, 'a');
    await mkdir(webroot, { mode: 0o755 });
    await chmod(webroot, 0o755);
    const solver = await WebrootHttp01.open(webroot);
    const cleanup = await solver.present('tokU', 'tokU.thumb');
    const dir1 = path.join(webroot, '.well-known');
    const dir2 = path.join(dir1, 'acme-challenge');
    assert.equal((await stat(dir1)).mode & 0o777, 0o755);
    assert.equal((await stat(dir2)).mode & 0o777, 0o755);
    assert.equal((await stat(path.join(dir2, 'tokU'))).mode & 0o777, 0o644);
    await cleanup();
    await solver.close();
  });

  it('a 0700 challenge directory an older run left behind is opened up for the web server', async () => {
    const webroot = path.join(root, 'b');
    await mkdir(path.join(webroot, '.well-known', 'acme-challenge'), { recursive: true, mode: 0o700 });
    await chmod(path.join(webroot, '.well-known'), 0o700);
    await chmod(path.join(webroot, '.well-known', 'acme-challenge'), 0o700);
    const solver = await WebrootHttp01.open(webroot);
    const cleanup = await solver.present('tokV', 'tokV.thumb');
    assert.equal((await stat(path.join(webroot, '.well-known'))).mode & 0o777, 0o755);
    assert.equal((await stat(path.join(webroot, '.well-known', 'acme-challenge'))).mode & 0o777, 0o755);
    await cleanup();
    await solver.close();
    assert.deepEqual(await readdir(path.join(webroot, '.well-known', 'acme-challenge')), [], 'pre-existing directories stay, empty');
  });
});
