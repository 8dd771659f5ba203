import { createServer } from 'node:net';
import type { ManualClock } from '../../../src/engine/core/clock.js';

/** A loopback port that was free a moment ago (for servers that take a port number, and for "refused" tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Handles that mean real I/O is still in flight (a handshake, a DNS lookup, a child process and its pipes). */
const IO_HANDLES = ['TCPSocketWrap', 'TLSWrap', 'GetAddrInfoReqWrap', 'ProcessWrap', 'PipeWrap'];

function ioCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (IO_HANDLES.includes(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/**
 * Moves a ManualClock forward in `stepMs` steps until `work` settles, but only while no real I/O is in flight, so a
 * loopback handshake is never "timed out" by the test moving time under it. This is how a test drives a loop of
 * "try, back off" to its end deterministically: every clock step happens between tries, never during one.
 */
export async function driveClock<T>(clock: ManualClock, work: Promise<T>, stepMs: number): Promise<T> {
  let settled = false;
  const result = work.finally(() => {
    settled = true;
  });
  result.catch(() => undefined);
  const baseline = ioCounts();
  const busy = (): boolean => [...ioCounts()].some(([k, n]) => n > (baseline.get(k) ?? 0));
  while (!settled) {
    await new Promise((r) => setTimeout(r, 2));
    if (settled || busy() || clock.pendingSleeps === 0) continue;
    await clock.advance(stepMs);
  }
  return result;
}
