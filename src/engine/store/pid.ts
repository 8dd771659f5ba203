import { errnoCode } from '../core/errno.js';

/** Whether a process with this pid exists on this host. EPERM means it exists but belongs to another user. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}
