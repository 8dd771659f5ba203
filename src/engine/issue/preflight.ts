import type { IssueRequest } from '../api.js';
import type { Clock } from '../core/clock.js';
import { resolveCa } from '../ca/catalog.js';
import type { StatePaths } from '../store/paths.js';
import type { Locker, Storage } from '../store/storage.js';
import type { SettingsData } from '../store/settings.js';
import { resolveIssueRequest } from './resolve-request.js';

/**
 * The checks of an issue request that need no CA and no ACME code: names, settings, the stored request, every CA
 * of the queue resolvable (a sandbox that is not running, a typo in --fallback, a missing --ca-bundle), and the
 * certificate's lock free (unless the request waits for it). The engine runs them before it loads the ACME stack,
 * the largest part of certdeck to load, so a request that cannot work fails in the time node takes to start.
 * runIssueJob checks the same things again, authoritatively (the lock is only tested here, not kept).
 */
export async function preflightIssue(deps: { paths: StatePaths; storage: Storage; locker: Locker; settings: SettingsData; clock: Clock }, request: IssueRequest): Promise<void> {
  const { paths, settings } = deps;
  const resolve = (idOrUrl: string, caBundlePath: string | undefined) =>
    resolveCa(idOrUrl, {
      sandboxDir: paths.sandboxDir,
      ...(caBundlePath ? { caBundlePath } : {}),
      ...(settings.caPolicies ? { caPolicies: settings.caPolicies } : {}),
    });
  const { effective } = await resolveIssueRequest({ paths, storage: deps.storage, settings, resolve }, request);
  for (const id of effective.fallback) resolve(id, effective.caBundlePath);
  if (effective.waitForLock) return;
  const lock = await deps.locker.lock(effective.certName, { wait: false, clock: deps.clock });
  await lock.release();
}
