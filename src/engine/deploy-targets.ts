import path from 'node:path';
import type { DeployTargetDetails, DeployTargetInput } from './api.js';
import { BadInputError, EngineError, StorageError } from './core/errors.js';
import type { DeployLastResult, DeployTargetInfo } from './events.js';
import { parseVerifyHost } from './deploy/host-spec.js';
import { addTarget, loadResults, loadTargets, removeTarget, targetsFilePath } from './deploy/target-store.js';
import type { DeployTarget } from './deploy/types.js';
import type { StatePaths } from './store/paths.js';

/**
 * The target list edits behind EngineApi's list/add/remove, on the same store and checks as `certdeck deploy
 * add|list|remove`, so a view and the CLI accept, refuse and write exactly the same thing.
 */

export function targetInfo(t: DeployTarget): DeployTargetInfo {
  return { id: t.id, kind: t.kind, label: t.label };
}

/** The configured targets, each with its latest stored result (a broken results file only loses the results). */
export async function listTargetInfos(paths: StatePaths, certName: string): Promise<DeployTargetInfo[]> {
  const { targets } = await loadTargets(paths, certName);
  const results = (await loadResults(paths, certName).catch(() => undefined))?.targets ?? {};
  return targets.map((t) => {
    const r = results[t.id];
    if (!r) return targetInfo(t);
    const last: DeployLastResult = {
      status: r.status,
      runId: r.runId,
      ...(r.reason === undefined ? {} : { reason: r.reason }),
      ...(r.startedAt === undefined ? {} : { startedAt: r.startedAt }),
      ...(r.endedAt === undefined ? {} : { endedAt: r.endedAt }),
      ...(r.domains ? { domains: r.domains } : {}),
    };
    return { ...targetInfo(t), last };
  });
}

/**
 * An absolute path the way the CLI's path.resolve leaves it (no trailing slash, no "..") so the stored file and
 * the default label match; a relative one goes through untouched for the schema to refuse, since a view has no
 * working directory the operator could see.
 */
function tidy(p: string): string {
  return path.isAbsolute(p) ? path.resolve(p) : p;
}

/** The stored target shape `deploy add` builds from its flags, for the same fields. */
function storedShape(input: DeployTargetInput): Record<string, unknown> {
  const id = input.id === undefined ? {} : { id: input.id };
  switch (input.kind) {
    case 'files':
      return { kind: 'files', ...id, dir: tidy(input.dir) };
    case 'command': {
      const [program, ...args] = input.argv;
      // The CLI pins a relative path against the shell's directory; a view has none, and cron starts elsewhere.
      if (program !== undefined && program.includes('/') && !path.isAbsolute(program)) {
        throw new BadInputError('relative-program', `"${program}" is a relative path`, 'Give the full path (starting with /), or a bare name found on PATH.');
      }
      return { kind: 'command', ...id, argv: program === undefined ? [] : [program.includes('/') ? tidy(program) : program, ...args] };
    }
    case 'pfx':
      return { kind: 'pfx', ...id, out: tidy(input.out), passwordEnv: input.passwordEnv, algorithm: 'aes256' };
    case 'verify':
      // Parsed here, as the CLI does for --host, so a malformed host is reported in the operator's own spelling.
      return { kind: 'verify', ...id, hosts: input.hosts.map((h) => parseVerifyHost(h)) };
  }
}

/** Anything that is not already one of the engine's errors (a failed write) becomes one, so views get a message. */
function asEngineError(err: unknown, certName: string): EngineError {
  if (err instanceof EngineError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new StorageError(`cannot save the deploy targets of ${certName}: ${why}`, 'Check that the certdeck home is writable.', err);
}

export async function addTargetChecked(
  paths: StatePaths,
  certName: string,
  input: DeployTargetInput,
  env: NodeJS.ProcessEnv,
): Promise<{ target: DeployTarget; warnings: string[] }> {
  return addTargetSpec(paths, certName, storedShape(input), env);
}

/** A target in the stored shape with every option (`certdeck deploy add`'s flags), through the same checks. */
export async function addTargetSpec(
  paths: StatePaths,
  certName: string,
  spec: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Promise<{ target: DeployTarget; warnings: string[] }> {
  try {
    // Loaded on demand: the machine checks pull in execa (owner lookup), which a dashboard that never adds a target does not need.
    const { validateTargetEnvironment } = await import('./deploy/validate-target.js');
    let warnings: string[] = [];
    const target = await addTarget(paths, certName, spec, async (t) => {
      warnings = (await validateTargetEnvironment(t, env)).warnings;
    });
    return { target, warnings };
  } catch (err) {
    throw asEngineError(err, certName);
  }
}

export async function removeTargetById(paths: StatePaths, certName: string, targetId: string): Promise<DeployTarget> {
  try {
    return await removeTarget(paths, certName, targetId);
  } catch (err) {
    throw asEngineError(err, certName);
  }
}

export async function describeTargets(paths: StatePaths, certName: string): Promise<DeployTargetDetails> {
  const { targets } = await loadTargets(paths, certName);
  // Results are a history hint; an unreadable results file must not hide the targets themselves.
  const results = await loadResults(paths, certName).catch(() => undefined);
  return { certName, file: targetsFilePath(paths, certName), targets: targets.map((t) => ({ ...redactTarget(t), lastResult: results?.targets[t.id] ?? null })) };
}

/** Secrets stay in the targets file: a PFX password and a command target's env values are shown by name only. */
export function redactTarget(t: DeployTarget): DeployTarget {
  if (t.kind === 'pfx' && t.password !== undefined) return { ...t, password: '(hidden)' };
  if (t.kind === 'command' && t.env !== undefined) return { ...t, env: Object.fromEntries(Object.keys(t.env).map((k) => [k, '(hidden)'])) };
  return t;
}
