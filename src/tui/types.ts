/**
 * Types shared by the TUI entry point and its screens. Kept apart from render-tui.ts so screens can import them
 * without importing the one module that touches the terminal.
 */

/** Checks one name typed by the operator; the CLI passes the engine's own validator so both agree. */
export type DomainValidator = (raw: string) => { ok: true; name: string } | { ok: false; reason: string };

/**
 * What the TUI is for this run.
 * - dashboard: `certdeck` with no arguments; runs until the operator quits.
 * - issue: `certdeck issue ...` on a TTY; shows the live view of the orders that command started and, once `done`
 *   resolves with the command's exit code, leaves a final summary on screen and exits with that code.
 */
export type TuiMode =
  /** `setup`: open the guided setup first (`certdeck setup`, or `certdeck` on an empty home); esc from it leaves. */
  | {
      kind: 'dashboard';
      setup?: boolean;
      /** The state home when it is not the default (CERTDECK_HOME): the setup's cron line must name it. */
      home?: string;
      /**
       * Told the setup's equivalent headless commands once its review is shown (again after a change), so the CLI
       * can print them on the normal screen after the UI exits, where they can be copied whole.
       */
      onSetupCommands?: (lines: string[]) => void;
    }
  | {
      kind: 'issue';
      /**
       * Orders to follow; when absent, every order not already finished when the UI started, every order queued
       * after, and their replacements.
       */
      orderIds?: string[];
      done: Promise<number>;
    };
