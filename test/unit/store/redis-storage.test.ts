import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { systemClock } from '../../../src/engine/core/clock.js';
import { EngineError, LockHeldError, NetworkError } from '../../../src/engine/core/errors.js';
import { exitCodeFor } from '../../../src/engine/core/errors.js';
import { beginOrder, readJournal, readPendingKey } from '../../../src/engine/store/journal.js';
import { loadAccount, saveAccount, listAccounts } from '../../../src/engine/store/accounts.js';
import { openRedisBackend } from '../../../src/engine/store/redis/index.js';
import { openStorage } from '../../../src/engine/store/select-storage.js';
import { startRedis, type RedisServer } from '../../support/redis-server.js';
import { NODE, withHome } from './helpers.js';

const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPrivateKeyMaterialForTheTest\n-----END PRIVATE KEY-----\n';
const CHILD = path.join(import.meta.dirname, 'fixtures', 'redis-lock-child.ts');

describe('Redis storage and locker (real redis-server)', () => {
  let redis: RedisServer;
  let raw: Redis;
  before(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
  });
  after(async () => {
    raw.disconnect();
    await redis.stop();
  });

  const withKeyFile = <T>(fn: (file: string) => Promise<T>) =>
    withHome(async (_p, root) => {
      const file = path.join(root, 'storage.key');
      await writeFile(file, randomBytes(32).toString('base64'), { mode: 0o600 });
      return fn(file);
    });

  it('stores, loads, lists, stats and deletes path-like keys', async () => {
    await raw.flushall();
    const { storage } = await openRedisBackend({ url: redis.url });
    try {
      assert.equal(await storage.load('requests/a.test.json'), undefined);
      await storage.store('requests/a.test.json', '{"a":1}');
      await storage.store('accounts/ca/ops@example.test/account.json', '{}');
      await storage.store('accounts/ca/default/account.json', '{}');
      assert.equal(await storage.load('requests/a.test.json'), '{"a":1}');
      assert.deepEqual(await storage.list('accounts'), ['ca']);
      assert.deepEqual(await storage.list('accounts/ca'), ['default', 'ops@example.test']);
      assert.deepEqual(await storage.list('accounts', { recursive: true }), ['accounts/ca/default/account.json', 'accounts/ca/ops@example.test/account.json']);
      const info = await storage.stat('requests/a.test.json');
      assert.equal(info?.size, 7);
      assert.equal(info?.isTerminal, true);
      assert.equal((await storage.stat('accounts/ca'))?.isTerminal, false);
      await storage.delete('requests/a.test.json');
      assert.equal(await storage.exists('requests/a.test.json'), false);
      assert.equal(storage.info().kind, 'redis');
    } finally {
      await storage.close();
    }
  });

  it('refuses to store a private key without a storage key, and seals it with one', async () => {
    await raw.flushall();
    const plain = await openRedisBackend({ url: redis.url });
    try {
      await assert.rejects(
        saveAccount(plain.storage, { directoryUrl: 'https://ca.test/dir', keyPem: KEY_PEM, tosAgreed: true, createdAt: '2026-01-01T00:00:00Z' }),
        (err: unknown) => err instanceof EngineError && err.code === 'storage-key-missing' && /CERTDECK_STORAGE_KEY_FILE/.test(err.hint ?? ''),
      );
      assert.deepEqual(await raw.keys('certdeck:k:accounts/*'), [], 'nothing half-written');
    } finally {
      await plain.storage.close();
    }
    await withKeyFile(async (keyFile) => {
      const node = await openRedisBackend({ url: redis.url, keyFile });
      try {
        await saveAccount(node.storage, { directoryUrl: 'https://ca.test/dir', email: 'ops@example.test', keyPem: KEY_PEM, tosAgreed: true, createdAt: '2026-01-01T00:00:00Z', accountUrl: 'https://ca.test/acct/1' });
        const [stored] = await raw.keys('certdeck:k:accounts/*/account.key');
        const sealed = await raw.hget(stored!, 'v');
        assert.ok(sealed?.startsWith('gcm1:'));
        assert.ok(!sealed!.includes('PRIVATE KEY') && !sealed!.includes('PrivateKeyMaterial'), 'the key is not readable in Redis');
        assert.equal((await loadAccount(node.storage, 'https://ca.test/dir', 'ops@example.test'))?.keyPem, KEY_PEM);
        assert.equal((await listAccounts(node.storage))[0]?.accountUrl, 'https://ca.test/acct/1');
      } finally {
        await node.storage.close();
      }
      // Another node without the key, or with another key, cannot read it.
      const keyless = await openRedisBackend({ url: redis.url });
      await assert.rejects(loadAccount(keyless.storage, 'https://ca.test/dir', 'ops@example.test'), /encrypted and this node has no storage key/);
      await keyless.storage.close();
      await withKeyFile(async (otherKey) => {
        const wrong = await openRedisBackend({ url: redis.url, keyFile: otherKey });
        await assert.rejects(loadAccount(wrong.storage, 'https://ca.test/dir', 'ops@example.test'), /cannot be decrypted/);
        await wrong.storage.close();
      });
    });
  });

  it('keeps the order journal and its pending key for any node to resume', async () => {
    await raw.flushall();
    await withKeyFile(async (keyFile) => {
      const a = await openRedisBackend({ url: redis.url, keyFile });
      const b = await openRedisBackend({ url: redis.url, keyFile });
      try {
        const begun = await beginOrder(a.storage, 'shared.test', { request: { domains: ['shared.test'], caId: 'pebble', directoryUrl: 'https://ca.test/dir', keyType: 'ec-p256' }, keyPem: KEY_PEM, startedAt: 1000 });
        const seen = await readJournal(b.storage, 'shared.test');
        assert.equal(seen?.current?.startedAt, 1000);
        assert.equal(await readPendingKey(b.storage, seen!.current!), KEY_PEM);
        assert.equal(begun.current?.keyFile, seen?.current?.keyFile);
      } finally {
        await a.storage.close();
        await b.storage.close();
      }
    });
  });

  it('one holder at a time; --wait queues behind it; every acquisition gets a larger fencing token', async () => {
    await raw.flushall();
    const a = await openRedisBackend({ url: redis.url, leaseMs: 2000 });
    const b = await openRedisBackend({ url: redis.url, leaseMs: 2000 });
    try {
      const first = await a.locker.lock('one.test', { wait: false, clock: systemClock, command: 'node a' });
      await assert.rejects(b.locker.lock('one.test', { wait: false, clock: systemClock }), (err: unknown) => err instanceof LockHeldError && /node a/.test(err.message));
      assert.equal(await b.locker.isHeld('one.test'), true);
      let waited = 0;
      const queued = b.locker.lock('one.test', { wait: true, clock: systemClock, pollMs: 20, onWait: () => void (waited += 1) });
      await new Promise((r) => setTimeout(r, 100));
      await first.release();
      const second = await queued;
      assert.ok(waited >= 1);
      assert.ok(second.fence! > first.fence!);
      await first.release(); // idempotent, and it does not remove the other node's lock
      assert.equal(await a.locker.isHeld('one.test'), true);
      await second.release();
      assert.equal(await a.locker.isHeld('one.test'), false);
    } finally {
      await a.storage.close();
      await b.storage.close();
    }
  });

  it('a holder killed with SIGKILL blocks the others no longer than the lease', async () => {
    await raw.flushall();
    await withKeyFile(async (keyFile) => {
      const child = spawn(NODE, ['--import', 'tsx', CHILD, redis.url, keyFile, '800'], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      assert.match(String((await lines.next()).value), /^locked \d+/);
      child.kill('SIGKILL');
      await once(child, 'exit');
      const other = await openRedisBackend({ url: redis.url, keyFile, leaseMs: 800 });
      try {
        assert.equal(await other.locker.isHeld('fleet.test'), true, 'the dead holder still has its lease');
        const took = await other.locker.lock('fleet.test', { wait: true, clock: systemClock, pollMs: 50 });
        const pttl = await raw.pttl('certdeck:lock:issue:fleet.test');
        assert.ok(pttl > 0 && pttl <= 800, `the new holder has a fresh lease (${pttl} ms)`);
        await took.release();
      } finally {
        await other.storage.close();
      }
    });
  });

  it('a holder paused (SIGSTOP) past its lease cannot overwrite what the next holder wrote (fencing)', async () => {
    await raw.flushall();
    await withKeyFile(async (keyFile) => {
      const child = spawn(NODE, ['--import', 'tsx', CHILD, redis.url, keyFile, '600'], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const next = async () => String((await lines.next()).value);
      try {
        assert.match(await next(), /^locked \d+/);
        child.stdin!.write('{"by":"child","n":1}\n');
        assert.equal(await next(), 'ok');
        // Paused past its lease: it cannot refresh, and another node takes the lock over.
        child.kill('SIGSTOP');
        const other = await openRedisBackend({ url: redis.url, keyFile, leaseMs: 600 });
        try {
          const took = await other.locker.lock('fleet.test', { wait: true, clock: systemClock, pollMs: 50 });
          await other.storage.store('journal/fleet.test.json', '{"by":"newer"}');
          child.kill('SIGCONT');
          child.stdin!.write('{"by":"child","n":2}\n');
          assert.match(await next(), /^storage: Refused to write journal\/fleet\.test\.json: another node took over/);
          assert.equal(await other.storage.load('journal/fleet.test.json'), '{"by":"newer"}');
          await took.release();
        } finally {
          await other.storage.close();
        }
      } finally {
        child.kill('SIGKILL');
        await once(child, 'exit').catch(() => undefined);
      }
    });
  });

  it('an unreachable Redis is a network error (exit 4), never a fall-back to files', async () => {
    const down = await startRedis();
    await down.stop();
    await withHome(async (paths) => {
      await assert.rejects(openStorage(paths, { spec: down.url, source: 'CERTDECK_STORAGE' }), (err: unknown) => {
        assert.ok(err instanceof NetworkError);
        assert.equal(exitCodeFor(err.kind), 4);
        assert.match(err.message, /cannot be reached/);
        return true;
      });
      await assert.rejects(openStorage(paths, { spec: 'redis://user:s3cret@127.0.0.1:1/0', source: 'CERTDECK_STORAGE' }), (err: unknown) => !String((err as Error).message).includes('s3cret'));
      await assert.rejects(openStorage(paths, { spec: 'etcd://x', source: 'the storage setting' }), /not a storage certdeck knows/);
    });
  });
});
