import { EngineError, EXIT_CODES } from '../engine/core/errors.js';
import { validateDomain } from '../engine/names.js';
import { createRuntime } from '../app/runtime.js';
import { reportEngineError } from './io.js';

/**
 * `certdeck` with no command: the interactive dashboard on a terminal. Without a terminal (cron, pipes) there
 * is nothing to show, so it says how to use the headless commands instead.
 */
export async function runDashboard(opts: { tui: boolean }): Promise<number> {
  if (!opts.tui || !process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('certdeck: the dashboard needs a terminal. For scripts and cron use the headless commands, e.g.\n  certdeck issue example.com --ca letsencrypt --json\nSee certdeck --help.\n');
    return EXIT_CODES.badInput;
  }
  const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  let runtime;
  try {
    // The same root as every command: orders placed here use the settings' defaults and per-CA wait policies.
    runtime = await createRuntime(process.env);
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  }
  const { engine, clock } = runtime;
  const { runTui } = await import('../tui/render-tui.js');
  await engine.loadCertificates();
  // A cron renewal or a CLI run in another shell shows up here by itself.
  engine.watchStore();
  try {
    return await runTui(engine, {
      clock,
      mode: { kind: 'dashboard' },
      validateDomain: (raw) => validateDomain(raw, { wildcardAllowed: false }),
    });
  } finally {
    await engine.close();
  }
}
