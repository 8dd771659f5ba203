import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { BadInputError, ConfigError } from '../core/errors.js';
import type { StatePaths } from '../store/paths.js';
import { storageError } from '../store/atomic.js';
import { writeFileAtomic } from './atomic-write.js';
import { errnoCode } from './errors.js';
import { RESERVED_IDS, TargetSchemaError, normalizeTarget, parseTargetsFile } from './target-schema.js';
import type { DeployTarget, DeployTargetsFile, LastResultsFile, TargetResult } from './types.js';

/**
 * The per-certificate files under `deployDir`: `<certName>.json` (the targets, written by `deploy add/remove` or by
 * hand) and `<certName>.last-run` (each target's latest result, so `--only failed` works from a later process).
 * The suffixes differ so no certificate name can make one file collide with the other. Both are 0600: a pfx target
 * may hold a password.
 */

export function targetsFilePath(paths: StatePaths, certName: string): string {
  return path.join(paths.deployDir, `${certName}.json`);
}

export function resultsFilePath(paths: StatePaths, certName: string): string {
  return path.join(paths.deployDir, `${certName}.last-run`);
}

/** A certificate name becomes a file name: refuse anything that could step out of the directory. */
export function checkCertName(certName: string): void {
  if (certName === '' || certName.length > 200 || /[/\\\0]/.test(certName) || certName.startsWith('.')) {
    throw new BadInputError(
      'bad-cert-name',
      `"${certName}" is not a valid certificate name`,
      'Use the name shown by `certdeck list` (letters, digits, dots, dashes; no slashes).',
    );
  }
}

async function readJson(file: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new ConfigError('deploy-file-unreadable', `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, 'Check the file permissions.', err);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw brokenFile(file, err instanceof Error ? err.message : String(err));
  }
}

function brokenFile(file: string, why: string): ConfigError {
  return new ConfigError(
    'deploy-file-broken',
    `deploy targets file ${file} is broken: ${why}`,
    'Fix it by hand (it is JSON), or move it away and add the targets again with `certdeck deploy add`.',
  );
}

export async function loadTargets(paths: StatePaths, certName: string): Promise<DeployTargetsFile> {
  checkCertName(certName);
  const file = targetsFilePath(paths, certName);
  const raw = await readJson(file);
  if (raw === undefined) return { version: 1, certName, targets: [] };
  try {
    return parseTargetsFile(raw, certName);
  } catch (err) {
    if (err instanceof TargetSchemaError) throw brokenFile(file, err.message);
    throw err;
  }
}

export async function saveTargets(paths: StatePaths, file: DeployTargetsFile): Promise<void> {
  checkCertName(file.certName);
  const target = targetsFilePath(paths, file.certName);
  await saveStateFile(paths, target, `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * Writes a file under deploy/ and turns a file-system failure (read-only home, full disk, permissions) into a
 * StorageError naming the path and what to do, never a stack trace.
 */
async function saveStateFile(paths: StatePaths, file: string, text: string): Promise<void> {
  try {
    await mkdir(paths.deployDir, { recursive: true, mode: 0o700 }).catch(async (err: unknown) => {
      // A recursive mkdir on a read-only file system reports ENOENT; a plain one says what really happened.
      throw await mkdir(paths.deployDir, { mode: 0o700 }).then(() => err, (real: unknown) => real);
    });
    await writeFileAtomic(file, text, { mode: 0o600 });
  } catch (err) {
    throw storageError(err, file, 'write');
  }
}

/** `kind-N` with N one past the highest in use, so ids stay stable when other targets are removed. */
export function nextTargetId(existing: readonly DeployTarget[], kind: DeployTarget['kind']): string {
  let max = 0;
  for (const t of existing) {
    const m = new RegExp(`^${kind}-(\\d+)$`).exec(t.id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `${kind}-${max + 1}`;
}

/**
 * Validates `input` (a target without an id, or with a user-chosen one) and appends it. Nothing is written when
 * anything is wrong.
 */
export async function addTarget(
  paths: StatePaths,
  certName: string,
  input: Record<string, unknown>,
  /** Checks the complete target against the machine (see validate-target.ts); throws to refuse it. */
  check?: (target: DeployTarget) => Promise<void>,
): Promise<DeployTarget> {
  const file = await loadTargets(paths, certName);
  const kind = input.kind;
  const id = typeof input.id === 'string' ? input.id : nextTargetId(file.targets, kind as DeployTarget['kind']);
  if (file.targets.some((t) => t.id === id)) {
    throw new BadInputError('duplicate-target-id', `${certName} already has a deploy target "${id}"`, 'Pick another --id, or remove the old one first.');
  }
  if (RESERVED_IDS.has(id)) throw new BadInputError('reserved-target-id', `"${id}" is reserved for --only; pick another --id`);
  let target: DeployTarget;
  try {
    target = normalizeTarget({ ...input, id }, 'target');
  } catch (err) {
    if (err instanceof TargetSchemaError) throw new BadInputError('bad-target', err.message);
    throw err;
  }
  await check?.(target);
  await saveTargets(paths, { ...file, targets: [...file.targets, target] });
  return target;
}

export async function removeTarget(paths: StatePaths, certName: string, id: string): Promise<DeployTarget> {
  const file = await loadTargets(paths, certName);
  const target = file.targets.find((t) => t.id === id);
  if (!target) {
    const known = file.targets.map((t) => t.id).join(', ') || '(none)';
    throw new BadInputError('unknown-target', `${certName} has no deploy target "${id}" (targets: ${known})`, `See them with \`certdeck deploy list ${certName}\`.`);
  }
  await saveTargets(paths, { ...file, targets: file.targets.filter((t) => t.id !== id) });
  // A later target may reuse the id; it must not inherit this one's last result.
  const results = await loadResults(paths, certName).catch(() => undefined);
  if (results && id in results.targets) {
    const { [id]: _gone, ...rest } = results.targets;
    await saveResults(paths, { ...results, targets: rest });
  }
  return target;
}

export async function loadResults(paths: StatePaths, certName: string): Promise<LastResultsFile> {
  checkCertName(certName);
  const file = resultsFilePath(paths, certName);
  const raw = await readJson(file);
  if (raw === undefined) return { version: 1, certName, targets: {} };
  if (typeof raw !== 'object' || raw === null || (raw as { version?: unknown }).version !== 1 || typeof (raw as { targets?: unknown }).targets !== 'object') {
    throw new ConfigError('deploy-results-broken', `deploy results file ${file} is broken`, 'Delete it; the next deploy writes a new one.');
  }
  return raw as LastResultsFile;
}

export async function saveResults(paths: StatePaths, results: LastResultsFile): Promise<void> {
  await saveStateFile(paths, resultsFilePath(paths, results.certName), `${JSON.stringify(results, null, 2)}\n`);
}

/** Folds one run's results into the file: targets that ran get their new result, the others keep theirs. */
export function mergeResults(
  prev: LastResultsFile,
  run: NonNullable<LastResultsFile['lastRun']>,
  ran: Record<string, TargetResult>,
  knownIds: readonly string[],
): LastResultsFile {
  const targets: Record<string, TargetResult> = {};
  for (const id of knownIds) {
    const r = ran[id] ?? prev.targets[id];
    if (r) targets[id] = r;
  }
  return { version: 1, certName: prev.certName, lastRun: run, targets };
}
