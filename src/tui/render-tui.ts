import type { EngineApi } from '../engine/api.js';
import type { Clock } from '../engine/core/clock.js';
import { EXIT_CODES } from '../engine/core/errors.js';
import { loadWithProductionReact } from './react-build.js';
import type { DomainValidator, TuiMode } from './types.js';

export type { DomainValidator, TuiMode } from './types.js';

/**
 * Ink, React and the UI (anything that imports react, ink or @inkjs/ui), loaded on first use, once NODE_ENV is
 * settled (react-build.ts): that is why this file has no JSX and no static import of them.
 */
async function loadUi() {
  const [{ render }, { default: React }, { App }, { colorAllowed }] = await loadWithProductionReact(() =>
    Promise.all([import('ink'), import('react'), import('./App.js'), import('./theme.js')]),
  );
  // React is CommonJS: its exports are the default export everywhere (Node gives named ones too, a bundle does not).
  return { render, createElement: React.createElement, App, colorAllowed };
}

export interface RunTuiOptions {
  clock: Clock;
  mode: TuiMode;
  validateDomain: DomainValidator;
  /** @default process.stdout */
  stdout?: NodeJS.WriteStream;
  /** @default process.stdin */
  stdin?: NodeJS.ReadStream;
  /** @default process.stderr */
  stderr?: NodeJS.WriteStream;
  /** Colour on or off. @default off when NO_COLOR is set (no-color.org), on otherwise */
  color?: boolean;
}

/** Exit code when the UI is stopped by SIGTERM (128 + 15, as a shell reports it). */
export const SIGTERM_EXIT_CODE = 143;

/**
 * Runs the terminal UI over `engine` until the operator quits (dashboard) or the issue command is done, and
 * resolves with the exit code. The one place that calls Ink's render.
 *
 * The caller owns the engine: after this resolves, `await engine.close()` (a no-op for orders the operator
 * cancelled or left; "leave" has already closed it). Wiring, e.g. in the CLI:
 *
 *   process.exitCode = await runTui(engine, { clock, mode: { kind: 'dashboard' }, validateDomain });
 */
export async function runTui(engine: EngineApi, opts: RunTuiOptions): Promise<number> {
  const { render, createElement, App, colorAllowed } = await loadUi();
  let code: number | undefined;
  const dashboard = opts.mode.kind === 'dashboard';
  const instance = render(
    createElement(App, {
      engine,
      clock: opts.clock,
      mode: opts.mode,
      validateDomain: opts.validateDomain,
      color: opts.color ?? colorAllowed(process.env),
      onExit: (c: number) => {
        code = c;
      },
    }),
    {
      ...(opts.stdout ? { stdout: opts.stdout } : {}),
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
      ...(opts.stderr ? { stderr: opts.stderr } : {}),
      // Ctrl+C is a key like any other here: it asks what to do with running orders before leaving.
      exitOnCtrlC: false,
      patchConsole: false,
      // certdeck only opens the TUI on a terminal (headless otherwise), so a CI variable in the environment must not
      // turn a real terminal into Ink's final-frame-only mode.
      interactive: Boolean((opts.stdout ?? process.stdout).isTTY),
      // Only changed lines are redrawn, so the one-second tick does not repaint the whole screen.
      incrementalRendering: true,
      // The dashboard takes the screen and gives it back on exit; `issue` stays inline so its summary remains.
      alternateScreen: dashboard,
    },
  );
  const onSigterm = (): void => {
    code ??= SIGTERM_EXIT_CODE;
    instance.unmount();
  };
  process.once('SIGTERM', onSigterm);
  try {
    const result: unknown = await instance.waitUntilExit();
    if (typeof result === 'number') return result;
    return code ?? EXIT_CODES.ok;
  } finally {
    process.off('SIGTERM', onSigterm);
  }
}
