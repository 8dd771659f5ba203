import { access } from 'node:fs/promises';
import type { Finding } from '../types.js';

/**
 * A clock sanity check that needs no CA: the time is not before this build of certdeck was possible, and, where
 * systemd-timesyncd runs, it says the clock is synchronized. The doctor's CA tier compares with the CA's own Date.
 */

/** No certificate certdeck ever handles was issued before this. */
export const EARLIEST_PLAUSIBLE = Date.parse('2026-01-01T00:00:00Z');

export async function checkClock(now: number, opts: { syncFlag?: string } = {}): Promise<{ findings: Finding[]; note: string }> {
  const f = (id: string, severity: Finding['severity'], seen: string, todo: string): Finding => ({ id, severity, tier: 'offline', seen, todo });
  if (now < EARLIEST_PLAUSIBLE) {
    return { findings: [f('clock.implausible', 'error', `This host's clock says ${new Date(now).toISOString()}, which is before this version of certdeck was built.`, 'Set the clock (timedatectl set-ntp true); certificates look not yet valid with a clock in the past.')], note: '' };
  }
  const flag = opts.syncFlag ?? '/run/systemd/timesync/synchronized';
  const synced = await access(flag).then(() => true, () => false);
  return { findings: [], note: synced ? `clock ${new Date(now).toISOString()}, synchronized (systemd-timesyncd)` : `clock ${new Date(now).toISOString()}; synchronization not known (certdeck doctor compares it with the CA)` };
}
