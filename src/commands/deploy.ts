import path from 'node:path';
import { BadInputError, EngineError, EXIT_CODES, exitCodeFor } from '../engine/core/errors.js';
import type { DeployOutcome, DeployTarget, TargetResult } from '../engine/api.js';
import type { EngineEvent } from '../engine/events.js';
import { parseDuration } from '../engine/policy.js';
import { emptySnapshot, reduce, type Snapshot } from '../engine/state.js';
import { formatSpan } from '../engine/core/duration.js';
import { formatVerifyHost, parseVerifyHost } from '../engine/deploy/host-spec.js';
import { createRuntime } from '../app/runtime.js';
import type { DeployAddCliOptions, DeployRunCliOptions } from './deploy.cli.js';
import { cancelOnSignals, type CommandIo } from './io.js';

/**
 * `certdeck deploy ...`: runs the deploy pipeline with live lines (or NDJSON) and a summary that names every target
 * that succeeded and every one that failed, and manages the per-certificate target list.
 */

export function exitCodeForDeploy(outcome: DeployOutcome['outcome']): number {
  switch (outcome) {
    case 'succeeded':
      return EXIT_CODES.ok;
    case 'partial':
      return EXIT_CODES.partial;
    case 'failed':
      return EXIT_CODES.failed;
    case 'cancelled':
      return EXIT_CODES.cancelled;
  }
}

function reportError(err: unknown, io: CommandIo): number {
  if (err instanceof EngineError) {
    io.stderr.write(`certdeck: ${err.message}\n${err.hint ? `  what to do: ${err.hint}\n` : ''}`);
    return exitCodeFor(err.kind);
  }
  throw err;
}

export async function runDeployCommand(certName: string, opts: DeployRunCliOptions, io: CommandIo): Promise<number> {
  const json = opts.json ?? false;
  let runtime;
  try {
    // Not after an issue: this run deploys, it issues nothing.
    runtime = await createRuntime(io.env, { deployAfterIssue: false });
  } catch (err) {
    return reportError(err, io);
  }
  const { engine } = runtime;
  // `certdeck deploy x | head` must not crash mid-deploy when the reader goes away: the deploy still finishes.
  let stdoutGone = false;
  const onStdoutError = (): void => {
    stdoutGone = true;
  };
  io.stdout.on('error', onStdoutError);
  const write = (text: string): void => {
    if (!stdoutGone) io.stdout.write(text);
  };
  const only = opts.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const abort = new AbortController();
  // A signal closes the engine, which cancels the running deploy (hooks killed, nothing half-written).
  const release = cancelOnSignals(abort, engine);
  const report = json ? (e: EngineEvent) => write(`${JSON.stringify(e)}\n`) : liveLines(write, opts.verbose ?? false);
  // Folded as they come (the reducer keeps only the last lines of each target's output), not collected: a hook
  // that prints millions of lines must not hold them all in memory until the summary.
  let folded: Snapshot = emptySnapshot;
  const stopReporting = engine.onEvent((e) => {
    folded = reduce(folded, e);
    report(e);
  });
  try {
    const outcome = await engine.deploy(certName, only ? { only } : {});
    const code = exitCodeForDeploy(outcome.outcome);
    if (json) write(`${JSON.stringify({ type: 'summary', exitCode: code, ...outcome })}\n`);
    else write(summary(folded, outcome));
    return code;
  } catch (err) {
    if (err instanceof BadInputError && err.code === 'nothing-to-deploy') {
      if (json) write(`${JSON.stringify({ type: 'summary', exitCode: 0, certName, outcome: 'succeeded', succeeded: 0, failed: 0, skipped: 0, message: err.message })}\n`);
      else write(`${err.message}\n`);
      return EXIT_CODES.ok;
    }
    return reportError(err, io);
  } finally {
    stopReporting();
    release();
    io.stdout.off('error', onStdoutError);
    await engine.close();
  }
}

