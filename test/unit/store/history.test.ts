import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { EngineEvent } from '../../../src/engine/events.js';
import { historyRecord, cleanText } from '../../../src/engine/history/history-record.js';
import { HistoryRecorder } from '../../../src/engine/history/history-recorder.js';
import { describeHistoryRecord, summarizeOrders } from '../../../src/engine/history-view.js';
import { HistoryWriter, historyFile, readHistoryFile } from '../../../src/engine/store/history.js';
import { pathsUnder, type StatePaths } from '../../../src/engine/store/paths.js';

const T0 = Date.UTC(2026, 0, 1);

describe('order history file', () => {
  let home: string;
  let paths: StatePaths;
  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'certdeck-history-'));
    paths = pathsUnder(home);
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  const exchange = (orderId: string, i: number): EngineEvent => ({
    type: 'http:exchange', at: T0 + i, orderId, caId: 'ca', method: 'POST', url: `https://ca.test/order/${orderId}/${'x'.repeat(100)}`, status: 200, durationMs: 5,
  });

  it('keeps the newest orders whole once it passes its size, and never more than N orders', async () => {
    const writer = new HistoryWriter(paths, { maxBytes: 6000, ordersKept: 3 });
    for (let o = 1; o <= 8; o++) {
      for (let i = 0; i < 10; i++) writer.append({ ...exchange(`o${o}`, o * 100 + i), certName: 'a.test' });
    }
    const size = (await stat(historyFile(paths, 'a.test'))).size;
    assert.ok(size <= 6000, `bounded: ${size} bytes`);
    const records = await readHistoryFile(paths, 'a.test');
    const orders = [...new Set(records.map((r) => ('orderId' in r ? r.orderId : undefined)))];
    assert.ok(orders.length <= 3 && orders.at(-1) === 'o8', `the newest orders: ${orders.join(',')}`);
    for (const id of orders) assert.equal(records.filter((r) => 'orderId' in r && r.orderId === id).length, 10, `${id} is whole`);
    assert.equal((await stat(historyFile(paths, 'a.test'))).mode & 0o777, 0o600);
    assert.equal((await stat(paths.historyDir)).mode & 0o777, 0o700);
  });

  it('a new writer (a restart) counts the orders already on disk', async () => {
    const first = new HistoryWriter(paths, { maxBytes: 1_000_000, ordersKept: 2 });
    for (const o of ['o1', 'o2']) first.append({ ...exchange(o, 1), certName: 'a.test' });
    const second = new HistoryWriter(paths, { maxBytes: 1_000_000, ordersKept: 2 });
    second.append({ ...exchange('o3', 2), certName: 'a.test' });
    const ids = (await readHistoryFile(paths, 'a.test')).map((r) => ('orderId' in r ? r.orderId : ''));
    assert.deepEqual(ids, ['o2', 'o3']);
  });

  it('skips a torn last line (a crash mid-append) and keeps the rest', async () => {
    const writer = new HistoryWriter(paths);
    writer.append({ ...exchange('o1', 1), certName: 'a.test' });
    const { appendFile } = await import('node:fs/promises');
    await appendFile(historyFile(paths, 'a.test'), '{"type":"http:exch');
    assert.equal((await readHistoryFile(paths, 'a.test')).length, 1);
  });

  it('strips control characters and redacts private keys and secrets it was told about', async () => {
    assert.equal(cleanText('bad\u001b[2J\u0007 detail\nnext'), 'bad [2J  detail next');
    const pem = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIAbc\n-----END EC PRIVATE KEY-----';
    assert.equal(cleanText(`key ${pem} end`), 'key [redacted private key] end');
    const hmac = 'c2VjcmV0LWhtYWMta2V5LXZhbHVl';
    const record = historyRecord({ type: 'log', at: T0, level: 'warn', message: `the CA said ${hmac}\u001b[31m` }, 'a.test', new Set([hmac]));
    assert.deepEqual(record, { type: 'log', at: T0, level: 'warn', message: 'the CA said [redacted] [31m', certName: 'a.test' });
  });

  it('the recorder files events under their certificate, deploy runs included, and leaves out what names none', async () => {
    const recorder = new HistoryRecorder(paths, (m) => assert.fail(m));
    const events: EngineEvent[] = [
      { type: 'order:queued', at: T0, orderId: 'o1', certName: 'a.test', domains: ['a.test'], caId: 'ca', caName: 'CA', keyType: 'ec-p256', challenge: 'http-01-standalone', policy: { floorMs: 1, capMs: 1, factor: 2, jitter: 0, deadlines: { authorization: 1, processing: 1, download: 1 }, maxRetries: 1, hungAfterMs: 1 } },
      exchange('o1', 1),
      { type: 'http:exchange', at: T0 + 2, caId: 'ca', method: 'GET', url: 'https://ca.test/dir', status: 200, durationMs: 1 },
      { type: 'log', at: T0 + 3, level: 'info', message: 'engine started' },
      { type: 'order:finished', at: T0 + 4, orderId: 'o1', outcome: 'failed', error: { kind: 'ca-problem', code: 'dns', message: 'dns: no such host', retryable: false, hint: 'fix DNS', subproblems: [{ identifier: 'a.test', type: 'urn:ietf:params:acme:error:dns', detail: 'NXDOMAIN' }] } },
      { type: 'deploy:started', at: T0 + 5, runId: 'r1', certName: 'a.test', targets: [{ id: 't1', kind: 'files', label: 'files' }] },
      { type: 'deploy:log', at: T0 + 6, runId: 'r1', targetId: 't1', line: 'PASSWORD=hunter2' },
      { type: 'deploy:target', at: T0 + 7, runId: 'r1', targetId: 't1', status: 'succeeded' },
    ];
    for (const e of events) recorder.record(e);
    const records = await readHistoryFile(paths, 'a.test');
    assert.deepEqual(records.map((r) => r.type), ['order:queued', 'http:exchange', 'order:finished', 'deploy:started', 'deploy:target']);
    assert.doesNotMatch(await readFile(historyFile(paths, 'a.test'), 'utf8'), /hunter2/);
    const [summary] = summarizeOrders(records);
    assert.equal(summary?.outcome, 'failed');
    assert.equal(summary?.records, 3);
    const failed = describeHistoryRecord(records[2]!);
    assert.equal(failed.tone, 'bad');
    assert.match(failed.text, /failed: dns: no such host \[a\.test dns: NXDOMAIN\] — what to do: fix DNS/);
  });
});
