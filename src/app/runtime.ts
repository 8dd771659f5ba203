import { systemClock, type Clock } from '../engine/core/clock.js';
import { Engine } from '../engine/engine.js';
import type { PolicyOverride } from '../engine/policy.js';
import { resolveStatePaths, type StatePaths } from '../engine/store/paths.js';
import { packageVersion } from '../engine/core/package-root.js';

/**
 * The composition root: the one place that reads the environment and picks real implementations (system clock,
 * state home). Commands get an Engine from here; the engine itself never looks at process.env.
 */
export interface Runtime {
  engine: Engine;
  paths: StatePaths;
  clock: Clock;
}

export function createRuntime(env: NodeJS.ProcessEnv, opts: { deployAfterIssue?: boolean; caPolicies?: Record<string, PolicyOverride> } = {}): Runtime {
  const paths = resolveStatePaths(env);
  const clock = systemClock;
  const engine = new Engine({ paths, clock, userAgent: `certdeck/${packageVersion()}`, env, deployAfterIssue: opts.deployAfterIssue ?? true, ...(opts.caPolicies ? { caPolicies: opts.caPolicies } : {}) });
  return { engine, paths, clock };
}