/** Live progress: one line per status change, hook output with --verbose (and always when a target fails). */
function liveLines(write: (text: string) => void, verbose: boolean): (e: EngineEvent) => void {
  const width = { id: 8 };
  const buffered = new Map<string, string[]>();
  return (e) => {
    switch (e.type) {
      case 'deploy:started':
        width.id = Math.max(8, ...e.targets.map((t) => t.id.length));
        write(`deploy ${e.certName}: ${e.targets.length} target${e.targets.length === 1 ? '' : 's'} (run ${e.runId.slice(0, 8)})\n`);
        return;
      case 'deploy:log':
        if (verbose) write(`  ${e.targetId.padEnd(width.id)} | ${e.line}\n`);
        else buffered.set(e.targetId, [...(buffered.get(e.targetId) ?? []), e.line].slice(-5));
        return;
      case 'deploy:target': {
        if (e.status === 'waiting') return;
        const who = `  ${e.targetId.padEnd(width.id)} ${e.domain ? `${e.domain}: ` : ''}`;
        if (e.status === 'running') {
          if (!e.domain) write(`${who}running${e.attempt && e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}\n`);
          return;
        }
        write(`${who}${e.status}${e.reason && !e.domain ? `: ${e.reason}` : e.reason ? ` (${e.reason})` : ''}\n`);
        // Without --verbose, a failed target's last output lines are still what explains it.
        if (!verbose && !e.domain && (e.status === 'failed' || e.status === 'timed-out')) {
          for (const line of buffered.get(e.targetId) ?? []) write(`  ${e.targetId.padEnd(width.id)} | ${line}\n`);
        }
        buffered.delete(e.targetId);
        return;
      }
      case 'log':
        write(`${e.level}: ${e.message}\n`);
        return;
      default:
        return;
    }
  };
}

