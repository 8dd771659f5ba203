import type { DeployOutcome } from './api.js';
import type { Clock } from './core/clock.js';
import type { EngineEvent } from './events.js';
import { loadTargets } from './deploy/target-store.js';
import type { StatePaths } from './store/paths.js';
import type { Locker } from './store/storage.js';

/**
 * Runs a certificate's deploy pipeline. The runner (execa and the target kinds) is imported only when a certificate
 * has something to deploy: most `certdeck issue` runs never need it, and loading it costs start-up time. After an issuance a certificate without targets simply has nothing to
 * deploy (no events); an explicit deploy of such a certificate runs the pipeline, which reports that itself.
 */
export async function runCertificateDeploy(opts: {
  paths: StatePaths;
  locker?: Locker;
  clock: Clock;
  emit: (e: EngineEvent) => void;
  certName: string;
  signal: AbortSignal;
  only?: string[];
  afterIssue?: boolean;
  /** Environment for hook commands and PFX password variables. */
  env?: NodeJS.ProcessEnv;
}): Promise<DeployOutcome> {
  if (opts.afterIssue) {
    const { targets } = await loadTargets(opts.paths, opts.certName);
    if (targets.length === 0) return { runId: '', certName: opts.certName, outcome: 'succeeded', succeeded: 0, failed: 0, skipped: 0, targets: [] };
  }
  const { runDeploy } = await import('./deploy/runner.js');
  return runDeploy({
    paths: opts.paths,
    ...(opts.locker ? { locker: opts.locker } : {}),
    certName: opts.certName,
    clock: opts.clock,
    emit: opts.emit,
    signal: opts.signal,
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
}
