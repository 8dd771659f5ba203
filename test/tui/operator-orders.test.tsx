import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, phase, processingOrder, queued, waitScheduled } from './fixtures.js';

afterEach(() => cleanup());

describe('orders tell the truth about waits, resumes and requests in flight', () => {
  test('r during a wait the CA asked for (Retry-After) says until when and asks before going early', async () => {
    const clock = new ManualClock(T0);
    const engine = new FakeEngine({ events: processingOrder('o1', { domains: ['slow.example'], delayMs: 30_000, reason: 'retry-after' }) });
    const ui = renderApp(engine, { clock, columns: 100, rows: 30 });
    await ui.waitForText('› ◐ slow.example');
    await clock.advance(5_000);
    ui.press('r');
    let frame = await ui.waitForText('asked certdeck to wait');
    assert.match(frame, /Let's Encrypt asked certdeck to wait until \d\d:\d\d:\d\d \(Retry-After, 25s from now\)\./);
    assert.match(frame, /y poll now anyway · n wait/);
    assert.doesNotMatch(frame, /Polling slow\.example now/);
    assert.deepEqual(engine.callsOf('retryNow'), []);
    ui.press('n');
    await ui.waitForText('Waiting as the CA asked, until');
    assert.deepEqual(engine.callsOf('retryNow'), []);
    ui.press('r');
    await ui.waitForText('asked certdeck to wait');
    ui.press('y');
    frame = await ui.waitForText("before the CA's");
    assert.match(frame, /Polling slow\.example now, before the CA's \d\d:\d\d:\d\d\./);
    assert.deepEqual(engine.callsOf('retryNow'), [['o1']]);
  });

  test('r during certdeck\'s own backoff polls at once, without asking', async () => {
    const clock = new ManualClock(T0);
    const engine = new FakeEngine({ events: processingOrder('o1', { domains: ['fast.example'], delayMs: 8_000, reason: 'backoff' }) });
    const ui = renderApp(engine, { clock, columns: 100, rows: 30 });
    await ui.waitForText('› ◐ fast.example');
    ui.press('r');
    await ui.waitForText('Polling fast.example now.');
    assert.deepEqual(engine.callsOf('retryNow'), [['o1']]);
  });

  test('a 429 retry with Retry-After names the operation it will retry', async () => {
    const clock = new ManualClock(T0);
    const retry: EngineEvent = {
      type: 'retry:scheduled',
      at: T0,
      orderId: 'o1',
      operation: 'finalize',
      attempt: 1,
      maxRetries: 5,
      nextAttemptAt: T0 + 60_000,
      reason: 'retry-after',
      error: { kind: 'rate-limited', code: 'rateLimited', message: 'too many requests', retryable: true },
    };
    const engine = new FakeEngine({ events: [queued('o1', { domains: ['rl.example'] }), phase('o1', 'finalizing', T0), retry] });
    const ui = renderApp(engine, { clock, columns: 100, rows: 30 });
    await ui.waitForText('› ◐ rl.example');
    ui.press('r');
    await ui.waitForText('(Retry-After, 1m00s from now)');
    ui.press('y');
    await ui.waitForText('Retrying finalize for rl.example now');
  });

  test('a resumed order says so, with when it was created, and its time in processing runs from the journal', async () => {
    const clock = new ManualClock(T0);
    const engine = new FakeEngine({
      events: [
        queued('o1', { domains: ['back.example'], at: T0 }),
        { type: 'order:created', at: T0, orderId: 'o1', orderUrl: 'https://127.0.0.1:14000/my-order/1', status: 'processing', resumed: true, createdAt: T0 - 3_600_000, processingSince: T0 - 600_000 },
        phase('o1', 'processing', T0),
        waitScheduled('o1', { at: T0, delayMs: 8_000, reason: 'backoff' }),
      ],
    });
    const ui = renderApp(engine, { clock, columns: 120, rows: 30 });
    const frame = await ui.waitForText('back.example');
    assert.match(frame, /processing 10m00s/, 'not 0s: it entered processing ten minutes ago');
    assert.match(frame, /resumed; created at \d\d:\d\d:\d\d/);
    ui.press(KEYS.enter);
    const detail = await ui.waitForText('Order · back.example');
    assert.match(detail, /resumed; created at \d\d:\d\d:\d\d/);
  });

  test('a request in flight shows as such, with how long it has been out', async () => {
    const clock = new ManualClock(T0);
    const engine = new FakeEngine({ events: [queued('o1', { domains: ['wait.example'] }), phase('o1', 'finalizing', T0)] });
    const ui = renderApp(engine, { clock, columns: 120, rows: 30 });
    await ui.waitForText('› ◐ wait.example');
    engine.emit({ type: 'http:started', at: T0, orderId: 'o1', caId: 'letsencrypt', method: 'POST', url: 'https://127.0.0.1:14000/finalize-order/abc' });
    await clock.advance(12_000);
    let frame = await ui.waitForText('POST finalize … 12s');
    assert.match(frame, /POST finalize … 12s \(waiting for Let's Encrypt\)/);
    ui.press(KEYS.enter);
    frame = await ui.waitForText('Order · wait.example');
    assert.match(frame, /POST finalize … 12s/);
    engine.emit({ type: 'http:exchange', at: T0 + 12_000, orderId: 'o1', caId: 'letsencrypt', method: 'POST', url: 'https://127.0.0.1:14000/finalize-order/abc', status: 200, durationMs: 12_000 });
    await ui.waitForFrame((f) => !f.includes('POST finalize …'), 'the answered request to stop showing as in flight');
  });
});
