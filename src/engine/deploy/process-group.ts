import type { Clock } from '../core/clock.js';

/**
 * Deploy hooks run as the leader of their own process group (spawned detached), so a timeout or cancel can signal
 * the whole tree at once: a hook that backgrounded a `sleep`, or a reload script whose child hangs, is gone with it.
 * Killing only the direct child would leave those running, holding ports, files and our output pipes.
 */

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in the group. EPERM cannot happen for a group we created.
  }
}

/**
 * SIGTERM to the group, then, once the leader is gone or `graceMs` has passed, SIGKILL to whatever is left of it
 * (children that ignore TERM, or that outlived the leader). Resolves when the leader has exited.
 */
export async function killProcessGroup(pgid: number, leaderExited: Promise<unknown>, graceMs: number, clock: Clock): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const graceOver = new AbortController();
  await Promise.race([leaderExited, clock.sleep(graceMs, graceOver.signal).catch(() => undefined)]);
  graceOver.abort();
  signalGroup(pgid, 'SIGKILL');
  await leaderExited;
}
