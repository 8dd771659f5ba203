import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import type { CaInfo } from '../../src/engine/api.js';
import { ManualClock } from '../../src/engine/core/clock.js';
import { DEFAULT_POLICY } from '../../src/engine/policy.js';
import { caColumnWidth, choiceLabelWidth } from '../../src/tui/view-model/columns.js';
import { DEFAULT_TEST_CAS, FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { certificate, certKnown, processingOrder } from './fixtures.js';

afterEach(() => cleanup());

const SANDBOX: CaInfo = { id: 'sandbox', name: 'Local sandbox (Pebble)', directoryUrl: 'https://127.0.0.1:14000/dir', eabRequired: false, notes: [], staging: true, policy: DEFAULT_POLICY };
const SANDBOX_B: CaInfo = { ...SANDBOX, id: 'sandbox-b', name: 'Local sandbox B (second Pebble)', directoryUrl: 'https://127.0.0.1:14010/dir' };
const CAS = [...DEFAULT_TEST_CAS, SANDBOX, SANDBOX_B];

const fitsIn = (frame: string, columns: number) => frame.split('\n').every((l) => [...l].length <= columns);

describe('columns that fit what is on screen', () => {
  test('the CA column fits the longest CA name shown, capped by the terminal width', () => {
    assert.equal(caColumnWidth(['Local sandbox (Pebble)', "Let's Encrypt"], 100), 22);
    assert.equal(caColumnWidth(['Sandbox (Pebble) behind the fault proxy'], 100), 24);
    assert.equal(caColumnWidth(['Local sandbox (Pebble)'], 80), 14);
    assert.equal(caColumnWidth(['R3'], 100), 10);
    assert.equal(choiceLabelWidth(['Local sandbox B (second Pebble)', 'ZeroSSL']), 31);
  });

  test('at 100 columns the dashboard names the CA in full; at 80 it truncates and still fits', async () => {
    const events = [certKnown(certificate('shop.example.test', { caId: 'sandbox' })), ...processingOrder('o1', { domains: ['hang.example.test'], caId: 'sandbox', caName: 'Local sandbox (Pebble)' })];
    const wide = renderApp(new FakeEngine({ cas: CAS, events }), { clock: new ManualClock(), columns: 100, rows: 30 });
    let frame = await wide.waitForText('shop.example.test');
    assert.match(frame, /✔ shop\.example\.test +Local sandbox \(Pebble\) +█/);
    assert.match(frame, /◐ hang\.example\.test +Local sandbox \(Pebble\) +processing/);
    assert.ok(fitsIn(frame, 100));
    wide.unmount();
    const narrow = renderApp(new FakeEngine({ cas: CAS, events }), { clock: new ManualClock(), columns: 80, rows: 24 });
    frame = await narrow.waitForText('shop.example.test');
    assert.match(frame, /Local sandbox… /);
    assert.ok(fitsIn(frame, 80));
  });

  test('the CA picker shows long CA names whole', async () => {
    const engine = new FakeEngine({ cas: CAS, events: processingOrder('o1', { domains: ['hang.example.test'], caId: 'sandbox', caName: 'Local sandbox (Pebble)' }) });
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 100, rows: 30 });
    await ui.waitForText('hang.example.test');
    ui.press('s');
    const picker = await ui.waitForText('Switch CA for');
    assert.match(picker, /› Local sandbox B \(second Pebble\) +staging, untrusted/);
  });

  test('the focused challenge list shows its labels whole at 100 columns and fits at 80', async () => {
    for (const columns of [100, 80]) {
      const ui = renderApp(new FakeEngine({ cas: CAS }), { clock: new ManualClock(), columns, rows: 24 });
      await ui.waitForText('Press n');
      ui.press('n');
      await ui.waitForText('New certificate');
      for (let i = 0; i < 3; i++) ui.press(KEYS.tab);
      const frame = await ui.waitForText('› standalone http-01');
      if (columns === 100) assert.match(frame, /› standalone http-01 \(certdeck answers on the sandbox's validation port\)/);
      assert.ok(fitsIn(frame, columns), frame);
      ui.unmount();
    }
  });
});
