import { systemClock } from '../engine/core/clock.js';
import { EXIT_CODES } from '../engine/core/errors.js';
import { validateDomain } from '../engine/names.js';
import { createRuntime } from '../app/runtime.js';

/**
 * `certdeck` with no command: the interactive dashboard on a terminal. Without a terminal (cron, pipes) there
 * is nothing to show, so it says how to use the headless commands instead.
 */
export async function runDashboard(opts: { tui: boolean }): Promise<number> {
  if (!opts.tui || !process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('certdeck: the dashboard needs a terminal. For scripts and cron use the headless commands, e.g.\n  certdeck issue example.com --ca letsencrypt --json\nSee certdeck --help.\n');
    return EXIT_CODES.badInput;
  }
  const { runTui } = await import('../tui/render-tui.js');
  const { engine } = createRuntime(process.env);
  await engine.loadCertificates();
  // A cron renewal or a CLI run in another shell shows up here by itself.
  engine.watchStore();
  try {
    return await runTui(engine, {
      clock: systemClock,
      mode: { kind: 'dashboard' },
      validateDomain: (raw) => validateDomain(raw, { wildcardAllowed: false }),
    });
  } finally {
    await engine.close();
  }
}
