import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/engine/core/errors.js';
import {
  HISTORY_LIMIT,
  beginOrder,
  finishOrder,
  journalFile,
  listUnfinished,
  readJournal,
  readPendingKey,
  recordFailure,
  recordFinalizeSent,
  recordOrderUrl,
  requestKeyOf,
  type JournalRequest,
} from '../../../src/engine/store/journal.js';
import { withHome } from './helpers.js';

const request: JournalRequest = {
  domains: ['www.example.test', 'example.test'],
  caId: 'sandbox',
  directoryUrl: 'https://127.0.0.1:14000/dir',
  keyType: 'ec-p256',
};
const KEY = '-----BEGIN PRIVATE KEY-----\npending\n-----END PRIVATE KEY-----\n';
const T0 = Date.UTC(2026, 0, 1);

describe('order journal', () => {
  it('requestKey depends on the sorted domains, CA and key type only', () => {
    const k = requestKeyOf(request);
    assert.equal(requestKeyOf({ ...request, domains: ['example.test', 'www.example.test'] }), k);
    assert.notEqual(requestKeyOf({ ...request, caId: 'letsencrypt' }), k);
    assert.notEqual(requestKeyOf({ ...request, keyType: 'rsa-2048' }), k);
    assert.notEqual(requestKeyOf({ ...request, domains: ['example.test'] }), k);
  });

  it('writes the pending key (0600) before the order, records each step, and deletes the key when finished', async () => {
    await withHome(async (paths) => {
      const begun = await beginOrder(paths, 'example.test', { request, keyPem: KEY, startedAt: T0 });
      const keyFile = begun.current!.keyFile;
      assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
      assert.equal(await readPendingKey(paths, begun.current!), KEY);
      assert.equal((await stat(journalFile(paths, 'example.test'))).mode & 0o777, 0o600);
      assert.deepEqual(await listUnfinished(paths), ['example.test']);

      await recordOrderUrl(paths, 'example.test', 'https://ca/order/1');
      await recordFinalizeSent(paths, 'example.test', T0 + 5_000);
      const mid = await readJournal(paths, 'example.test');
      assert.equal(mid?.current?.orderUrl, 'https://ca/order/1');
      assert.equal(mid?.current?.finalizeSentAt, T0 + 5_000);
      assert.equal(mid?.requestKey, requestKeyOf(request));

      const done = await finishOrder(paths, 'example.test', { outcome: 'valid', at: T0 + 9_000 });
      assert.equal(done.current, undefined);
      assert.deepEqual(done.history, [{ orderUrl: 'https://ca/order/1', caId: 'sandbox', outcome: 'valid', at: T0 + 9_000 }]);
      await assert.rejects(stat(keyFile), /ENOENT/);
      assert.deepEqual(await listUnfinished(paths), []);
      assert.deepEqual(await readdir(paths.journalDir), ['example.test.json']);
    });
  });

  it('a new order over an unfinished one archives it as abandoned and removes its key', async () => {
    await withHome(async (paths) => {
      const first = await beginOrder(paths, 'example.test', { request, keyPem: KEY, startedAt: T0 });
      await recordOrderUrl(paths, 'example.test', 'https://ca/order/1');
      const second = await beginOrder(paths, 'example.test', { request: { ...request, caId: 'sandbox-b' }, keyPem: KEY, startedAt: T0 + 1 });
      assert.equal(second.history[0]?.outcome, 'abandoned');
      assert.equal(second.history[0]?.orderUrl, 'https://ca/order/1');
      await assert.rejects(stat(first.current!.keyFile), /ENOENT/);
      assert.equal(await readPendingKey(paths, second.current!), KEY);
    });
  });

  it('keeps history bounded', async () => {
    await withHome(async (paths) => {
      for (let i = 0; i < HISTORY_LIMIT + 5; i++) {
        await beginOrder(paths, 'h.test', { request, keyPem: KEY, startedAt: T0 + i });
        await finishOrder(paths, 'h.test', { outcome: 'failed', reason: `try ${i}`, at: T0 + i });
      }
      const j = await readJournal(paths, 'h.test');
      assert.equal(j?.history.length, HISTORY_LIMIT);
      assert.equal(j?.history.at(-1)?.reason, `try ${HISTORY_LIMIT + 4}`);
    });
  });

  it('a corrupt journal is a ConfigError naming the file and the way out', async () => {
    await withHome(async (paths) => {
      await beginOrder(paths, 'c.test', { request, keyPem: KEY, startedAt: T0 });
      const file = journalFile(paths, 'c.test');
      await writeFile(file, (await readFile(file, 'utf8')).slice(0, 40));
      await assert.rejects(readJournal(paths, 'c.test'), (e: unknown) => e instanceof ConfigError && e.code === 'journal-corrupt' && e.message.includes(file) && /mv /.test(e.hint ?? ''));
      await writeFile(file, JSON.stringify({ certName: 'c.test' }));
      await assert.rejects(readJournal(paths, 'c.test'), /missing or has invalid fields: requestKey, request, history/);
    });
  });

  it('keeps the last failure across new orders and abandoned ones, and forgets it once an order is valid', async () => {
    await withHome(async (paths) => {
      await beginOrder(paths, 'example.test', { request, keyPem: KEY, startedAt: T0 });
      await recordFailure(paths, 'example.test', { at: T0 + 1, caId: 'sandbox', reason: 'connect ECONNREFUSED' });
      await finishOrder(paths, 'example.test', { outcome: 'abandoned', reason: 'failed', at: T0 + 2 });
      assert.deepEqual((await readJournal(paths, 'example.test'))?.lastFailure, { at: T0 + 1, caId: 'sandbox', reason: 'connect ECONNREFUSED' });
      await beginOrder(paths, 'example.test', { request, keyPem: KEY, startedAt: T0 + 3 });
      assert.equal((await readJournal(paths, 'example.test'))?.lastFailure?.at, T0 + 1, 'a new order does not erase it');
      await finishOrder(paths, 'example.test', { outcome: 'valid', reason: 'issued', at: T0 + 4 });
      assert.equal((await readJournal(paths, 'example.test'))?.lastFailure, undefined);
    });
  });
});
