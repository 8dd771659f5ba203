/**
 * Run by react-build.test.ts in a fresh process: runs the TUI once (an `issue` view whose run is already done, on
 * fake terminal streams) and prints which React builds got loaded and NODE_ENV afterwards, as one JSON line.
 */
import { createRequire } from 'node:module';
import { ManualClock } from '../../src/engine/core/clock.js';
import { runTui } from '../../src/tui/render-tui.js';
import { FakeEngine } from '../support/fake-engine.js';
import { FakeTtyIn, FakeTtyOut } from '../support/fake-tty.js';

const code = await runTui(new FakeEngine(), {
  clock: new ManualClock(),
  mode: { kind: 'issue', done: Promise.resolve(0) },
  validateDomain: (raw) => ({ ok: true, name: raw }),
  stdout: new FakeTtyOut() as unknown as NodeJS.WriteStream,
  stderr: new FakeTtyOut() as unknown as NodeJS.WriteStream,
  stdin: new FakeTtyIn() as unknown as NodeJS.ReadStream,
});
// Only modules that ran: Node leaves unloaded placeholders for the re-exports it reads but does not take.
const builds = Object.entries(createRequire(import.meta.url).cache)
  .filter(([, m]) => m?.loaded === true)
  .map(([f]) => /(react|react-reconciler|react-jsx-runtime|scheduler)\.(production|development)\.js$/.exec(f))
  .filter((m) => m !== null)
  .map((m) => `${m[1]}:${m[2]}`);
console.log(JSON.stringify({ code, builds: [...new Set(builds)].sort(), nodeEnv: process.env.NODE_ENV ?? null }));
