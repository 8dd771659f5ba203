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
      /** The setup's renewal step: what `certdeck schedule install` would do here (absent: the cron line only). */
      renewalScheduler?: RenewalScheduler;
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

/**
 * Keeping certificates renewed on this host, as `certdeck schedule install` does it (passed in by the command that
 * starts the TUI, so the TUI touches neither systemd nor unit files itself).
 */
export interface RenewalScheduler {
  /** The systemd timer can be installed when systemd runs and certdeck runs as root; otherwise why not. */
  timer: { available: true; unitDir: string } | { available: false; why: string };
  /** The crontab line that runs `certdeck renew --jitter 1h` twice a day with this home and this certdeck. */
  cronLine: string;
  /** Writes and enables the units (the same code as `certdeck schedule install`); what it reported, line by line. */
  installTimer(): Promise<{ ok: boolean; lines: string[] }>;
}
