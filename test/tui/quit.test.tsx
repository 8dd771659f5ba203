import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, finished, processingOrder } from './fixtures.js';

afterEach(() => cleanup());

function twoRunning() {
  return new FakeEngine({
    events: [...processingOrder('o1', { domains: ['a.example'] }), ...processingOrder('o2', { domains: ['b.example'], caId: 'zerossl', caName: 'ZeroSSL' })],
  });
}

describe('quitting', () => {
  test('q with nothing running exits at once with 0', async () => {
    const engine = new FakeEngine({ events: [...processingOrder('o1'), finished('o1', 'valid', T0)] });
    const ui = renderApp(engine, { clock: new ManualClock() });
    await ui.waitForText('done');
    ui.press('q');
    assert.equal(await ui.waitForExit(), 0);
    assert.deepEqual(engine.calls, []);
  });

  test('q while orders run asks; Esc stays', async () => {
    const engine = twoRunning();
    const ui = renderApp(engine, { clock: new ManualClock() });
    await ui.waitForText('b.example');
    ui.press('q');
    const frame = await ui.waitForText('2 orders are still running: a.example, b.example');
    assert.match(frame, /c cancel them and quit/);
    assert.match(frame, /l leave them: stop now, resume on the next run, and quit/);
    ui.press(KEYS.escape);
    await ui.waitForFrame((f) => !f.includes('still running'), 'the prompt to close');
    assert.equal(ui.exitCode(), undefined);
    assert.deepEqual(engine.calls, []);
  });

  test('c cancels every running order, then exits', async () => {
    const engine = twoRunning();
    const ui = renderApp(engine, { clock: new ManualClock() });
    await ui.waitForText('b.example');
    ui.press('q');
    await ui.waitForText('still running');
    ui.press('c');
    assert.equal(await ui.waitForExit(), 0);
    assert.deepEqual(
      engine.callsOf('cancel').map((args) => args[0]),
      ['o1', 'o2'],
    );
    assert.deepEqual(engine.callsOf('close'), []);
  });

  test('l leaves them to resume: the engine is closed (journals kept), then the UI exits', async () => {
    const engine = twoRunning();
    const ui = renderApp(engine, { clock: new ManualClock() });
    await ui.waitForText('b.example');
    ui.press('q');
    await ui.waitForText('still running');
    ui.press('l');
    assert.equal(await ui.waitForExit(), 0);
    assert.deepEqual(engine.callsOf('close'), [[]]);
    assert.deepEqual(engine.callsOf('cancel'), []);
  });

  test('Ctrl+C asks too, and a second Ctrl+C leaves the orders to resume and exits 130', async () => {
    const engine = twoRunning();
    const ui = renderApp(engine, { clock: new ManualClock() });
    await ui.waitForText('b.example');
    ui.press(KEYS.ctrlC);
    await ui.waitForText('still running');
    ui.press(KEYS.ctrlC);
    assert.equal(await ui.waitForExit(), 130);
    assert.deepEqual(engine.callsOf('close'), [[]]);
  });

  test('a close that never finishes is bounded by the clock', async () => {
    const clock = new ManualClock();
    const engine = twoRunning();
    engine.close = () => new Promise<void>(() => undefined);
    const ui = renderApp(engine, { clock });
    await ui.waitForText('b.example');
    ui.press('q');
    await ui.waitForText('still running');
    ui.press('l');
    await ui.waitForText('resume from the journal on the next run');
    assert.equal(ui.exitCode(), undefined);
    await clock.advance(10_000);
    assert.equal(await ui.waitForExit(), 0);
  });
});
