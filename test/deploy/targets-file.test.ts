import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { BadInputError, ConfigError } from '../../src/engine/core/errors.js';
import { addTarget, loadTargets, normalizeTarget, parseVerifyHost, removeTarget, targetsFilePath, TargetSchemaError } from '../../src/engine/deploy/index.js';
import { formatVerifyHost } from '../../src/engine/deploy/host-spec.js';
import { makeFixture, type DeployFixture } from './support/fixture.js';

describe('verify host specs', () => {
  it('parses NAME, NAME:PORT, NAME@ADDR, NAME@ADDR:PORT and bracketed IPv6', () => {
    assert.deepEqual(parseVerifyHost('www.example.com'), { name: 'www.example.com' });
    assert.deepEqual(parseVerifyHost('www.example.com:8443'), { name: 'www.example.com', port: 8443 });
    assert.deepEqual(parseVerifyHost('a.test@127.0.0.1'), { name: 'a.test', address: '127.0.0.1' });
    assert.deepEqual(parseVerifyHost('a.test@127.0.0.1:8443'), { name: 'a.test', address: '127.0.0.1', port: 8443 });
    assert.deepEqual(parseVerifyHost('a.test@[::1]:8443'), { name: 'a.test', address: '::1', port: 8443 });
    assert.deepEqual(parseVerifyHost('a.test@::1'), { name: 'a.test', address: '::1' });
    assert.deepEqual(parseVerifyHost('a.test@lb1.internal:443'), { name: 'a.test', address: 'lb1.internal', port: 443 });
    for (const spec of ['a.test@[::1]:8443', 'a.test@127.0.0.1', 'a.test:99']) assert.equal(formatVerifyHost(parseVerifyHost(spec)), spec);
  });

  it('rejects malformed hosts with the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /the name is empty/],
      ['a.test:0', /port 0 is outside 1-65535/],
      ['a.test:http', /port "http" is not a number/],
      ['a.test@', /nothing after "@"/],
      ['*.example.com', /wildcard cannot be sent as SNI/],
      ['bad name', /"bad name" is not a valid host name/],
      ['a.test@[::1', /missing "\]"/],
      ['a.test@[127.0.0.1]:1', /is not an IPv6 address/],
      ['a.test@127.0.0.1:70000', /outside 1-65535/],
    ];
    for (const [spec, why] of cases) {
      assert.throws(() => parseVerifyHost(spec), (err: unknown) => err instanceof BadInputError && why.test(err.message) && err.message.includes(`"${spec}"`), spec);
    }
  });
});

describe('target schema', () => {
  it('fills defaults per kind', () => {
    const t = normalizeTarget({ kind: 'files', id: 'f', dir: '/srv/certs' }, 't');
    assert.deepEqual(t, {
      kind: 'files',
      id: 'f',
      timeoutMs: 30_000,
      retries: { count: 0, backoffMs: 2000 },
      continueOnFailure: true,
      label: 'files -> /srv/certs',
      dir: '/srv/certs',
      keyMode: 0o600,
      certMode: 0o644,
    });
    const c = normalizeTarget({ kind: 'command', id: 'c', argv: ['systemctl', 'reload', 'nginx'] }, 't');
    assert.deepEqual([c.label, c.timeoutMs, c.kind === 'command' && c.killGraceMs], ['run systemctl reload nginx', 60_000, 2000]);
  });

  it('names the bad field', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'ftp', id: 'x' }, 't.kind: must be one of files, command, pfx, verify'],
      [{ kind: 'files', id: 'x' }, 't: a files target needs "dir" or at least one entry in "paths"'],
      [{ kind: 'files', id: 'x', dir: 'relative/dir' }, 't.dir: "relative/dir" must be an absolute path'],
      [{ kind: 'command', id: 'x', argv: [] }, 't.argv: must be a non-empty list of strings (program first)'],
      [{ kind: 'pfx', id: 'x', out: '/a.pfx' }, 't: a pfx target needs "passwordEnv" (preferred) or "password"'],
      [{ kind: 'verify', id: 'x', hosts: ['a.test:0'] }, 't.hosts[0]: malformed verify host "a.test:0": port 0 is outside 1-65535'],
      [{ kind: 'command', id: 'failed', argv: ['true'] }, 't.id: "failed" is reserved for --only'],
      [{ kind: 'command', id: 'x', argv: ['true'], retries: { count: 99 } }, 't.retries.count: must be an integer from 0 to 20'],
    ];
    for (const [input, message] of bad) {
      assert.throws(() => normalizeTarget(input, 't'), (err: unknown) => err instanceof TargetSchemaError && err.message === message, message);
    }
  });
});

describe('targets file', () => {
  let fx: DeployFixture;
  before(async () => {
    fx = await makeFixture();
  });
  after(() => fx.cleanup());

  it('adds with stable kind-N ids, writes 0600 atomically, removes by id', async () => {
    const a = await addTarget(fx.paths, 'web', { kind: 'command', argv: ['true'] });
    const b = await addTarget(fx.paths, 'web', { kind: 'command', argv: ['false'] });
    const v = await addTarget(fx.paths, 'web', { kind: 'verify', hosts: ['a.test'], id: 'check-www' });
    assert.deepEqual([a.id, b.id, v.id], ['command-1', 'command-2', 'check-www']);
    const file = targetsFilePath(fx.paths, 'web');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual((await readdir(fx.paths.deployDir)).filter((f) => f.includes('.certdeck-')), []);
    await removeTarget(fx.paths, 'web', 'command-1');
    const c = await addTarget(fx.paths, 'web', { kind: 'command', argv: ['true'] });
    assert.equal(c.id, 'command-3', 'ids are not reused while a higher one exists');
    assert.deepEqual((await loadTargets(fx.paths, 'web')).targets.map((t) => t.id), ['command-2', 'check-www', 'command-3']);
  });

  it('refuses duplicates, unknown ids and failed checks without touching the file', async () => {
    const file = targetsFilePath(fx.paths, 'web');
    const before = await readFile(file, 'utf8');
    await assert.rejects(addTarget(fx.paths, 'web', { kind: 'command', argv: ['true'], id: 'check-www' }), /already has a deploy target "check-www"/);
    await assert.rejects(removeTarget(fx.paths, 'web', 'nope'), /web has no deploy target "nope" \(targets: command-2, check-www, command-3\)/);
    await assert.rejects(
      addTarget(fx.paths, 'web', { kind: 'command', argv: ['true'] }, async () => {
        throw new BadInputError('x', 'refused by the check');
      }),
      /refused by the check/,
    );
    assert.equal(await readFile(file, 'utf8'), before);
  });

  it('names a broken file and refuses path-like certificate names', async () => {
    await writeFile(targetsFilePath(fx.paths, 'broken'), 'not json');
    await assert.rejects(loadTargets(fx.paths, 'broken'), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`deploy targets file ${targetsFilePath(fx.paths, 'broken')} is broken:`));
    await assert.rejects(loadTargets(fx.paths, '../etc'), (err: unknown) => err instanceof BadInputError && err.code === 'bad-cert-name');
  });
});
