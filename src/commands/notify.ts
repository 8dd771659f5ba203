import path from 'node:path';
import type { NotifierInfo, NotifierInput, NotifyEventKind } from '../engine/api.js';
import { NOTIFY_EVENTS } from '../engine/api.js';
import { BadInputError, EngineError, EXIT_CODES } from '../engine/core/errors.js';
import { parseDuration } from '../engine/policy.js';
import { reportEngineError, withEngine, type CommandIo } from './io.js';
import type { NotifyAddCliOptions } from './notify.cli.js';

/** `certdeck notify ...`: manages notifiers through the Engine; never prints a secret (URLs come redacted). */

export function notifierInputFromFlags(kind: 'webhook' | 'command', target: string[], opts: NotifyAddCliOptions): NotifierInput {
  const events = opts.events?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of events ?? []) {
    if (!(NOTIFY_EVENTS as readonly string[]).includes(e)) throw new BadInputError('bad-notify-event', `--events: unknown event "${e}"`, `Use any of: ${NOTIFY_EVENTS.join(', ')}.`);
  }
  const common = {
    ...(opts.id === undefined ? {} : { id: opts.id }),
    ...(opts.cert ? { certificates: opts.cert } : {}),
    ...(events?.length ? { events: events as NotifyEventKind[] } : {}),
    ...(opts.timeout === undefined ? {} : { timeoutMs: duration(opts.timeout, '--timeout') }),
    ...(opts.expiringDays === undefined ? {} : { expiringWithinDays: wholeNumber(opts.expiringDays, '--expiring-days', 1, 3650) }),
  };
  if (kind === 'webhook') {
    if (target.length !== 1) throw new BadInputError('missing-url', target.length ? `a webhook takes one URL, not ${target.length} arguments` : 'a webhook needs its URL, e.g. notify add webhook https://hooks.example.net/certdeck');
    return {
      kind,
      url: target[0]!,
      ...common,
      ...(opts.attempts === undefined ? {} : { maxAttempts: wholeNumber(opts.attempts, '--attempts', 1, 10) }),
      ...(opts.secretFile === undefined ? {} : { secretFile: path.resolve(opts.secretFile) }),
      ...(opts.secretEnv === undefined ? {} : { secretEnv: opts.secretEnv }),
    };
  }
  for (const flag of ['attempts', 'secretFile', 'secretEnv'] as const) {
    if (opts[flag] !== undefined) throw new BadInputError('bad-option', `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} only applies to webhook notifiers`);
  }
  if (target.length === 0) throw new BadInputError('missing-command', 'a command notifier needs the program after --, e.g. notify add command -- /usr/local/bin/page-oncall');
  // A relative program path would be looked up from wherever cron happens to start certdeck; pin it now.
  return { kind, argv: target[0]!.includes('/') ? [path.resolve(target[0]!), ...target.slice(1)] : target, ...common };
}

export async function runNotifyAddCommand(kind: 'webhook' | 'command', target: string[], opts: NotifyAddCliOptions, io: CommandIo): Promise<number> {
  let input: NotifierInput;
  try {
    input = notifierInputFromFlags(kind, target, opts);
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  }
  return withEngine(io, async (engine) => {
    const { notifier, warnings } = await engine.addNotifier(input);
    if (opts.json) io.stdout.write(`${JSON.stringify({ notifier, warnings })}\n`);
    else io.stdout.write(`added ${notifier.id}: ${describe(notifier)}\n`);
    for (const w of warnings) io.stderr.write(`certdeck: warning: ${w}\n`);
    return EXIT_CODES.ok;
  });
}

export async function runNotifyListCommand(opts: { json?: boolean }, io: CommandIo): Promise<number> {
  return withEngine(io, async (engine) => {
    const notifiers = await engine.listNotifiers();
    if (opts.json) {
      io.stdout.write(`${JSON.stringify({ notifiers })}\n`);
    } else if (notifiers.length === 0) {
      io.stdout.write('No notifiers. Add one with: certdeck notify add webhook URL  (or: certdeck notify add command -- PROGRAM ARGS...)\n');
    } else {
      for (const n of notifiers) io.stdout.write(`${n.id}  ${describe(n)}\n`);
    }
    return EXIT_CODES.ok;
  });
}

export async function runNotifyRemoveCommand(id: string, io: CommandIo): Promise<number> {
  return withEngine(io, async (engine) => {
    const gone = await engine.removeNotifier(id);
    io.stdout.write(`removed ${gone.id}: ${gone.kind} ${gone.target}\n`);
    return EXIT_CODES.ok;
  });
}

export async function runNotifyTestCommand(id: string | undefined, opts: { json?: boolean }, io: CommandIo): Promise<number> {
  return withEngine(io, async (engine) => {
    const results = await engine.testNotifiers(id);
    const failed = results.filter((r) => !r.ok).length;
    const code = failed === 0 ? EXIT_CODES.ok : failed === results.length ? EXIT_CODES.failed : EXIT_CODES.partial;
    if (opts.json) io.stdout.write(`${JSON.stringify({ exitCode: code, results })}\n`);
    else for (const r of results) io.stdout.write(`${r.ok ? 'ok    ' : 'FAILED'} ${r.notifierId}: ${r.detail}${r.ok && r.attempts > 1 ? ` (after ${r.attempts} attempts)` : ''}\n`);
    return code;
  });
}

function describe(n: NotifierInfo): string {
  const parts = [`${n.kind} ${n.target}`];
  parts.push(`events: ${n.events === 'all' ? 'all' : n.events.join(',')}`);
  parts.push(`certificates: ${n.certificates === 'all' ? 'all' : n.certificates.join(',')}`);
  if (n.kind === 'webhook') parts.push(n.signedWith ? `signed (secret from ${n.signedWith})` : 'unsigned');
  return parts.join('; ');
}

function duration(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 100 || ms > 600_000) throw new BadInputError('bad-duration', `${flag} "${text}" is not a duration between 100ms and 10m`, 'Use e.g. 500ms, 10s, 2m (a bare number means seconds).');
  return ms;
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new BadInputError('bad-number', `${flag} "${text}" must be a whole number from ${min} to ${max}`);
  return n;
}
