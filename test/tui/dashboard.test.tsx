import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import { DEFAULT_POLICY } from '../../src/engine/policy.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { DAY, T0, certKnown, certificate, finished, hung, processingOrder, queued, waitScheduled } from './fixtures.js';

afterEach(() => cleanup());

/** Lines of a frame that are wider than `columns`. */
function overlong(frame: string, columns: number): string[] {
  return frame.split('\n').filter((line) => [...line].length > columns);
}

describe('dashboard', () => {
  test('given a processing order, when the clock advances, the countdown and phase time follow it', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({ events: processingOrder('o1', { domains: ['api.example.org'], delayMs: 8_000 }) });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('next poll in 8s (backoff 8s)');
    await clock.advance(5_000);
    const frame = await ui.waitForText('next poll in 3s');
    assert.match(frame, /processing 5s/);
    assert.match(frame, /gives up in 1m55s/);
  });

  test('a Retry-After wait is told apart from backoff', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({ events: processingOrder('o1', { delayMs: 30_000, reason: 'retry-after' }) });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('next poll in 30s (Retry-After 30s)');
    engine.emit(waitScheduled('o1', { at: T0, delayMs: 4_000, reason: 'backoff', attempt: 2 }));
    await ui.waitForText('next poll in 4s (backoff 4s) · poll 2');
  });

  test('an order processing past the hung threshold is flagged, with what to do, without waiting for a poll', async () => {
    const clock = new ManualClock();
    const policy = { ...DEFAULT_POLICY, hungAfterMs: 60_000 };
    const engine = new FakeEngine({ events: processingOrder('o1', { delayMs: 120_000, reason: 'retry-after', policy }) });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('processing 0s');
    await clock.advance(59_000);
    await ui.waitForText('processing 59s');
    assert.doesNotMatch(ui.lastFrame(), /HUNG/);
    await clock.advance(1_000);
    const frame = await ui.waitForText('HUNG processing 1m00s');
    assert.match(frame, /⚠ hung 1m00s, 0 polls · w keep waiting · s switch CA · c cancel/);
  });

  test('the engine hung flag shows its poll count', async () => {
    const clock = new ManualClock(T0 + 300_000);
    const engine = new FakeEngine({ events: [...processingOrder('o1'), hung('o1', T0, 12, T0 + 300_000)] });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('hung 5m00s, 12 polls');
  });

  test('certificates show names covered, CA, days left with a bar, and a derived status', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({
      events: [
        certKnown(certificate('fine.example', { domains: ['fine.example', 'www.fine.example'] })),
        certKnown(certificate('due.example', { notBefore: T0 - 70 * DAY })),
        certKnown(certificate('gone.example', { notBefore: T0 - 100 * DAY })),
        certKnown(certificate('renew.example', { notBefore: T0 - 80 * DAY })),
        certKnown(certificate('soft.example', { notBefore: T0 - 75 * DAY, caId: 'zerossl' })),
        ...processingOrder('o1', { domains: ['renew.example'] }),
        queued('o2', { domains: ['soft.example'], caId: 'zerossl', caName: 'ZeroSSL' }),
        finished('o2', 'failed', T0),
      ],
    });
    const ui = renderApp(engine, { clock, columns: 100 });
    const frame = await ui.waitForText('fine.example');
    const line = (name: string) => frame.split('\n').find((l) => l.includes(name) && /\d+[dh]\s/.test(l)) ?? '';
    assert.match(line('fine.example +1'), /Let's Encrypt\s+█+░*\s+60d\s+valid/);
    assert.match(line('due.example'), /20d\s+due/);
    assert.match(line('gone.example'), /-10d\s+expired/);
    assert.match(line('renew.example'), /10d\s+renewing/);
    assert.match(line('soft.example'), /ZeroSSL.*15d\s+renew failed, valid/);
    // Soonest to expire first.
    assert.ok(frame.indexOf('gone.example') < frame.indexOf('renew.example'));
    assert.ok(frame.indexOf('renew.example') < frame.indexOf('fine.example'));
  });

  test('80x24: every line fits in 80 columns and the frame in 23 rows, with the selection kept in view', async () => {
    const clock = new ManualClock();
    const events = [];
    for (let i = 0; i < 8; i++) events.push(certKnown(certificate(`a-very-long-certificate-name-number-${i}.subdomain.example.com`)));
    for (let i = 0; i < 8; i++) events.push(...processingOrder(`o${i}`, { domains: [`order-${i}.a-rather-long-domain-name.example.org`, 'www.example.org'], caId: 'zerossl', caName: 'ZeroSSL' }));
    const engine = new FakeEngine({ events });
    const ui = renderApp(engine, { clock, columns: 80, rows: 24 });
    let frame = await ui.waitForText('Certificates');
    assert.deepEqual(overlong(frame, 80), []);
    assert.ok(frame.split('\n').length <= 23, `frame has ${frame.split('\n').length} lines`);
    assert.match(frame, /↓ \d+ more/);
    for (let i = 0; i < 14; i++) ui.press('j');
    ui.press(KEYS.down);
    frame = await ui.waitForFrame((f) => /› ◐ order-7/.test(f), 'the last order selected');
    assert.deepEqual(overlong(frame, 80), []);
    assert.ok(frame.split('\n').length <= 23);
    assert.match(frame, /more above/);
    ui.press(KEYS.up);
    await ui.waitForFrame((f) => /› ◐ order-6/.test(f), 'the arrow key to move up');
  });

  test('a wide terminal gets more columns: every name, key type and the expiry date', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({
      events: [certKnown(certificate('example.com', { domains: ['example.com', 'www.example.com'] })), ...processingOrder('o1', { domains: ['api.example.org', 'api2.example.org'] })],
    });
    const ui = renderApp(engine, { clock, columns: 80, rows: 24 });
    let frame = await ui.waitForText('example.com +1');
    assert.doesNotMatch(frame, /ec-p256/);
    ui.resize(140, 30);
    frame = await ui.waitForText('www.example.com');
    assert.match(frame, /api\.example\.org, api2\.example\.org/);
    assert.match(frame, /ec-p256/);
    assert.match(frame, /2026-03-02/);
    assert.deepEqual(overlong(frame, 140), []);
  });

  test('a burst of snapshot changes is rendered once, not once per change', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({ events: processingOrder('o1', { delayMs: 8_000 }) });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('next poll in 8s');
    const before = ui.frames.length;
    for (let attempt = 2; attempt <= 40; attempt++) engine.emit(waitScheduled('o1', { delayMs: 5_000, attempt }));
    await ui.waitForText('poll 40');
    assert.ok(ui.frames.length - before <= 3, `${ui.frames.length - before} frames for one burst`);
  });

  test('a request waiting to be retried shows its count against the budget and why', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({
      events: [
        ...processingOrder('o1'),
        {
          type: 'retry:scheduled',
          at: T0,
          orderId: 'o1',
          operation: 'finalize',
          attempt: 2,
          maxRetries: 5,
          nextAttemptAt: T0 + 4_000,
          reason: 'retry-after',
          error: { kind: 'rate-limited', code: 'rateLimited', message: 'slow down', retryable: true, retryAfterMs: 4_000 },
        },
      ],
    });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('retry 2/5 finalize in 4s · rateLimited · Retry-After 4s');
    await clock.advance(4_000);
    await ui.waitForText('retry 2/5 finalize now');
  });

  test('one clock sleep drives every countdown on screen, and it stops when the UI goes away', async () => {
    const clock = new ManualClock();
    const events = [];
    for (let i = 0; i < 6; i++) events.push(...processingOrder(`o${i}`, { domains: [`o${i}.example`] }));
    const engine = new FakeEngine({ events });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('o5.example');
    await clock.untilSleeping(1);
    assert.equal(clock.pendingSleeps, 1);
    await clock.advance(1_000);
    await ui.waitForText('processing 1s');
    assert.equal(clock.pendingSleeps, 1);
    ui.unmount();
    assert.equal(clock.pendingSleeps, 0);
    assert.equal(engine.subscriberCount, 0);
  });

  test('order keys on a certificate row say where to go instead of doing nothing', async () => {
    const engine = new FakeEngine({ events: [certKnown(certificate('example.com')), ...processingOrder('o1', { domains: ['api.example.org'] })] });
    const ui = renderApp(engine, { clock: new ManualClock() });
    await ui.waitForText('› ✔ example.com');
    ui.press('r');
    await ui.waitForText('r acts on an order: move down to one under Orders.');
    assert.deepEqual(engine.callsOf('retryNow'), []);
  });

  test('l on a certificate row opens the engine log', async () => {
    const engine = new FakeEngine({
      events: [certKnown(certificate('example.com')), { type: 'log', at: T0, level: 'warn', message: 'renewal window opens in 3 days', certName: 'example.com' }],
    });
    const ui = renderApp(engine, { clock: new ManualClock() });
    await ui.waitForText('› ✔ example.com');
    ui.press('l');
    await ui.waitForText('example.com: renewal window opens in 3 days');
    assert.match(ui.lastFrame(), /Log · engine/);
  });

  test('an empty dashboard says what to do', async () => {
    const ui = renderApp(new FakeEngine(), { clock: new ManualClock() });
    await ui.waitForText('Press n to request a certificate.');
  });

  test('Enter on a certificate opens its deploy view; Esc comes back', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({ events: [certKnown(certificate('example.com'))] });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('› ✔ example.com');
    ui.press(KEYS.enter);
    await ui.waitForText('No deploy run for example.com yet.');
    ui.press(KEYS.escape);
    await ui.waitForText('› ✔ example.com');
  });
});

describe('dashboard: unreadable state is shown, not hidden', () => {
  test('a certificate with a corrupt meta.json and a corrupt journal are listed above the certificates', async () => {
    const engine = new FakeEngine({
      events: [
        certKnown(certificate('good.example', { lifetimeDays: 60 })),
        { type: 'state:problem', at: T0, certName: 'broken.example', file: '/h/live/broken.example/meta.json', message: '/h/live/broken.example/meta.json is not valid JSON (Unexpected token).' },
        { type: 'state:problem', at: T0, certName: 'stuck.example', file: '/h/journal/stuck.example.json', message: 'The journal /h/journal/stuck.example.json is corrupt.' },
      ],
    });
    const ui = renderApp(engine, { clock: new ManualClock() });
    const frame = await ui.waitForText('Unreadable state');
    assert.match(frame, /Unreadable state 2 files/);
    assert.match(frame, /⚠ broken\.example: \/h\/live\/broken\.example\/meta\.json is not valid JSON/);
    assert.match(frame, /⚠ stuck\.example: The journal/);
    assert.match(frame, /good\.example/);
  });
});
