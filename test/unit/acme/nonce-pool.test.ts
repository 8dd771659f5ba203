import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/engine/core/clock.js';
import { NoncePool } from '../../../src/engine/acme/nonce-pool.js';

const URL_A = 'https://ca.test/acme/new-nonce';
const POST_A = 'https://ca.test/acme/order/1';

describe('NoncePool', () => {
  it('hands each nonce out once, newest first, per origin', async () => {
    const pool = new NoncePool();
    const clock = new ManualClock();
    pool.put(POST_A, 'n1');
    pool.put(POST_A, 'n2');
    assert.equal(await pool.next(URL_A, { clock, maxWaitMs: 100 }), 'n2');
    assert.equal(pool.take(URL_A), 'n1');
    assert.equal(await pool.next('https://other.test/new-nonce', { clock, maxWaitMs: 100 }), undefined);
    assert.equal(pool.size(URL_A), 0);
  });

  it('with nothing in flight, says ask the CA at once', async () => {
    const pool = new NoncePool();
    assert.equal(await pool.next(URL_A, { clock: new ManualClock(), maxWaitMs: 100 }), undefined);
  });

  it('waits for a nonce on its way back, one waiter per request in flight', async () => {
    const pool = new NoncePool();
    const clock = new ManualClock();
    pool.started(POST_A);
    const first = pool.next(URL_A, { clock, maxWaitMs: 100 });
    // The one request in flight is already spoken for: a second caller asks the CA.
    assert.equal(await pool.next(URL_A, { clock, maxWaitMs: 100 }), undefined);
    pool.finished(POST_A, 'back');
    assert.equal(await first, 'back');
    assert.equal(pool.size(URL_A), 0, 'given to the waiter, not pooled too');
  });

  it('gives up after maxWaitMs, and a nonce that arrives later is pooled', async () => {
    const pool = new NoncePool();
    const clock = new ManualClock();
    pool.started(POST_A);
    let result: string | undefined = 'pending';
    const waiting = pool.next(URL_A, { clock, maxWaitMs: 100 }).then((n) => (result = n));
    await clock.advance(99);
    assert.equal(result, 'pending');
    await clock.advance(1);
    await waiting;
    assert.equal(result, undefined);
    pool.finished(POST_A, 'late');
    assert.equal(pool.take(URL_A), 'late');
  });

  it('a request that comes back without a usable nonce frees its waiter only at the bound', async () => {
    const pool = new NoncePool();
    const clock = new ManualClock();
    pool.started(POST_A);
    const waiting = pool.next(URL_A, { clock, maxWaitMs: 50 });
    pool.finished(POST_A, undefined);
    await clock.advance(50);
    assert.equal(await waiting, undefined);
  });

  it('stops waiting when the operation is cancelled', async () => {
    const pool = new NoncePool();
    const clock = new ManualClock();
    const abort = new AbortController();
    pool.started(POST_A);
    const waiting = pool.next(URL_A, { clock, maxWaitMs: 60_000, signal: abort.signal });
    abort.abort();
    assert.equal(await waiting, undefined);
    pool.finished(POST_A, 'n');
    assert.equal(pool.take(URL_A), 'n', 'the cancelled waiter no longer claims it');
  });
});
