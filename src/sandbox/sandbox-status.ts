import { rm } from 'node:fs/promises';
import { systemClock, type Clock } from '../engine/core/clock.js';
import { ConfigError } from '../engine/core/errors.js';
import { readSandboxState, sandboxStatePath, type SandboxState } from '../engine/ca/sandbox-state.js';
import { isAlive, terminate } from './processes.js';

/** The sandbox recorded in `dir`, and whether all of its processes still run; undefined when none was started. */
export async function sandboxStatus(dir: string): Promise<{ state: SandboxState; alive: boolean } | undefined> {
  let state: SandboxState | undefined;
  try {
    state = readSandboxState(dir);
  } catch (err) {
    throw new ConfigError(
      'sandbox-state-unreadable',
      `${sandboxStatePath(dir)} is not valid JSON: ${(err as Error).message}`,
      'Stop any pebble processes by hand, then delete that file and start the sandbox again.',
    );
  }
  if (!state) return undefined;
  return { state, alive: state.pids.length > 0 && state.pids.every(isAlive) };
}

/**
 * Stops the processes named in `<dir>/state.json` and removes it. Returns false when there was nothing to stop.
 * `onlyIfStartedAt` protects a newer sandbox in the same dir from an old handle's stop().
 */
export async function stopSandbox(dir: string, opts: { clock?: Clock; onlyIfStartedAt?: string } = {}): Promise<boolean> {
  const status = await sandboxStatus(dir);
  if (!status) return false;
  if (opts.onlyIfStartedAt !== undefined && status.state.startedAt !== opts.onlyIfStartedAt) return false;
  const survivors = await terminate(status.state.pids, opts.clock ?? systemClock);
  if (survivors.length) {
    throw new ConfigError(
      'sandbox-stop-failed',
      `Could not stop sandbox processes ${survivors.join(', ')} (still running after SIGKILL).`,
      `Check them with \`ps -p ${survivors.join(',')}\`; ${sandboxStatePath(dir)} was kept.`,
    );
  }
  await rm(sandboxStatePath(dir), { force: true });
  return true;
}
