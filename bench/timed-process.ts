import { performance } from 'node:perf_hooks';
import { execa } from 'execa';

/** One finished child process: how long it took from spawn to exit, and what it said. */
export interface ProcessRun {
  command: string;
  args: string[];
  ms: number;
  exitCode: number | undefined;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** A hung client must not hang the benchmark. @default 120000 */
  timeoutMs?: number;
  /** Ctrl+C of the benchmark ends the child too. */
  signal?: AbortSignal;
}

/**
 * Runs a program (no shell, argument array) and times it from spawn to exit with the monotonic clock. Never
 * throws for a non-zero exit: the caller decides whether the run counts, from the exit code and the files left.
 */
export async function runTimed(command: string, args: string[], opts: RunOptions = {}): Promise<ProcessRun> {
  const start = performance.now();
  const result = await execa(command, args, {
    reject: false,
    stdin: 'ignore',
    env: opts.env ?? process.env,
    extendEnv: false,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    timeout: opts.timeoutMs ?? 120_000,
    forceKillAfterDelay: 2_000,
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  const ms = performance.now() - start;
  return {
    command,
    args,
    ms,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}

/** A client run that did not produce what it should have: the benchmark reports it instead of a number. */
export class BenchRunError extends Error {
  constructor(what: string, run?: ProcessRun) {
    super(run ? `${what}\n${describeRun(run)}` : what);
    this.name = 'BenchRunError';
  }
}

function describeRun(run: ProcessRun): string {
  const how = run.timedOut ? 'timed out' : `exit code ${run.exitCode ?? 'none (killed)'}`;
  const tail = (text: string): string => text.trim().split('\n').slice(-12).map((l) => `    ${l}`).join('\n');
  return [
    `  command: ${[run.command, ...run.args].join(' ')}`,
    `  ${how} after ${(run.ms / 1000).toFixed(2)} s`,
    run.stderr.trim() ? `  stderr (last lines):\n${tail(run.stderr)}` : '',
    run.stdout.trim() ? `  stdout (last lines):\n${tail(run.stdout)}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Throws unless the run exited 0. */
export function expectSuccess(run: ProcessRun, what: string): void {
  if (run.exitCode !== 0 || run.timedOut) throw new BenchRunError(`${what} failed`, run);
}

/** The environment for a client: ours, without knobs that would change how node or a child behaves. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  return env;
}
