/**
 * The dns-01 parts on their own, against real things: the propagation check against pebble-challtestsrv (the
 * same DNS Pebble asks), the hook runner with real child processes.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../../src/engine/core/clock.js';
import { CancelledError } from '../../../src/engine/core/errors.js';
import { propagationOptions } from '../../../src/engine/challenge/dns01/options.js';
import { awaitPropagation, parseHostPort, type PropagationProgress } from '../../../src/engine/challenge/dns01/propagation.js';
import { runHook } from '../../../src/engine/challenge/dns01/run-hook.js';
import { simpleRequest } from '../../../src/sandbox/https-request.js';
import { startEmptyDns } from '../../support/empty-dns.js';
import { pebbleAvailable } from '../../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble-challtestsrv is not installed (apt-get install pebble)';

describe('propagation options and resolver specs', () => {
  it('parses HOST[:PORT] including bracketed IPv6, and refuses the rest', () => {
    assert.deepEqual(parseHostPort('192.0.2.53'), { host: '192.0.2.53' });
    assert.deepEqual(parseHostPort('192.0.2.53:5353'), { host: '192.0.2.53', port: 5353 });
    assert.deepEqual(parseHostPort('[2001:db8::53]:53'), { host: '2001:db8::53', port: 53 });
    assert.deepEqual(parseHostPort('2001:db8::53'), { host: '2001:db8::53' });
    assert.deepEqual(parseHostPort('ns1.example.net'), { host: 'ns1.example.net' });
    for (const bad of ['a b', '1.2.3.4:0', '1.2.3.4:70000', 'host:port', '']) assert.equal(parseHostPort(bad), undefined, bad);
  });

  it('defaults: authoritative without resolvers, resolvers with them (the CA\'s own DNS counts), 2m timeout', () => {
    assert.deepEqual(propagationOptions({ method: 'dns-01', hook: '/h' }), { mode: 'authoritative', resolvers: [], timeoutMs: 120_000 });
    assert.equal(propagationOptions({ method: 'dns-01', hook: '/h', resolvers: ['192.0.2.1'] }).mode, 'resolvers');
    assert.deepEqual(propagationOptions({ method: 'dns-01', hook: '/h' }, '127.0.0.1:8053').resolvers, ['127.0.0.1:8053']);
    assert.equal(propagationOptions({ method: 'dns-01', hook: '/h', propagation: 'wait', propagationWaitMs: 5000 }).waitMs, 5000);
    assert.throws(() => propagationOptions({ method: 'dns-01', hook: '/h', propagation: 'resolvers' }), /needs at least one --dns-resolver/);
  });
});

describe('awaitPropagation against pebble-challtestsrv', { skip }, () => {
  let dns: Awaited<ReturnType<typeof startEmptyDns>>;
  let lagging: Awaited<ReturnType<typeof startEmptyDns>>;
  before(async () => {
    dns = await startEmptyDns();
    lagging = await startEmptyDns();
  });
  after(() => {
    dns?.stop();
    lagging?.stop();
  });

  it('resolves once every server answers every record (duplicates checked once), reporting progress', async () => {
    const fqdn = '_acme-challenge.p.test.';
    for (const value of ['v-one', 'v-two']) {
      const res = await simpleRequest(`${dns.managementUrl}/set-txt`, { method: 'POST', body: JSON.stringify({ host: fqdn, value }) });
      assert.equal(res.status, 200);
    }
    const progress: PropagationProgress[] = [];
    await awaitPropagation(
      [{ fqdn, value: 'v-one' }, { fqdn, value: 'v-two' }, { fqdn, value: 'v-one' }],
      { mode: 'resolvers', resolvers: [`127.0.0.1:${dns.port}`], timeoutMs: 10_000 },
      { clock: systemClock, signal: new AbortController().signal, progress: (p) => progress.push(p) },
    );
    const last = progress.at(-1)!;
    assert.equal(last.done, true);
    assert.equal(last.records.length, 2);
    assert.ok(last.records.every((r) => r.servers.every((s) => s.seen)));
  });

  it('times out naming the record and what each server answered', async () => {
    const progress: PropagationProgress[] = [];
    await assert.rejects(
      awaitPropagation([{ fqdn: '_acme-challenge.never.test.', value: 'v' }], { mode: 'resolvers', resolvers: [`127.0.0.1:${lagging.port}`], timeoutMs: 1_500, intervalMs: 200 }, {
        clock: systemClock,
        signal: new AbortController().signal,
        progress: (p) => progress.push(p),
      }),
      (err: Error & { code?: string; kind?: string }) => {
        assert.equal(err.kind, 'timeout');
        assert.match(err.message, /_acme-challenge\.never\.test\. TXT "v" not seen at 1 of 1 servers \(127\.0\.0\.1:\d+ answered no TXT record\)/);
        return true;
      },
    );
    assert.ok(progress.length >= 2, 'a progress report per check');
    assert.ok(progress.every((p) => !p.done && p.nextCheckAt !== undefined && p.nextCheckAt <= p.deadlineAt));
  });

  it('stops at once when cancelled', async () => {
    const abort = new AbortController();
    const pending = awaitPropagation([{ fqdn: '_acme-challenge.never.test.', value: 'v' }], { mode: 'resolvers', resolvers: [`127.0.0.1:${lagging.port}`], timeoutMs: 60_000 }, {
      clock: systemClock,
      signal: abort.signal,
      progress: () => abort.abort(new CancelledError('operator cancelled')),
    });
    await assert.rejects(pending, /operator cancelled/);
  });
});

describe('runHook', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-hook-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  async function hook(body: string): Promise<string> {
    const file = path.join(dir, `h${Math.random().toString(36).slice(2)}`);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  }

  it('passes only PATH, HOME, LANG and the convention\'s variables, argv without a shell, and returns stdout stripped', async () => {
    const out = path.join(dir, 'env');
    const file = await hook(`env > '${out}'; printf 'ok \\033[2J%s\\n' "$1"`);
    const r = await runHook({
      argv: [file, '$(touch /tmp/never); *'],
      env: { CERTBOT_DOMAIN: 'x.test' },
      timeoutMs: 10_000,
      clock: systemClock,
      what: 'test hook',
      baseEnv: { PATH: process.env.PATH, HOME: '/home/x', LANG: 'C.UTF-8', CERTDECK_EAB_HMAC_KEY: 'secret', SSH_AUTH_SOCK: '/s' },
    });
    assert.equal(r.stdout, 'ok [2J$(touch /tmp/never); *');
    const env = await readFile(out, 'utf8');
    assert.match(env, /^CERTBOT_DOMAIN=x\.test$/m);
    assert.match(env, /^HOME=\/home\/x$/m);
    assert.doesNotMatch(env, /CERTDECK_EAB_HMAC_KEY|secret|SSH_AUTH_SOCK/);
  });

  it('keeps a bounded tail of a chatty hook\'s output', async () => {
    const file = await hook('i=0; while [ $i -lt 5000 ]; do echo "line $i"; i=$((i+1)); done; exit 1');
    await assert.rejects(runHook({ argv: [file], env: {}, timeoutMs: 10_000, clock: systemClock, what: 'chatty hook' }), (err: Error) => {
      assert.match(err.message, /chatty hook exited with code 1; its last output: line 4997 \| line 4998 \| line 4999\.$/);
      return true;
    });
  });

  it('names a hook that cannot be run', async () => {
    await assert.rejects(runHook({ argv: [path.join(dir, 'missing')], env: {}, timeoutMs: 1000, clock: systemClock, what: 'dns-01 hook' }), /Cannot run the dns-01 hook: .*missing not found/);
  });
});
