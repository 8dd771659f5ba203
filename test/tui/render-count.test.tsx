import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import { FakeEngine } from '../support/fake-engine.js';
import { renderApp } from '../support/render.js';
import { processingOrder, T0, waitScheduled } from './fixtures.js';

afterEach(() => cleanup());

const settle = () => new Promise((resolve) => setTimeout(resolve, 60));

/** Frames drawn (ink-testing-library records one per commit), ignoring the unmount's empty writes. */
const drawn = (frames: string[]) => frames.filter((f) => f !== '' && f !== '\n').length;

/** The dashboard showing one processing order, settled: nothing left to draw. */
async function dashboardWithOneOrder() {
  const clock = new ManualClock();
  const engine = new FakeEngine({ events: processingOrder('o1', { domains: ['api.example.org'], delayMs: 8000 }) });
  const ui = renderApp(engine, { clock });
  await ui.waitForText('next poll in 8s');
  await settle();
  return { clock, engine, ui };
}

describe('frames per change', () => {
  test('one snapshot change is one frame, however many components read the snapshot', async () => {
    const { clock, engine, ui } = await dashboardWithOneOrder();
    // The dashboard and the session both read the snapshot.
    const before = drawn(ui.frames);
    engine.emit(waitScheduled('o1', { at: T0, delayMs: 30_000, reason: 'retry-after', attempt: 2 }));
    await ui.waitForText('next poll in 30s');
    await settle();
    assert.equal(drawn(ui.frames) - before, 1);
  });

  test('one clock tick is one frame', async () => {
    const { clock, engine, ui } = await dashboardWithOneOrder();
    const before = drawn(ui.frames);
    await clock.advance(1000);
    await ui.waitForText('next poll in 7s');
    await settle();
    assert.equal(drawn(ui.frames) - before, 1);
  });
});
