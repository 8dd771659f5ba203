import type { Clock } from '../engine/core/clock.js';
import { formatSpan } from '../engine/core/duration.js';
import { ConfigError, TimeoutError } from '../engine/core/errors.js';
import { logTail, type SandboxProcess } from './processes.js';

const PROBE_INTERVAL_MS = 50;

/**
 * Polls `probe` until it says the listener answers, bounded by `timeoutMs`. Fails at once, with the end of its
 * log, if the process behind it exits (a busy port, a bad config), and otherwise names the log file on timeout.
 */
export async function waitUntilReady(opts: {
  what: string;
  probe: () => Promise<boolean>;
  proc?: SandboxProcess;
  logPath: string;
  clock: Clock;
  timeoutMs: number;
}): Promise<void> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  for (;;) {
    if (opts.proc?.exit) {
      const { code, signal } = opts.proc.exit;
      const tail = logTail(opts.logPath);
      throw new ConfigError(
        'sandbox-process-exited',
        `${opts.what} exited while starting (${signal ?? `exit code ${code}`}).${tail ? `\n${tail}` : ''}`,
        `See ${opts.logPath} for its full output.`,
      );
    }
    if (await opts.probe().catch(() => false)) return;
    if (opts.clock.now() >= deadline) {
      throw new TimeoutError(
        'sandbox-start-timeout',
        `${opts.what} did not answer within ${formatSpan(opts.timeoutMs)}.`,
        `See ${opts.logPath} for its output.`,
      );
    }
    await opts.clock.sleep(PROBE_INTERVAL_MS);
  }
}
