import type { DeployRunView, OrderView, Snapshot } from '../../engine/state.js';

/**
 * The deploy runs that belong to a `certdeck issue` view: the latest run of each certificate its orders saved, once
 * that run started after the order was queued (an older run of the same certificate is not this command's).
 */
export function issueDeploys(snapshot: Snapshot, orders: readonly OrderView[]): DeployRunView[] {
  const runs: DeployRunView[] = [];
  const seen = new Set<string>();
  for (const order of orders) {
    if (seen.has(order.certName)) continue;
    seen.add(order.certName);
    const runId = snapshot.latestDeploy[order.certName];
    const run = runId === undefined ? undefined : snapshot.deploys[runId];
    if (run && run.startedAt >= order.queuedAt) runs.push(run);
  }
  return runs;
}

export function isDeployRunning(run: DeployRunView): boolean {
  return run.outcome === undefined;
}

/** "deploy: 1 of 3 targets done", "deploy partial: 2 succeeded, 1 failed, 0 skipped". */
export function deployRunLine(run: DeployRunView): string {
  if (!run.outcome || !run.summary) {
    const done = run.targets.filter((t) => t.status !== 'waiting' && t.status !== 'running').length;
    return `deploying ${run.certName}: ${done} of ${run.targets.length} target${run.targets.length === 1 ? '' : 's'} done`;
  }
  const s = run.summary;
  return `deploy of ${run.certName} ${run.outcome}: ${s.succeeded} succeeded, ${s.failed} failed, ${s.skipped} skipped`;
}
