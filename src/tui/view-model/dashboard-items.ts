import type { CertificateSummary } from '../../engine/events.js';
import type { OrderView, Snapshot } from '../../engine/state.js';
import { isRunning } from './order-progress.js';

/** The dashboard's selectable rows: certificates first (soonest to expire on top), then orders. */
export type DashboardItem =
  | { kind: 'certificate'; key: string; certificate: CertificateSummary }
  | { kind: 'order'; key: string; order: OrderView };

/** How many finished orders stay on the dashboard; the rest are in the journal and the log. */
export const RECENT_FINISHED_LIMIT = 20;

/** Running orders in the order they were queued, then finished ones newest first. */
export function orderedOrders(snapshot: Snapshot, only?: ReadonlySet<string>): OrderView[] {
  const all = snapshot.orderIds
    .map((id) => snapshot.orders[id])
    .filter((o): o is OrderView => o !== undefined && (only === undefined || only.has(o.id)));
  const running = all.filter(isRunning);
  const finished = all
    .filter((o) => !isRunning(o))
    .sort((a, b) => b.phaseSince - a.phaseSince)
    .slice(0, RECENT_FINISHED_LIMIT);
  return [...running, ...finished];
}

/**
 * Sorted once per certificates map: the reducer keeps the same map object until a certificate changes, so order
 * events and clock ticks (most frames) reuse the sort instead of sorting thousands of certificates again.
 */
const sortedByMap = new WeakMap<Snapshot['certificates'], CertificateSummary[]>();
const certificateItemsByMap = new WeakMap<Snapshot['certificates'], DashboardItem[]>();

export function sortedCertificates(snapshot: Snapshot): CertificateSummary[] {
  let sorted = sortedByMap.get(snapshot.certificates);
  if (!sorted) {
    sorted = Object.values(snapshot.certificates).sort((a, b) => a.notAfter - b.notAfter || a.certName.localeCompare(b.certName));
    sortedByMap.set(snapshot.certificates, sorted);
  }
  return sorted;
}

export function dashboardItems(snapshot: Snapshot): DashboardItem[] {
  let certificateItems = certificateItemsByMap.get(snapshot.certificates);
  if (!certificateItems) {
    certificateItems = sortedCertificates(snapshot).map((certificate) => ({ kind: 'certificate' as const, key: `cert:${certificate.certName}`, certificate }));
    certificateItemsByMap.set(snapshot.certificates, certificateItems);
  }
  return [...certificateItems, ...orderedOrders(snapshot).map((order) => ({ kind: 'order' as const, key: `order:${order.id}`, order }))];
}

/**
 * Index of the selected row: the row with the remembered key if it is still there, else the nearest row to where
 * it was, so a finished order dropping off the list does not throw the cursor back to the top.
 */
export function selectedIndex(items: readonly { key: string }[], key: string | undefined, fallbackIndex = 0): number {
  if (items.length === 0) return -1;
  const found = key === undefined ? -1 : items.findIndex((i) => i.key === key);
  if (found >= 0) return found;
  return Math.min(Math.max(0, fallbackIndex), items.length - 1);
}

/**
 * Orders an `issue` run follows: the ones it was given, or, without ids, every order except those already finished
 * when the UI started (the command may have queued its orders a moment before the UI mounted), plus every order
 * that took over from one of them (switch CA, fallback), transitively.
 */
export function followedOrderIds(snapshot: Snapshot, given: readonly string[] | undefined, finishedAtStart: ReadonlySet<string>): Set<string> {
  const followed = new Set<string>(given ?? snapshot.orderIds.filter((id) => !finishedAtStart.has(id)));
  // orderIds is in queue order and a replacement is always queued after what it replaces: one pass suffices.
  for (const id of snapshot.orderIds) {
    const o = snapshot.orders[id];
    if (o?.replaces !== undefined && followed.has(o.replaces)) followed.add(id);
  }
  return followed;
}
