import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import { DEFAULT_POLICY } from '../../src/engine/policy.js';
import { FakeEngine } from '../support/fake-engine.js';
import { renderApp } from '../support/render.js';
import { T0, certKnown, certificate, processingOrder } from './fixtures.js';

afterEach(() => cleanup());

const policy = { ...DEFAULT_POLICY, hungAfterMs: 60_000 };
const events = () => [
  certKnown(certificate('averyveryverylongname-example.com', { domains: ['averyveryverylongname-example.com', 'www.example.com'], caId: 'letsencrypt' })),
  ...processingOrder('o1', { domains: ['hang.example.test', 'www.hang.example.test'], policy, caName: "Let's Encrypt (staging)", delayMs: 400_000 }),
];

const fits = (frame: string, columns: number, rows: number) => {
  const lines = frame.split('\n');
  return lines.length <= rows && lines.every((l) => [...l].length <= columns);
};

describe('layout from 60x15 to 200x50', () => {
  test('column headers over both lists; columns sized from the width; no two columns touch', async () => {
    const ui = renderApp(new FakeEngine({ events: events() }), { clock: new ManualClock(T0 + 120_000), columns: 120, rows: 30 });
    const frame = await ui.waitForText('hang.example.test');
    assert.match(frame, /^ {4}NAME +CA +LIFETIME +LEFT +EXPIRES +STATUS$/m);
    assert.match(frame, /^ {4}NAMES +CA +KEY +STATE$/m);
    // The whole name fits at 120 columns: space is not left unused while the name is cut.
    assert.match(frame, /averyveryverylongname-example\.com \+1 /);
    assert.match(frame, /Let's Encrypt \(staging\) ec-p256/);
    assert.doesNotMatch(frame, /\(staging\)ec-p256/);
    // Each header word sits over its column.
    const lines = frame.split('\n');
    const header = lines.find((l) => /^ {4}NAMES/.test(l))!;
    const row = lines.find((l) => l.includes('hang.example.test'))!;
    assert.equal(row.indexOf("Let's Encrypt (staging)"), header.indexOf('CA'));
    assert.equal(row.indexOf('ec-p256'), header.indexOf('KEY'));
    assert.ok(fits(frame, 120, 30));
  });

  for (const [columns, rows] of [[60, 15], [80, 24], [120, 40], [200, 50]] as const) {
    test(`${columns}x${rows}: the hung order shows HUNG, its deadline and its keys, and the frame fits`, async () => {
      const ui = renderApp(new FakeEngine({ events: events() }), { clock: new ManualClock(T0 + 70_000), columns, rows });
      const frame = await ui.waitForText('HUNG processing');
      assert.ok(fits(frame, columns, rows), frame);
      assert.match(frame, /poll 1 · gives up in 50s/);
      assert.match(frame, /⚠ hung 1m10s, 0 polls · w (keep )?wait(ing)? · s switch( CA)? · c cancel/);
      assert.match(frame, /\? help/);
    });
  }

  test('below the minimum: a "terminal too small" notice that fits; growing back shows the screen with no stale line', async () => {
    const ui = renderApp(new FakeEngine({ events: events() }), { clock: new ManualClock(T0 + 120_000), columns: 100, rows: 30 });
    await ui.waitForText('HUNG processing');
    ui.resize(40, 10);
    let frame = await ui.waitForText('Terminal too small');
    assert.match(frame.replace(/\n/g, ' '), /Terminal too small \(40x10\): certdeck needs at least 60x15/);
    assert.ok(fits(frame, 40, 10), frame);
    ui.resize(100, 30);
    frame = await ui.waitForText('HUNG processing');
    assert.doesNotMatch(frame, /too small/);
    assert.ok(fits(frame, 100, 30));
  });

  test('the deploy view has column headers', async () => {
    const engine = new FakeEngine({ events: [certKnown(certificate('example.com'))], deployTargets: { 'example.com': [{ id: 'files', kind: 'files', label: 'files -> /srv' }] } });
    const ui = renderApp(engine, { clock: new ManualClock(T0), columns: 100, rows: 30 });
    await ui.waitForText('› ✔ example.com');
    ui.press('d');
    const frame = await ui.waitForText('files -> /srv');
    assert.match(frame, /^ {4}KIND +TARGET +LATEST RESULT/m);
  });
});