const MARK: Record<string, string> = {
  succeeded: 'ok',
  failed: 'FAILED',
  'timed-out': 'TIMEOUT',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/**
 * The summary is folded from the same events by the shared reducer, so it says exactly what the live lines (and the
 * TUI) said about each target.
 */
function summary(folded: Snapshot, outcome: DeployOutcome): string {
  const run = folded.deploys[outcome.runId];
  if (!run) return '';
  const idWidth = Math.max(8, ...run.targets.map((t) => t.id.length));
  const lines = [`\n${outcome.certName}: deploy ${outcome.outcome} — ${outcome.succeeded} succeeded, ${outcome.failed} failed, ${outcome.skipped} skipped or cancelled`];
  for (const t of run.targets) {
    const took = t.startedAt !== undefined && t.endedAt !== undefined ? ` in ${formatSpan(t.endedAt - t.startedAt)}` : '';
    const detail = t.status === 'succeeded' ? took : t.reason ? ` — ${t.reason}` : '';
    lines.push(`  ${(MARK[t.status] ?? t.status).padEnd(9)} ${t.id.padEnd(idWidth)} ${t.label}${detail}`);
  }
  if (outcome.outcome !== 'succeeded') lines.push(`retry what did not succeed: certdeck deploy ${outcome.certName} --only failed`);
  return `${lines.join('\n')}\n`;
}

function durationOption(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new BadInputError('bad-duration', `${flag} "${text}" is not a duration`, 'Use e.g. 500ms, 30s, 2m (a bare number means seconds).');
  return ms;
}

function modeOption(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(?:0o?)?([0-7]{3})$/.exec(text);
  if (!m) throw new BadInputError('bad-mode', `${flag} "${text}" is not an octal file mode`, 'Use three octal digits, e.g. 600 or 640.');
  return parseInt(m[1]!, 8);
}

function intOption(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new BadInputError('bad-number', `${flag} "${text}" is not a whole number`);
  return Number(text);
}

const KIND_OPTIONS: Record<string, Array<keyof DeployAddCliOptions>> = {
  files: ['dir', 'certPath', 'chainPath', 'fullchainPath', 'keyPath', 'owner', 'keyMode', 'certMode'],
  command: ['cwd', 'killGrace'],
  pfx: ['out', 'passwordEnv', 'friendlyName', 'legacy'],
  verify: ['host', 'interval', 'caBundle'],
};

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Turns flags into the stored target shape; the schema check and the machine check come after. */
export function targetInputFromFlags(kind: string, argv: string[], opts: DeployAddCliOptions): Record<string, unknown> {
  for (const [k, keys] of Object.entries(KIND_OPTIONS)) {
    if (k === kind) continue;
    for (const key of keys) {
      if (opts[key] !== undefined) throw new BadInputError('bad-option', `${flagName(key)} only applies to ${k} targets, not ${kind}`);
    }
  }
  if (kind !== 'command' && argv.length > 0) throw new BadInputError('bad-option', `unexpected arguments for a ${kind} target: ${argv.join(' ')}`);
  const abs = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.resolve(p));
  const common: Record<string, unknown> = {
    kind,
    ...(opts.id === undefined ? {} : { id: opts.id }),
    ...(opts.label === undefined ? {} : { label: opts.label }),
    ...(opts.timeout === undefined ? {} : { timeoutMs: durationOption(opts.timeout, '--timeout') }),
    ...(opts.stopOnFailure ? { continueOnFailure: false } : {}),
  };
  const retries = intOption(opts.retries, '--retries');
  const backoff = durationOption(opts.retryBackoff, '--retry-backoff');
  if (retries !== undefined || backoff !== undefined) {
    common.retries = { ...(retries === undefined ? {} : { count: retries }), ...(backoff === undefined ? {} : { backoffMs: backoff }) };
  }
  switch (kind) {
    case 'files': {
      const paths = Object.fromEntries(
        (
          [
            ['cert', opts.certPath],
            ['chain', opts.chainPath],
            ['fullchain', opts.fullchainPath],
            ['key', opts.keyPath],
          ] as const
        )
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, abs(v)]),
      );
      if (opts.dir === undefined && Object.keys(paths).length === 0) {
        throw new BadInputError('missing-option', 'a files target needs --dir DIR (or --cert-path/--key-path/...)');
      }
      return {
        ...common,
        ...(opts.dir === undefined ? {} : { dir: abs(opts.dir) }),
        ...(Object.keys(paths).length ? { paths } : {}),
        ...(opts.owner === undefined ? {} : { owner: opts.owner }),
        ...(opts.keyMode === undefined ? {} : { keyMode: modeOption(opts.keyMode, '--key-mode') }),
        ...(opts.certMode === undefined ? {} : { certMode: modeOption(opts.certMode, '--cert-mode') }),
      };
    }
    case 'command':
      if (argv.length === 0) throw new BadInputError('missing-option', 'a command target needs the program after --, e.g. -- /usr/sbin/nginx -s reload');
      return {
        ...common,
        // A relative program path would be looked up from wherever cron happens to start certdeck; pin it now.
        argv: argv[0]!.includes('/') ? [path.resolve(argv[0]!), ...argv.slice(1)] : argv,
        ...(opts.cwd === undefined ? {} : { cwd: abs(opts.cwd) }),
        ...(opts.killGrace === undefined ? {} : { killGraceMs: durationOption(opts.killGrace, '--kill-grace') }),
      };
    case 'pfx':
      if (opts.out === undefined) throw new BadInputError('missing-option', 'a pfx target needs --out FILE');
      if (opts.passwordEnv === undefined) throw new BadInputError('missing-option', 'a pfx target needs --password-env VAR (the variable that holds the password when deploy runs)');
      return {
        ...common,
        out: abs(opts.out),
        passwordEnv: opts.passwordEnv,
        ...(opts.friendlyName === undefined ? {} : { friendlyName: opts.friendlyName }),
        algorithm: opts.legacy ? '3des' : 'aes256',
      };
    case 'verify':
      return {
        ...common,
        // Parsed here so a malformed host is reported in the user's own spelling.
        hosts: (opts.host ?? []).map((h) => parseVerifyHost(h)),
        ...(opts.interval === undefined ? {} : { intervalMs: durationOption(opts.interval, '--interval') }),
        ...(opts.caBundle === undefined ? {} : { caBundle: abs(opts.caBundle) }),
      };
    default:
      throw new BadInputError('bad-kind', `unknown target kind "${kind}"`, 'Use files, command, pfx or verify.');
  }
}

