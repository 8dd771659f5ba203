import type { FaultLogEntry } from '../src/sandbox/fault-proxy.js';

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function seconds(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

export function millis(ms: number): string {
  return Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : '-';
}

/** "4.3x" (how many times `slower` takes as long as `faster`). */
export function ratio(slower: number, faster: number): string {
  if (!Number.isFinite(slower) || !Number.isFinite(faster) || faster <= 0) return '-';
  const r = slower / faster;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}x`;
}

/** Requests by resource kind, error answers marked: "new-order 10, authz 12 (2x400), ...". */
export function requestBreakdown(requests: FaultLogEntry[]): string {
  const byKind = new Map<string, { n: number; errors: Map<string, number> }>();
  for (const r of requests) {
    const entry = byKind.get(r.resource) ?? { n: 0, errors: new Map<string, number>() };
    entry.n += 1;
    if (r.status === undefined || r.status >= 400) {
      const key = r.status === undefined ? 'reset' : String(r.status);
      entry.errors.set(key, (entry.errors.get(key) ?? 0) + 1);
    }
    byKind.set(r.resource, entry);
  }
  return [...byKind]
    .map(([kind, { n, errors }]) => {
      const errs = [...errors].map(([status, count]) => `${count}x${status}`).join(', ');
      return errs ? `${kind} ${n} (${errs})` : `${kind} ${n}`;
    })
    .join(', ');
}
