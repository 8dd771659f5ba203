import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { DEFAULT_POLICY } from '../../src/engine/policy.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, finished, processingOrder, queued } from './fixtures.js';

afterEach(() => cleanup());

function http(orderId: string, at: number, method: string, path: string, extra: Partial<Extract<EngineEvent, { type: 'http:exchange' }>> = {}): EngineEvent {
  return { type: 'http:exchange', at, orderId, caId: 'zerossl', method, url: `https://127.0.0.1:14000${path}`, durationMs: 40, ...extra };
}

const AUTHZ: EngineEvent[] = [
  { type: 'authz:updated', at: T0, orderId: 'o1', url: 'https://127.0.0.1:14000/authz/1', domain: 'api.example.org', status: 'valid', challengeType: 'http-01', challengeStatus: 'valid' },
  {
    type: 'authz:updated',
    at: T0,
    orderId: 'o1',
    url: 'https://127.0.0.1:14000/authz/2',
    domain: 'www.api.example.org',
    status: 'invalid',
    challengeType: 'http-01',
    challengeStatus: 'invalid',
    error: 'connection refused fetching /.well-known/acme-challenge/x',
  },
];

describe('order detail', () => {
  test('shows authorizations, the policy in force, and every CA exchange with status, problem and Retry-After', async () => {
    const clock = new ManualClock();
    const policy = { ...DEFAULT_POLICY, deadlines: { authorization: 300_000, processing: 600_000, download: 60_000 }, maxRetries: 7 };
    const engine = new FakeEngine({
      events: [
        ...processingOrder('o1', { domains: ['api.example.org', 'www.api.example.org'], caId: 'zerossl', caName: 'ZeroSSL', policy, delayMs: 15_000, reason: 'retry-after' }),
        ...AUTHZ,
        http('o1', T0 + 1000, 'POST', '/acme/finalize/1', { status: 200 }),
        http('o1', T0 + 2000, 'POST', '/acme/order/1', { status: 429, problemType: 'urn:ietf:params:acme:error:rateLimited', problemDetail: 'slow down', retryAfterMs: 15_000 }),
        http('o1', T0 + 3000, 'POST', '/acme/order/1', { errorCode: 'ECONNRESET' }),
      ],
    });
    const ui = renderApp(engine, { clock, columns: 100, rows: 40 });
    await ui.waitForText('› ◐ api.example.org');
    ui.press(KEYS.enter);
    const frame = await ui.waitForText('Authorizations 2');
    assert.match(frame, /Order · api\.example\.org/);
    assert.match(frame, /ZeroSSL · ec-p256 · standalone http-01/);
    assert.match(frame, /next poll in 15s \(Retry-After 15s\)/);
    assert.match(frame, /processing 10m · download 1m · 7 retries per request/);
    assert.match(frame, /✔ api\.example\.org\s+valid\s+http-01 valid/);
    assert.match(frame, /✖ www\.api\.example\.org\s+invalid\s+http-01 invalid/);
    assert.match(frame, /connection refused fetching/);
    assert.match(frame, /POST \/acme\/finalize\/1 → 200 · 40ms/);
    assert.match(frame, /POST \/acme\/order\/1 → 429 · rateLimited: slow down · Retry-After 15s/);
    assert.match(frame, /POST \/acme\/order\/1 → ECONNRESET/);
    assert.match(frame, /phase processing/);
  });

  test('a failed order shows its error, what to do, and the CA problem', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({
      events: [
        queued('o1', { domains: ['api.example.org'] }),
        finished('o1', 'failed', T0 + 5000, {
          error: {
            kind: 'rate-limited',
            code: 'rateLimited',
            message: 'rateLimited: too many certificates for this exact set of names',
            hint: 'Wait for the Retry-After time, or switch CA with s.',
            retryable: true,
            problemType: 'urn:ietf:params:acme:error:rateLimited',
            status: 429,
            retryAfterMs: 3_600_000,
          },
        }),
      ],
    });
    const ui = renderApp(engine, { clock, columns: 100 });
    await ui.waitForText('› ✖ api.example.org');
    ui.press(KEYS.enter);
    const frame = await ui.waitForText('what to do:');
    assert.match(frame, /✖ rateLimited: too many certificates for this exact set of names/);
    assert.match(frame, /what to do: Wait for the Retry-After time, or switch CA with s\./);
    assert.match(frame, /CA problem urn:ietf:params:acme:error:rateLimited · HTTP 429 · Retry-After 1h/);
    // A failed order can be re-issued elsewhere, but not retried or cancelled.
    assert.match(frame, /s switch CA/);
    assert.doesNotMatch(frame, /c cancel/);
  });

  test('actions work from the detail view, and Esc goes back to the dashboard', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({ events: processingOrder('o1') });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('› ◐ example.com');
    ui.press(KEYS.enter);
    await ui.waitForText('Policy');
    ui.press('r');
    await ui.waitForText('Polling example.com now.');
    assert.deepEqual(engine.callsOf('retryNow'), [['o1']]);
    ui.press(KEYS.escape);
    await ui.waitForText('Orders 1 running');
  });

  test('the timeline is cut to the room there is at 80x24, newest last', async () => {
    const clock = new ManualClock();
    const events: EngineEvent[] = [...processingOrder('o1')];
    for (let i = 0; i < 60; i++) events.push(http('o1', T0 + i * 1000, 'POST', `/acme/order/poll-${i}`, { status: 200 }));
    const engine = new FakeEngine({ events });
    const ui = renderApp(engine, { clock, columns: 80, rows: 24 });
    await ui.waitForText('› ◐ example.com');
    ui.press(KEYS.enter);
    const frame = await ui.waitForText('poll-59');
    assert.doesNotMatch(frame, /poll-40 /);
    assert.ok(frame.split('\n').length <= 23);
    assert.ok(frame.split('\n').every((l) => [...l].length <= 80));
    assert.match(frame, /Timeline last \d+ of 66 · l shows all/);
  });
});

describe('log view', () => {
  test('l opens the full timeline, following new lines; k scrolls up and stops following; G follows again', async () => {
    const clock = new ManualClock();
    const events: EngineEvent[] = [...processingOrder('o1')];
    for (let i = 0; i < 40; i++) events.push(http('o1', T0 + i * 1000, 'POST', `/acme/order/poll-${i}`, { status: 200 }));
    const engine = new FakeEngine({ events });
    const ui = renderApp(engine, { clock, columns: 80, rows: 24 });
    await ui.waitForText('› ◐ example.com');
    ui.press('l');
    let frame = await ui.waitForText('following new lines');
    assert.match(frame, /Log · example\.com/);
    assert.match(frame, /poll-39/);
    engine.emit(http('o1', T0 + 50_000, 'POST', '/acme/order/poll-new', { status: 200 }));
    await ui.waitForText('poll-new');
    for (let i = 0; i < 5; i++) ui.press('k');
    frame = await ui.waitForText('G to follow');
    assert.doesNotMatch(frame, /poll-new/);
    ui.press('g');
    frame = await ui.waitForText('lines 1–');
    assert.match(frame, /phase queued/);
    ui.press('G');
    await ui.waitForText('poll-new');
    ui.press(KEYS.escape);
    await ui.waitForText('Orders 1 running');
  });
});
