import { BadInputError } from '../core/errors.js';
import { RETRYABLE_STATUSES, type DeployTarget, type LastResultsFile } from './types.js';

/** The token in `--only` that stands for "every target that did not succeed in its last run". */
export const ONLY_FAILED = 'failed';

/**
 * Resolves `--only` into the targets to run, in file order. Ids and the `failed` token may be mixed; an unknown id is
 * an error (a typo must not silently deploy nothing). An empty selection is an error with code `nothing-to-deploy`,
 * which callers treat as "all good" for `--only failed`.
 */
export function selectTargets(
  certName: string,
  targets: readonly DeployTarget[],
  only: readonly string[] | undefined,
  lastResults: LastResultsFile | undefined,
): DeployTarget[] {
  if (targets.length === 0) {
    throw new BadInputError('no-deploy-targets', `${certName} has no deploy targets`, `Add one, e.g. \`certdeck deploy add ${certName} files --dir /etc/ssl/${certName}\`.`);
  }
  if (only === undefined || only.length === 0) return [...targets];
  const wanted = new Set<string>();
  for (const id of only) {
    if (id === ONLY_FAILED) {
      for (const t of targets) {
        const last = lastResults?.targets[t.id];
        if (last && RETRYABLE_STATUSES.has(last.status)) wanted.add(t.id);
      }
    } else if (targets.some((t) => t.id === id)) {
      wanted.add(id);
    } else {
      throw new BadInputError('unknown-target', `${certName} has no deploy target "${id}" (targets: ${targets.map((t) => t.id).join(', ')})`, `See them with \`certdeck deploy list ${certName}\`.`);
    }
  }
  const picked = targets.filter((t) => wanted.has(t.id));
  if (picked.length === 0) {
    throw new BadInputError('nothing-to-deploy', `nothing to retry for ${certName}: no target failed in its last run`);
  }
  return picked;
}
