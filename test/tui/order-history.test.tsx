import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import type { HistoryRecord } from '../../src/engine/history-view.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, certKnown, certificate, finished, queued } from './fixtures.js';

afterEach(() => cleanup());

const DETAIL = `Fetching http://shop.example.com/.well-known/acme-challenge/${'k'.repeat(43)}: Timeout during connect (likely firewall problem) END-OF-DETAIL`;

/** Two recorded orders of shop.example.com: one failed with a long problem detail, then one issued. */
function history(): HistoryRecord[] {
  const c = 'shop.example.com';
  return [
    { ...queued('o1', { domains: [c], caId: 'letsencrypt', caName: "Let's Encrypt", at: T0 }), certName: c },
    { type: 'http:exchange', at: T0 + 1000, orderId: 'o1', caId: 'letsencrypt', method: 'POST', url: 'https://acme.test/chall/1', status: 400, problemType: 'urn:ietf:params:acme:error:connection', problemDetail: DETAIL, durationMs: 120, certName: c },
    {
      ...finished('o1', 'failed', T0 + 2000, {
        error: { kind: 'ca-problem', code: 'connection', message: `connection: Order is invalid: ${c}: connection: ${DETAIL}`, retryable: false, hint: 'Check that port 80 is open from the internet, then run the same command again.' },
      }),
      certName: c,
    },
    { ...queued('o2', { domains: [c], caId: 'letsencrypt', caName: "Let's Encrypt", at: T0 + 60_000 }), certName: c },
    { ...finished('o2', 'valid', T0 + 70_000), certName: c },
  ];
}

describe('order history screen', () => {
  test('h on a certificate lists its recorded orders; enter shows one order whole, long lines wrapped, not cut', async () => {
    const engine = new FakeEngine({ events: [certKnown(certificate('shop.example.com'))], history: history() });
    const ui = renderApp(engine, { clock: new ManualClock(T0 + 100_000), columns: 80, rows: 24 });
    await ui.waitForText('› ✔ shop.example.com');
    assert.match(ui.lastFrame(), /h history/);
    ui.press('h');
    const list = await ui.waitForText('Orders 2, oldest first');
    assert.match(list, /  .* o1 {2}Let's Encrypt {2}failed {2}3 events/);
    assert.match(list, /› .* o2 {2}Let's Encrypt {2}valid {2}2 events/);

    ui.press('k');
    await ui.waitForText('› ');
    await ui.waitForFrame((f) => /› .* o1 /.test(f), 'o1 selected');
    ui.press(KEYS.enter);
    const timeline = await ui.waitForText('History · shop.example.com · o1 (failed)');
    for (const line of timeline.split('\n')) assert.ok([...line].length <= 80, `fits: ${line}`);
    assert.match(timeline, /what to do: Check that port 80 is open/);
    // The problem detail is there in full, over several rows: join the rows without their time column.
    const text = timeline.split('\n').map((l) => l.slice(10).trim()).join(' ');
    assert.ok(text.replace(/\s+/g, '').includes(DETAIL.replace(/\s+/g, '')), text);
    assert.match(timeline, /POST \/chall\/1 → 400 · connection:/);

    ui.press(KEYS.escape);
    await ui.waitForText('Orders 2, oldest first');
    ui.press(KEYS.escape);
    await ui.waitForText('› ✔ shop.example.com');
  });
});