export async function runDeployAddCommand(certName: string, kind: string, argv: string[], opts: DeployAddCliOptions, io: CommandIo): Promise<number> {
  let engine: Awaited<ReturnType<typeof createRuntime>>['engine'] | undefined;
  try {
    const input = targetInputFromFlags(kind, argv, opts);
    ({ engine } = await createRuntime(io.env));
    const { target, warnings, file } = await engine.addDeployTargetSpec(certName, input);
    for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
    if (opts.json) io.stdout.write(`${JSON.stringify(target)}\n`);
    else io.stdout.write(`added ${target.id} to ${certName}: ${describeTarget(target)}\n  (${file})\n`);
    return EXIT_CODES.ok;
  } catch (err) {
    return reportError(err, io);
  } finally {
    // A shared storage holds a connection open until closed.
    await engine?.close();
  }
}

export async function runDeployListCommand(certName: string, opts: { json?: boolean }, io: CommandIo): Promise<number> {
  let engine: Awaited<ReturnType<typeof createRuntime>>['engine'] | undefined;
  try {
    ({ engine } = await createRuntime(io.env));
    const { targets, file } = await engine.describeDeployTargets(certName);
    if (opts.json) {
      io.stdout.write(`${JSON.stringify({ certName, file, targets })}\n`);
      return EXIT_CODES.ok;
    }
    if (targets.length === 0) {
      io.stdout.write(`${certName} has no deploy targets. Add one with: certdeck deploy add ${certName} files --dir DIR\n`);
      return EXIT_CODES.ok;
    }
    const idWidth = Math.max(...targets.map((t) => t.id.length));
    io.stdout.write(`${certName}: ${targets.length} deploy target${targets.length === 1 ? '' : 's'} (${file})\n`);
    for (const t of targets) {
      io.stdout.write(`  ${t.id.padEnd(idWidth)}  ${describeTarget(t)}\n  ${' '.repeat(idWidth)}  last run: ${describeResult(t.lastResult ?? undefined)}\n`);
    }
    return EXIT_CODES.ok;
  } catch (err) {
    return reportError(err, io);
  } finally {
    // A shared storage holds a connection open until closed.
    await engine?.close();
  }
}

export async function runDeployRemoveCommand(certName: string, id: string, io: CommandIo): Promise<number> {
  let engine: Awaited<ReturnType<typeof createRuntime>>['engine'] | undefined;
  try {
    ({ engine } = await createRuntime(io.env));
    const removed = await engine.removeDeployTargetSpec(certName, id);
    io.stdout.write(`removed ${removed.id} from ${certName}: ${describeTarget(removed)}\n`);
    return EXIT_CODES.ok;
  } catch (err) {
    return reportError(err, io);
  } finally {
    // A shared storage holds a connection open until closed.
    await engine?.close();
  }
}

function describeTarget(t: DeployTarget): string {
  const extra: string[] = [`timeout ${formatSpan(t.timeoutMs)}`];
  if (t.retries.count > 0) extra.push(`${t.retries.count} retr${t.retries.count === 1 ? 'y' : 'ies'}`);
  if (!t.continueOnFailure) extra.push('stops later targets on failure');
  switch (t.kind) {
    case 'files':
      if (t.owner) extra.push(`owner ${t.owner}`);
      extra.push(`key ${t.keyMode.toString(8)}, certs ${t.certMode.toString(8)}`);
      break;
    case 'command':
      extra.push(`argv ${JSON.stringify(t.argv)}`);
      break;
    case 'pfx':
      extra.push(t.passwordEnv ? `password from $${t.passwordEnv}` : 'password stored in the targets file', t.algorithm);
      break;
    case 'verify':
      extra.push(t.hosts.length ? t.hosts.map(formatVerifyHost).join(' ') : 'every name on :443');
      break;
  }
  return `${t.kind}  ${t.label}  (${extra.join('; ')})`;
}

function describeResult(r: TargetResult | undefined): string {
  if (!r) return 'never';
  const when = r.endedAt === undefined ? '' : ` at ${new Date(r.endedAt).toISOString()}`;
  return `${r.status}${when}${r.reason && r.status !== 'succeeded' ? ` — ${r.reason}` : ''}`;
}
