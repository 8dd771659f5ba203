import { EngineError, EXIT_CODES } from '../engine/core/errors.js';
import { validateDomain } from '../engine/names.js';
import { createRuntime } from '../app/runtime.js';
import type { Engine } from '../engine/engine.js';
import { reportEngineError } from './io.js';

/**
 * `certdeck` with no command: the interactive dashboard on a terminal. Without a terminal (cron, pipes) there
 * is nothing to show, so it says how to use the headless commands instead.
 */
export async function runDashboard(opts: { tui: boolean; setup?: 'always' | 'if-empty' }): Promise<number> {
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
  const { renewalScheduler } = await import('./schedule.js');
  await engine.loadCertificates();
  // A cron renewal or a CLI run in another shell shows up here by itself.
  engine.watchStore();
  // A home with no certificate and no account has nothing to show: the guided setup is the first thing to do.
  const setup = opts.setup === 'always' || (await isEmptyHome(engine));
  let setupCommands: string[] | undefined;
  try {
    return await runTui(engine, {
      clock,
      mode: {
        kind: 'dashboard',
        ...(setup ? { setup: true } : {}),
        ...(process.env.CERTDECK_HOME ? { home: runtime.home } : {}),
        onSetupCommands: (lines) => {
          setupCommands = lines;
        },
        renewalScheduler: renewalScheduler(process.env),
      },
      validateDomain: (raw) => validateDomain(raw, { wildcardAllowed: false }),
    });
  } finally {
    await engine.close();
    // The dashboard's alternate screen is gone by now: printed here, the setup's commands stay in the scrollback.
    if (setupCommands?.length) process.stdout.write(`The setup's plan as headless commands (for scripts or another machine):\n${setupCommands.map((l) => `  ${l}\n`).join('')}`);
  }
}

async function isEmptyHome(engine: Engine): Promise<boolean> {
  const snapshot = engine.getSnapshot();
  if (Object.keys(snapshot.certificates).length > 0 || snapshot.orderIds.length > 0) return false;
  const accounts = await engine.listAccounts().catch(() => [{}]);
  return accounts.length === 0;
}
