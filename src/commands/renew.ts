import { createRuntime } from '../app/runtime.js';
import type { Clock } from '../engine/core/clock.js';
import { BadInputError, EngineError, EXIT_CODES } from '../engine/core/errors.js';
import { parseDuration } from '../engine/policy.js';
import type { RenewResult } from '../engine/api.js';
import { humanReporter, ndjsonReporter } from '../headless/reporters.js';
import { cancelOnSignals, reportEngineError, type CommandIo } from './io.js';
import type { RenewCliOptions } from './renew.cli.js';

/**
 * Exit code of a renew run: 0 when nothing failed (renewed or not due), 10 when every problem (a failed renewal,
 * or one still waiting for its next attempt) left a certificate that is still valid, 3 otherwise; 2 when the only
 * problems are bad input (an unknown name), 130 when cancelled.
 */
export function exitCodeForRenew(results: RenewResult[]): number {
  const problems = results.filter((r) => r.action === 'failed' || r.action === 'backoff');
  if (problems.length === 0) return EXIT_CODES.ok;
  if (problems.some((r) => r.error?.kind === 'cancelled')) return EXIT_CODES.cancelled;
  if (problems.every((r) => r.error?.kind === 'bad-input' && !r.issue)) return EXIT_CODES.badInput;
  if (problems.every((r) => r.certificateStillValid === true)) return EXIT_CODES.renewalFailedStillValid;
  return EXIT_CODES.partial;
}

export interface RenewCommandDeps {
  /** A test's clock (the jitter sleeps on it, decisions read its "now"). @default the system clock */
  clock?: Clock;
  random?: () => number;
}

/** `certdeck renew`: the engine decides what is due and renews it; this prints what happened and the exit code. */
export async function runRenewCommand(names: string[], opts: RenewCliOptions, io: CommandIo, deps: RenewCommandDeps = {}): Promise<number> {
  let jitterMs = 0;
  let runtime: Awaited<ReturnType<typeof createRuntime>>;
  try {
    if (opts.jitter !== undefined) {
      const ms = parseDuration(opts.jitter);
      if (ms === undefined) throw new BadInputError('bad-duration', `--jitter ${JSON.stringify(opts.jitter)} is not a duration.`, 'Use a number with s, m or h (e.g. 30m, 1h); a bare number is seconds.');
      jitterMs = ms;
    }
    runtime = await createRuntime(io.env, deps.clock ? { clock: deps.clock } : {});
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  }
  const { engine, clock } = runtime;
  const json = opts.json ?? false;
  const write = (line: string): void => void io.stdout.write(line);
  const abort = new AbortController();
  const releaseSignals = cancelOnSignals(abort, engine);
  const stopReporting = engine.onEvent(json ? ndjsonReporter(write) : humanReporter(write, { verbose: opts.verbose ?? false }));
  try {
    if (jitterMs > 0) {
      const delay = Math.floor((deps.random ?? Math.random)() * jitterMs);
      if (!json) write(`Waiting ${Math.round(delay / 1000)}s first (--jitter ${opts.jitter}).\n`);
      try {
        await clock.sleep(delay, abort.signal);
      } catch {
        return EXIT_CODES.cancelled;
      }
    }
    const results = await engine.renew({ ...(names.length ? { names } : {}), force: opts.force ?? false }, abort.signal);
    stopReporting();
    const code = exitCodeForRenew(results);
    if (json) {
      write(`${JSON.stringify({ type: 'summary', exitCode: code, results })}\n`);
    } else {
      if (results.length === 0) write('No certificates to renew yet (certdeck list shows what certdeck manages).\n');
      for (const r of results) {
        const line = summaryLine(r);
        if (r.action === 'failed') io.stderr.write(line);
        else write(line);
      }
    }
    return code;
  } finally {
    stopReporting();
    releaseSignals();
    await engine.close();
  }
}

function summaryLine(r: RenewResult): string {
  const iso = (ms: number): string => new Date(ms).toISOString();
  switch (r.action) {
    case 'renewed':
      return `RENEWED ${r.certName}: ${r.issue?.certificateDir ?? ''}${r.replaces ? ` (replaces ${r.replaces})` : ''}\n`;
    case 'not-due':
      return `OK ${r.certName}: not due until ${r.plan ? iso(r.plan.dueAt) : '?'}${r.plan?.source === 'ari' ? ' (ARI)' : ''}\n`;
    case 'backoff':
      return `WAITING ${r.certName}: renewal failed ${r.plan?.retry?.failures ?? ''} time(s); next attempt at ${r.plan?.retry ? iso(r.plan.retry.nextAttemptAt) : '?'} (--force to try now)\n`;
    case 'failed':
      return `FAILED ${r.certName}: ${r.error?.message ?? 'unknown error'}${r.error?.hint ? `\n  what to do: ${r.error.hint}` : ''}${r.plan?.retry ? `\n  next attempt at ${iso(r.plan.retry.nextAttemptAt)}` : ''}\n`;
  }
}
