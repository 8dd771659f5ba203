import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Clock } from '../engine/core/clock.js';
import { errnoCode } from '../engine/core/errno.js';

/** A program the sandbox started, with its output going to `logPath`. */
export interface SandboxProcess {
  name: string;
  pid: number;
  logPath: string;
  /** Present while this process is the parent; undefined for processes found through state.json. */
  child?: ChildProcess;
  /** Exit code or signal once it has exited (only known to the parent). */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logPath: string;
  cwd?: string;
  /**
   * true: its own process group, so it outlives the CLI that started it (and a Ctrl+C there). false: in our process
   * group; the caller stops it (tests). Either way it is unref'd: it never keeps this process alive by itself, so a
   * test that forgot stop() still ends (and the sandbox's exit hook then kills its children).
   */
  detached: boolean;
}

/**
 * Starts a program without a shell, stdout and stderr appended to its log file. node's spawn rather than execa:
 * these are long-lived daemons that must be able to outlive us, and nothing waits for their output.
 */
export function spawnLogged(opts: SpawnOptions): Promise<SandboxProcess> {
  const fd = openSync(opts.logPath, 'a', 0o600);
  try {
    const child = spawn(opts.command, opts.args, {
      env: opts.env,
      cwd: opts.cwd,
      detached: opts.detached,
      stdio: ['ignore', fd, fd],
    });
    return new Promise<SandboxProcess>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`could not start ${opts.name} (${opts.command}): ${err.message}`)));
      child.once('spawn', () => {
        const proc: SandboxProcess = { name: opts.name, pid: child.pid!, logPath: opts.logPath, child };
        child.once('exit', (code, signal) => (proc.exit = { code, signal }));
        child.unref();
        resolve(proc);
      });
    });
  } finally {
    // The child has its own copy of the descriptor now.
    closeSync(fd);
  }
}

/**
 * Whether `pid` is a running process. A zombie (exited, parent gone or not reaping: common in containers whose
 * init does not reap) counts as dead.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3 follows the parenthesised command name, which may itself contain spaces or parentheses.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'X') return false;
    // A multi-threaded program (Go's pebble, node) shows its main thread as a zombie while the other threads are
    // still exiting, and its sockets are only released after the last one: until then it still holds its ports.
    return state !== 'Z' || otherThreadsAlive(pid);
  } catch {
    return true; // no /proc (not Linux): kill(0) is all we know
  }
}

function otherThreadsAlive(pid: number): boolean {
  try {
    const threads = /^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(threads ?? '1') > 1;
  } catch {
    return false; // gone while we looked
  }
}

/**
 * Whether `pid` still runs one of the sandbox's programs. state.json may outlive a reboot, after which its pids can
 * belong to anything: only signal processes whose command line names a sandbox program.
 */
export function isSandboxProgram(pid: number): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return isAlive(pid); // no /proc: trust the recorded pid
  }
  return /pebble|fault-proxy-main/.test(cmdline);
}

/**
 * Stops the given processes: SIGTERM, then SIGKILL for any still alive after `graceMs`. Resolves once all are gone
 * or, bounded, after the SIGKILL grace too; returns the pids that would not die.
 */
export async function terminate(pids: number[], clock: Clock, graceMs = 3000): Promise<number[]> {
  const targets = pids.filter((pid) => isAlive(pid) && isSandboxProgram(pid));
  for (const pid of targets) signal(pid, 'SIGTERM');
  let remaining = await waitForExit(targets, clock, graceMs);
  for (const pid of remaining) signal(pid, 'SIGKILL');
  remaining = await waitForExit(remaining, clock, 2000);
  return remaining;
}

async function waitForExit(pids: number[], clock: Clock, timeoutMs: number): Promise<number[]> {
  const deadline = clock.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length && clock.now() < deadline) {
    await clock.sleep(25);
    alive = alive.filter(isAlive);
  }
  return alive;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(logPath: string, lines = 8): string {
  try {
    return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
