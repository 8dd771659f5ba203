import type { Engine } from '../engine/engine.js';
import { humanReporter } from '../headless/reporters.js';

export async function runIssueTui(engine: Engine, run: () => Promise<number>): Promise<number> {
  const stop = engine.onEvent(humanReporter((l) => void process.stdout.write(l)));
  try {
    return await run();
  } finally {
    stop();
  }
}
