import type { Engine } from '../engine/engine.js';
import { systemClock } from '../engine/core/clock.js';
import { validateDomain } from '../engine/names.js';
import { runTui } from '../tui/render-tui.js';

/**
 * `certdeck issue` on a terminal: the live view of the orders this command starts. The run starts after the
 * view is mounted so the view sees every event; the view leaves a summary and exits with the run's exit code.
 */
export async function runIssueTui(engine: Engine, run: () => Promise<number>): Promise<number> {
  const done = Promise.resolve().then(run);
  return runTui(engine, {
    clock: systemClock,
    mode: { kind: 'issue', done },
    validateDomain: (raw) => validateDomain(raw, { wildcardAllowed: false }),
  });
}
