import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepFor } from '../../src/engine/order/order-steps.js';
import { OrderControl, stopIntent } from '../../src/engine/order/order-control.js';
import { ManualClock } from '../../src/engine/core/clock.js';
import { NoncePool } from '../../src/engine/acme/nonce-pool.js';

describe('order steps follow the real order status', () => {
  it('maps every RFC 8555 status to one step', () => {
    assert.equal(stepFor('pending'), 'authorize');
    assert.equal(stepFor('ready'), 'finalize');
    assert.equal(stepFor('processing'), 'await-processing');
    assert.equal(stepFor('valid'), 'download');
    assert.equal(stepFor('invalid'), 'report-invalid');
  });
});

describe('OrderControl', () => {
  it('retryNow cuts a wait short without failing it', async () => {
    const clock = new ManualClock();
    const control = new OrderControl();
    let woke = false;
    const sleeping = control.sleep(clock, 60_000).then(() => (woke = true));
    await clock.untilSleeping(1);
    control.retryNow();
    await sleeping;
    assert.equal(woke, true);
    assert.equal(clock.now(), new ManualClock().now(), 'no time had to pass');
  });

  it('stop rejects the wait with a CancelledError carrying the reason', async () => {
    const clock = new ManualClock();
    const control = new OrderControl();
    const sleeping = control.sleep(clock, 60_000);
    await clock.untilSleeping(1);
    control.stop({ kind: 'switch', caId: 'sandbox-b', reason: 'switching to sandbox-b' });
    await assert.rejects(sleeping, { name: 'AbortError', message: 'switching to sandbox-b' });
    // The intent travels as the abort reason, typed, not through a field read back afterwards.
    assert.deepEqual(stopIntent(control.signal), { kind: 'switch', caId: 'sandbox-b', reason: 'switching to sandbox-b' });
  });

  it('keep-waiting reaches only a wait in progress, as a typed intent', () => {
    const control = new OrderControl();
    const seen: unknown[] = [];
    control.send({ kind: 'keep-waiting', extraMs: 1000 });
    const release = control.whileWaiting((intent) => seen.push(intent));
    control.send({ kind: 'keep-waiting', extraMs: 2000 });
    release();
    control.send({ kind: 'keep-waiting' });
    assert.deepEqual(seen, [{ kind: 'keep-waiting', extraMs: 2000 }]);
    assert.equal(control.signal.aborted, false);
  });

  it('follows a parent signal', () => {
    const parent = new AbortController();
    const control = new OrderControl(parent.signal);
    parent.abort('SIGINT');
    assert.equal(control.signal.aborted, true);
    assert.equal(stopIntent(control.signal)?.kind, 'cancel');
  });
});

describe('NoncePool', () => {
  it('hands out each nonce once, per origin, newest first', () => {
    const pool = new NoncePool(2);
    pool.put('https://127.0.0.1:14000/order/1', 'a');
    pool.put('https://127.0.0.1:14000/authz/1', 'b');
    pool.put('https://127.0.0.1:14000/authz/2', 'c');
    pool.put('https://127.0.0.1:14010/dir', 'other');
    assert.equal(pool.size('https://127.0.0.1:14000/'), 2, 'bounded: the oldest was dropped');
    assert.equal(pool.take('https://127.0.0.1:14000/nonce-plz'), 'c');
    assert.equal(pool.take('https://127.0.0.1:14000/nonce-plz'), 'b');
    assert.equal(pool.take('https://127.0.0.1:14000/nonce-plz'), undefined);
    assert.equal(pool.take('https://127.0.0.1:14010/nonce'), 'other');
  });
});
