import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import { CancelledError, EngineError, TimeoutError } from '../../core/errors.js';
import { killProcessGroup } from '../../deploy/process-group.js';
import { stripControl } from './text.js';

/**
 * Runs one DNS hook: no shell (argv as given), an environment that holds only PATH, HOME, LANG and the hook
 * convention's variables (never certdeck's own: CERTDECK_EAB_HMAC_KEY and friends stay out), bounded output (the
 * last lines only, control characters stripped), and on timeout or cancel its whole process group killed.
 */

/** Lines of a hook's output kept for the error message and CERTBOT_AUTH_OUTPUT. */
export const OUTPUT_TAIL_LINES = 20;
const MAX_LINE = 500;
const KILL_GRACE_MS = 2_000;
/** How long to wait for output pipes after the hook exited (a background child may still hold them). */
const STDIO_GRACE_MS = 1_000;

/** The variables a hook inherits from certdeck's environment; anything else (secrets included) is dropped. */
const INHERITED = ['PATH', 'HOME', 'LANG'] as const;

export function hookBaseEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

export interface HookRun {
  argv: [string, ...string[]];
  /** Added to hookBaseEnv(process env). */
  env: Record<string, string>;
  timeoutMs: number;
  clock: Clock;
  /** Aborting kills the hook (cancel). Cleanup hooks run without one: they must finish after a cancel. */
  signal?: AbortSignal;
  /** What the hook does, for messages: "dns-01 hook present for _acme-challenge.example.com.". */
  what: string;
  baseEnv?: NodeJS.ProcessEnv;
}

export interface HookResult {
  /** stdout, control characters stripped, last OUTPUT_TAIL_LINES lines. */
  stdout: string;
  /** The last lines of stdout and stderr together, as they came. */
  tail: string[];
}

function collect(stream: Readable | null | undefined, into: string[], also?: string[]): () => void {
  if (!stream) return () => undefined;
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', (raw) => {
    const line = stripControl(raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw);
    for (const list of also ? [into, also] : [into]) {
      list.push(line);
      if (list.length > OUTPUT_TAIL_LINES) list.shift();
    }
  });
  return () => rl.close();
}

export async function runHook(run: HookRun): Promise<HookResult> {
  const [program, ...args] = run.argv;
  if (run.signal?.aborted) throw new CancelledError(String(run.signal.reason ?? 'cancelled'));
  // Loaded on the first hook, not with the issue path: most orders never run one.
  const { execa } = await import('execa');
  const sub = execa(program, args, {
    detached: true,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    extendEnv: false,
    env: { ...hookBaseEnv(run.baseEnv ?? process.env), ...run.env },
  });
  const stdout: string[] = [];
  const tail: string[] = [];
  const closers = [collect(sub.stdout, stdout, tail), collect(sub.stderr, tail)];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => sub.once('exit', (code, signal) => resolve({ code, signal })));
  const settled = sub.then((r) => r);
  const stopTimer = new AbortController();
  const timedOut = run.clock.sleep(run.timeoutMs, stopTimer.signal).then(() => 'timeout' as const, () => 'never' as const);
  const aborted = new Promise<'aborted'>((resolve) => {
    if (!run.signal) return;
    run.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    const first = await Promise.race([exited, settled.then((r) => ({ spawnResult: r })), timedOut, aborted]);
    if (typeof first === 'object' && 'spawnResult' in first && sub.pid === undefined) {
      const code = (first.spawnResult as { code?: string }).code;
      const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable (permission denied)' : first.spawnResult.shortMessage;
      throw new EngineError('config', 'dns-hook-spawn', `Cannot run the ${run.what}: ${program} ${why}.`, {
        hint: code === 'EACCES' ? `chmod +x ${program}` : 'Give the hook as a path to an executable file (it runs without a shell).',
      });
    }
    if (first === 'timeout' || first === 'aborted') {
      if (sub.pid !== undefined) await killProcessGroup(sub.pid, exited, KILL_GRACE_MS, run.clock);
      await drain(settled, run.clock, sub);
      if (first === 'aborted') {
        const reason: unknown = run.signal?.reason;
        throw reason instanceof Error ? reason : new CancelledError(typeof reason === 'string' ? reason : 'cancelled');
      }
      throw new TimeoutError(
        'dns-hook-timeout',
        `The ${run.what} did not finish within ${Math.round(run.timeoutMs / 1000)}s and was killed${lastLines(tail)}.`,
        'Check what the hook waits for (a DNS API, a lock), or raise --dns-hook-timeout.',
      );
    }
    const exit = await exited;
    await drain(settled, run.clock, sub);
    if (exit.code !== 0) {
      const how = exit.code !== null ? `exited with code ${exit.code}` : `was killed by ${exit.signal ?? 'a signal'}`;
      throw new EngineError('config', 'dns-hook-failed', `The ${run.what} ${how}${lastLines(tail)}.`, {
        hint: 'Run the hook by hand with the same arguments to see what it needs; certdeck passes it only PATH, HOME, LANG and the hook variables.',
      });
    }
    return { stdout: stdout.join('\n').trim(), tail };
  } finally {
    stopTimer.abort();
    for (const close of closers) close();
  }
}

function lastLines(tail: string[]): string {
  const shown = tail.filter((l) => l.trim() !== '').slice(-3);
  return shown.length ? `; its last output: ${shown.join(' | ')}` : '';
}

async function drain(settled: Promise<unknown>, clock: Clock, sub: { stdout: Readable | null; stderr: Readable | null }): Promise<void> {
  const done = new AbortController();
  const late = await Promise.race([settled.then(() => false), clock.sleep(STDIO_GRACE_MS, done.signal).then(() => true, () => false)]);
  done.abort();
  if (late) {
    sub.stdout?.destroy();
    sub.stderr?.destroy();
  }
}
