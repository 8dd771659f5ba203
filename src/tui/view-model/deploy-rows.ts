import type { DeployTargetInfo } from '../../engine/events.js';
import type { DeployRunView, DeployTargetView } from '../../engine/state.js';

/**
 * The deploy view's rows: the certificate's configured targets (what a and x change), each with its result in the
 * latest run when it took part. Until the configured list is known, the latest run's targets stand in for it.
 */
export interface DeployRow extends DeployTargetInfo {
  run?: DeployTargetView;
}

export function deployRows(configured: readonly DeployTargetInfo[] | undefined, run: DeployRunView | undefined): DeployRow[] {
  const ran = run?.targets ?? [];
  if (configured === undefined) return ran.map((t) => ({ id: t.id, kind: t.kind, label: t.label, run: t }));
  const rows: DeployRow[] = configured.map((t) => {
    const view = ran.find((r) => r.id === t.id);
    return view ? { ...t, run: view } : { ...t };
  });
  // A run still going shows every target it runs, even one the list no longer has (edited by another process).
  if (run && run.outcome === undefined) {
    for (const t of ran) if (!configured.some((c) => c.id === t.id)) rows.push({ id: t.id, kind: t.kind, label: t.label, run: t });
  }
  return rows;
}

/** Lines a row takes: itself and one per domain it checks (in this session's run, or its stored result). */
export function deployRowLines(row: DeployRow): number {
  return 1 + (row.run?.domains.length ?? row.last?.domains?.length ?? 0);
}

