/**
 * A fleet on one Redis (issue 17): several certdeck CLI processes, each with its own CERTDECK_HOME (its "machine"),
 * share CERTDECK_STORAGE. Real redis-server, real Pebble behind the fault proxy (which counts what the CA saw).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { runCli } from '../support/cli.js';
import { requestsOf } from '../support/engine-harness.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { CLI } from '../support/cli.js';
import { freePort, startRedis, type RedisServer } from '../support/redis-server.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';

describe('a fleet of certdeck nodes on one Redis', { skip }, () => {
  let sb: TestSandbox;
  let redis: RedisServer;
  let work: string;
  let keyFile: string;
  before(async () => {
    sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 });
    redis = await startRedis();
    work = await mkdtemp(path.join(os.tmpdir(), 'certdeck-fleet-'));
    keyFile = path.join(work, 'storage.key');
    await writeFile(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  });
  after(async () => {
    await redis?.stop();
    await sb?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const node = async (name: string) => {
    const home = path.join(work, name);
    return { home, env: { CERTDECK_HOME: home, CERTDECK_STORAGE: redis.url, CERTDECK_STORAGE_KEY_FILE: keyFile } };
  };
  const issueArgs = (certName: string) => ['issue', certName, '--ca', sb.directoryUrl('sandbox'), '--ca-bundle', sb.state.caBundlePath, '--http-port', String(sb.httpPort), '--agree-tos', '--wait', '--json'];
  const accepted = (kind: 'new-order' | 'new-account') => requestsOf(sb.proxy!.log(), kind).filter((e) => e.upstreamStatus === 201).length;
  const serialIn = async (home: string, certName: string) => (JSON.parse(await readFile(path.join(home, 'live', certName, 'meta.json'), 'utf8')) as { serial: string }).serial;

  it('three nodes ask for the same certificate at once: one order, one account, each node serves it from its own live/', async () => {
    sb.proxy!.clearLog();
    const certName = 'fleet.example.test';
    const nodes = await Promise.all(['a', 'b', 'c'].map(node));
    const results = await Promise.all(nodes.map((n) => runCli(issueArgs(certName), n.env, { timeoutMs: 120_000 })));
    for (const r of results) assert.equal(r.code, 0, `stderr: ${r.stderr}\nstdout tail: ${r.stdout.slice(-800)}`);
    assert.equal(accepted('new-order'), 1, 'the CA saw one order');
    assert.equal(accepted('new-account'), 1, 'the account was created once and shared');
    const serials = await Promise.all(nodes.map((n) => serialIn(n.home, certName)));
    assert.equal(new Set(serials).size, 1, `every node has the same certificate: ${serials.join(', ')}`);
    for (const n of nodes) assert.equal((await stat(path.join(n.home, 'live', certName, 'privkey.pem'))).mode & 0o777, 0o600);

    // A fourth node that never issued: sync copies it in; list says which storage it reads.
    const d = await node('d');
    const synced = await runCli(['sync', '--json'], d.env);
    assert.equal(synced.code, 0, synced.stderr);
    assert.match(synced.stdout, new RegExp(`"certName":"${certName.replaceAll('.', '\\.')}","outcome":"updated"`));
    assert.equal(await serialIn(d.home, certName), serials[0]);
    const again = await runCli(['sync', '--json'], d.env);
    assert.match(again.stdout, /"outcome":"unchanged"/);
    const list = await runCli(['list'], d.env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`storage: redis://127\\.0\\.0\\.1:${redis.port}/0 \\(shared, keys encrypted\\)`));

    // No private key is readable in Redis without the storage key.
    const raw = new Redis(redis.url);
    try {
      for (const k of await raw.keys('certdeck:k:*')) {
        const v = (await raw.hget(k, 'v')) ?? '';
        assert.ok(!v.includes('PRIVATE KEY'), `${k} holds a readable private key`);
      }
      assert.ok((await raw.keys('certdeck:k:certificates/*/privkey.pem')).length === 1);
    } finally {
      raw.disconnect();
    }
  });

  it('the CA validates http-01 against node B while node A placed the order; B applies the certificate as it is stored', async (t) => {
    sb.proxy!.clearLog();
    const certName = 'answered-elsewhere.example.test';
    const a = await node('http-a');
    const b = await node('http-b');
    // B listens where Pebble validates; A's own server is on a port nobody asks.
    const watcher = spawn(process.execPath, [CLI, 'sync', '--watch', '--json', '--http-port', String(sb.httpPort), '--http-address', '127.0.0.1'], { env: { ...process.env, ...b.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => void (watcher.exitCode === null && watcher.kill('SIGKILL')));
    let stderr = '';
    watcher.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: watcher.stdout! })[Symbol.asyncIterator]();
    const nextJson = async () => JSON.parse(String((await lines.next()).value ?? '{}')) as Record<string, unknown>;
    let first = await nextJson();
    while (first.watching === undefined) first = await nextJson(); // earlier certificates synced first
    const aPort = await freePort();
    const args = issueArgs(certName).map((x) => (x === String(sb.httpPort) ? String(aPort) : x));
    const r = await runCli(args, a.env, { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `stderr: ${r.stderr}\nstdout tail: ${r.stdout.slice(-800)}`);
    assert.equal(accepted('new-order'), 1);
    let applied = await nextJson();
    while (applied.certName !== certName) applied = await nextJson();
    assert.equal(applied.outcome, 'updated', stderr);
    assert.equal(await serialIn(b.home, certName), await serialIn(a.home, certName));
    watcher.kill('SIGTERM');
    const [code] = (await once(watcher, 'exit')) as [number | null];
    assert.equal(code, 0, stderr);
  });

  it('kill -9 of the node holding the lock mid-order: another node resumes the same order after the lease (one order)', async () => {
    sb.proxy!.clearLog();
    sb.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
    const certName = 'killed-holder.example.test';
    const a = await node('kill-a');
    const b = await node('kill-b');
    const holder = spawn(process.execPath, [CLI, ...issueArgs(certName)], { env: { ...process.env, ...a.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let created: { orderUrl?: string } | undefined;
    for await (const line of createInterface({ input: holder.stdout! })) {
      const e = line.startsWith('{') ? (JSON.parse(line) as { type?: string; orderUrl?: string }) : {};
      // Killed once finalize was sent: the CA is issuing, and only the shared journal knows the order.
      if (e.type === 'order:created') created = e;
      if (e.type === 'order:phase' && (e as { phase?: string }).phase === 'processing') break;
    }
    assert.ok(created?.orderUrl, 'node A created an order');
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    sb.proxy!.setScenario({ rules: [] });
    const r = await runCli(issueArgs(certName), b.env, { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `stderr: ${r.stderr}\nstdout tail: ${r.stdout.slice(-800)}`);
    const resumed = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type?: string; orderUrl?: string; resumed?: boolean }).find((e) => e.type === 'order:created');
    assert.match(r.stdout, /Waiting for another certdeck/, 'node B queued behind the dead holder until its lease ran out');
    assert.equal(resumed?.resumed, true, 'node B resumed rather than ordering again');
    assert.equal(resumed?.orderUrl, created.orderUrl, 'the same order');
    assert.equal(accepted('new-order'), 1, 'the CA saw one order');
    assert.equal(requestsOf(sb.proxy!.log(), 'finalize').length, 1, 'finalized once, by node A');
    await stat(path.join(b.home, 'live', certName, 'fullchain.pem'));
  });

  it('Redis restarted mid-order (with its append-only file): the order carries on, nothing lost, one order', async () => {
    const dataDir = await mkdtemp(path.join(work, 'redis-data-'));
    const durable = await startRedis({ persistDir: dataDir });
    try {
      sb.proxy!.clearLog();
      sb.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
      const certName = 'restart.example.test';
      const a = await node('restart-a');
      const env = { ...a.env, CERTDECK_STORAGE: durable.url };
      const run = spawn(process.execPath, [CLI, ...issueArgs(certName)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      run.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = once(run, 'exit');
      for await (const line of createInterface({ input: run.stdout! })) {
        stdout += `${line}\n`;
        if (line.includes('"phase":"processing"')) break;
      }
      run.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      await durable.restart();
      sb.proxy!.setScenario({ rules: [] });
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, `stderr: ${stderr}\nstdout tail: ${stdout.slice(-800)}`);
      assert.equal(accepted('new-order'), 1, 'no duplicate order');
      const raw = new Redis(durable.url);
      try {
        assert.equal(await raw.exists(`certdeck:k:certificates/${certName}/meta.json`), 1, 'the certificate reached the shared storage');
        assert.ok((await raw.keys('certdeck:k:accounts/*/account.key')).length === 1, 'the account survived the restart');
        const journal = JSON.parse((await raw.hget(`certdeck:k:journal/${certName}.json`, 'v')) ?? '{}') as { current?: unknown; history?: Array<{ outcome: string }> };
        assert.equal(journal.current, undefined, 'the order is finished in the journal');
        assert.equal(journal.history?.at(-1)?.outcome, 'valid');
      } finally {
        raw.disconnect();
      }
    } finally {
      await durable.stop();
    }
  });

  it('an unreachable Redis fails with a network error (exit 4) and writes nothing locally', async () => {
    const down = await startRedis();
    await down.stop();
    const home = path.join(work, 'offline');
    const r = await runCli(issueArgs('offline.example.test'), { CERTDECK_HOME: home, CERTDECK_STORAGE: down.url.replace('redis://', 'redis://u:topsecret@'), CERTDECK_STORAGE_KEY_FILE: keyFile });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /cannot be reached/);
    assert.ok(!r.stderr.includes('topsecret'), 'the password is not shown');
    await assert.rejects(stat(path.join(home, 'accounts')), /ENOENT/);
  });
});
