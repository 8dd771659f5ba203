import assert from 'node:assert/strict';
import { chmod, chown, lchown, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../../src/engine/core/errors.js';
import { checkStateHome } from '../../../src/engine/store/home-check.js';
import { resolveStatePaths } from '../../../src/engine/store/paths.js';
import { runCli } from '../../support/cli.js';

const isRoot = process.getuid?.() === 0;

describe('the state home is refused when another user could tamper with it', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'certdeck-home-check-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  const refused = (dir: string, code: string, message: RegExp): void => {
    assert.throws(() => checkStateHome(dir), (err: unknown) => err instanceof ConfigError && err.code === code && message.test(err.message) && typeof err.hint === 'string');
  };

  it('a missing home is created 0700 whatever the umask; an own 0700 or 0755 home is fine', async () => {
    const previous = process.umask(0);
    try {
      checkStateHome(path.join(root, 'not-yet'));
    } finally {
      process.umask(previous);
    }
    assert.equal((await stat(path.join(root, 'not-yet'))).mode & 0o777, 0o700);
    const own = path.join(root, 'own');
    await mkdir(own, { mode: 0o700 });
    checkStateHome(own);
    await chmod(own, 0o755);
    checkStateHome(own);
    assert.equal(resolveStatePaths({ CERTDECK_HOME: own }).liveDir, path.join(own, 'live'));
  });

  it('world- or group-writable is refused, with what to do', async () => {
    const ww = path.join(root, 'world');
    await mkdir(ww);
    await chmod(ww, 0o777);
    refused(ww, 'state-home-writable', /writable by every user \(mode 777\)/);
    await chmod(ww, 0o1777);
    refused(ww, 'state-home-writable', /writable by every user/);
    const gw = path.join(root, 'group');
    await mkdir(gw);
    await chmod(gw, 0o770);
    refused(gw, 'state-home-writable', /writable by its group/);
    assert.throws(() => resolveStatePaths({ CERTDECK_HOME: gw }), ConfigError);
  });

  it('a file where the home should be is refused', async () => {
    const f = path.join(root, 'file');
    await writeFile(f, '');
    refused(f, 'state-home-not-dir', /is not a directory/);
  });

  it('owned by another user (or a symlink planted by one) is refused', { skip: isRoot ? false : 'needs root to create files owned by another user' }, async () => {
    const theirs = path.join(root, 'theirs');
    await mkdir(theirs, { mode: 0o700 });
    await chown(theirs, 65534, 65534);
    refused(theirs, 'state-home-foreign', /belongs to user id 65534/);
    const mine = path.join(root, 'mine');
    await mkdir(mine, { mode: 0o700 });
    const link = path.join(root, 'link');
    await symlink(mine, link);
    checkStateHome(link);
    await lchown(link, 65534, 65534);
    refused(link, 'state-home-foreign', /\(the link\) belongs to user id 65534/);
  });

  it('the CLI says so in one message and exits 2, without a stack trace', async () => {
    const ww = path.join(root, 'cli-world');
    await mkdir(ww);
    await chmod(ww, 0o777);
    const r = await runCli(['list'], { CERTDECK_HOME: ww });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^certdeck: The certdeck state home .* is writable by every user/);
    assert.match(r.stderr, /chmod 700/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
