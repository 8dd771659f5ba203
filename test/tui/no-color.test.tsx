import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

// Colour support is decided when chalk loads: force it on first, so that "no escape codes" below is a real
// difference made by NO_COLOR and not just a test process without a terminal.
process.env['FORCE_COLOR'] = '3';
const { cleanup } = await import('ink-testing-library');
const { ManualClock } = await import('../../src/engine/core/clock.js');
const { colorAllowed } = await import('../../src/tui/theme.js');
const { FakeEngine } = await import('../support/fake-engine.js');
const { renderApp } = await import('../support/render.js');
const { DEFAULT_POLICY } = await import('../../src/engine/policy.js');
const { T0, certKnown, certificate, hung, processingOrder } = await import('./fixtures.js');

afterEach(() => cleanup());

const ESC = '\u001B';

function scenario() {
  return new FakeEngine({
    events: [
      certKnown(certificate('example.com')),
      ...processingOrder('o1', { domains: ['api.example.org'], policy: { ...DEFAULT_POLICY, hungAfterMs: 60_000 } }),
      hung('o1', T0, 3, T0),
    ],
  });
}

describe('NO_COLOR', () => {
  test('with colour on, statuses are coloured (the control case)', async () => {
    const ui = renderApp(scenario(), { clock: new ManualClock(), color: true });
    const frame = await ui.waitForText('HUNG');
    assert.ok(frame.includes(`${ESC}[`), 'expected escape codes with colour on');
  });

  test('with colour off, no screen sends a single escape code, and meaning survives in symbols and words', async () => {
    const ui = renderApp(scenario(), { clock: new ManualClock(), color: false });
    let frame = await ui.waitForText('HUNG');
    assert.ok(!frame.includes(ESC), `escape code in:\n${JSON.stringify(frame)}`);
    assert.match(frame, /⚠ api\.example\.org/);
    ui.press('j');
    ui.press('s');
    frame = await ui.waitForText('Switch CA');
    assert.ok(!frame.includes(ESC));
    ui.press('\u001B');
    await ui.waitForFrame((f) => !f.includes('Switch CA'), 'the picker to close');
    ui.press('n');
    frame = await ui.waitForText('New certificate');
    await ui.type('ab');
    frame = await ui.waitForText('ab_');
    assert.ok(!frame.includes(ESC), `escape code in the form:\n${JSON.stringify(frame)}`);
  });

  test('NO_COLOR set to anything but empty turns colour off; FORCE_COLOR=0 too', () => {
    assert.equal(colorAllowed({}), true);
    assert.equal(colorAllowed({ NO_COLOR: '1' }), false);
    assert.equal(colorAllowed({ NO_COLOR: '' }), true);
    assert.equal(colorAllowed({ FORCE_COLOR: '0' }), false);
  });
});
