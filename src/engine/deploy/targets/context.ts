import type { Clock } from '../../core/clock.js';
import type { DeployStatus } from '../../events.js';
import type { CertBundle } from '../cert-bundle.js';

/**
 * What a target's executor gets for one attempt. It reports through `log` and (verify) `domain`, never through
 * the event stream directly, so the runner stays the only place that knows run ids and target ids.
 */
export interface TargetContext {
  bundle: CertBundle;
  clock: Clock;
  /** Aborted when the attempt times out or the run is cancelled; executors stop promptly and clean up. */
  signal: AbortSignal;
  /** When this attempt's time is up (verify paces its own handshakes against it). */
  deadlineAt: number;
  /** Environment for password variables and command hooks. */
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  /** Per-domain status (verify). */
  domain(domain: string, status: DeployStatus, reason?: string): void;
}
