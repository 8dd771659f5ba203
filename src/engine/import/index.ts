import path from 'node:path';
import type { CaInfo } from '../api.js';
import { BadInputError } from '../core/errors.js';
import { stripControl } from '../core/sanitize.js';
import type { Clock } from '../core/clock.js';
import { acquireLock, type HeldLock } from '../store/lock.js';
import type { StatePaths } from '../store/paths.js';
import { acmeShSource } from './acmesh.js';
import { applyPlanned } from './apply.js';
import { certbotSource } from './certbot.js';
import { isDirectory } from './read-only.js';
import { legoSource } from './lego.js';
import { planFound, type Planned } from './plan.js';
import type { ImportClient, ImportOptions, ImportPlan, ImportResult, ImportSource } from './types.js';

export type * from './types.js';

const SOURCES: Record<ImportClient, ImportSource> = { certbot: certbotSource, 'acme.sh': acmeShSource, lego: legoSource };
export const IMPORT_CLIENTS = Object.keys(SOURCES) as ImportClient[];

export interface ImportDeps {
  paths: StatePaths;
  cas: CaInfo[];
  now: number;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Reads the client's directory (read-only) and decides what an import would do. Writes nothing anywhere. */
export async function planImportFrom(deps: ImportDeps, client: ImportClient, opts: ImportOptions): Promise<Planned> {
  const source = SOURCES[client];
  if (!source) throw new BadInputError('bad-import-source', `certdeck cannot import from ${JSON.stringify(client)}.`, `Import from one of: ${IMPORT_CLIENTS.join(', ')}.`);
  if (opts.server !== undefined) {
    let ok = false;
    try {
      ok = new URL(opts.server).protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) throw new BadInputError('bad-server', `--server ${JSON.stringify(opts.server)} is not an https:// ACME directory URL.`, 'Pass the URL lego was given as --server, e.g. https://acme-v02.api.letsencrypt.org/directory.');
  }
  const dir = path.resolve(deps.cwd, opts.dir ?? source.defaultDir(deps.env, deps.cwd));
  if (!(await isDirectory(dir))) {
    const flag = client === 'certbot' ? '--config-dir' : client === 'acme.sh' ? '--home' : '--path';
    throw new BadInputError('import-dir-missing', `There is no ${client} directory at ${dir}.`, `Point certdeck at it with ${flag} DIR.`);
  }
  const set = await source.read({ ...opts, dir }, { knownDirectoryUrls: deps.cas.map((c) => c.directoryUrl) });
  return planFound(deps.paths, deps.cas, set, { ...opts, dir }, deps.now);
}

/**
 * Imports what `accepted` (a plan shown to the operator) said would be imported. The client's files are read again
 * and planned again: when anything the operator accepted changed in between (a renewal ran, a file went), nothing is
 * written and the error says to preview again.
 */
export async function applyImportPlan(deps: ImportDeps, accepted: ImportPlan, log: (message: string) => void): Promise<ImportResult> {
  // Each certificate's issue lock, as an order holds it: no certdeck run writes these names while they come in.
  const locks: HeldLock[] = [];
  try {
    for (const c of accepted.certificates.filter((x) => x.action === 'import')) {
      locks.push(await acquireLock(deps.paths, c.certName, { wait: false, clock: deps.clock, command: `certdeck import ${accepted.client}` }));
    }
    return await applyLocked(deps, accepted, log);
  } finally {
    for (const l of locks) await l.release().catch(() => undefined);
  }
}

async function applyLocked(deps: ImportDeps, accepted: ImportPlan, log: (message: string) => void): Promise<ImportResult> {
  const fresh = await planImportFrom(deps, accepted.client, accepted.options);
  const key = (p: ImportPlan) =>
    JSON.stringify([
      p.certificates.filter((c) => c.action === 'import').map((c) => [c.certName, c.fingerprint]),
      p.accounts.filter((a) => a.action === 'import').map((a) => [a.accountId, a.accountUrl]),
    ]);
  if (key(visiblePlan(fresh.plan)) !== key(accepted)) {
    throw new BadInputError('import-changed', `What ${accepted.client} has in ${accepted.dir}, or what certdeck has, changed since the preview; nothing was imported.`, 'Preview the import again and confirm that.');
  }
  return applyPlanned(deps.paths, fresh, deps.now, log);
}

/**
 * The plan as views get it: every string from the other client's files (names, hook lines, paths, a CA's account
 * URL) stripped of control characters, so printing it cannot drive the terminal.
 */
export function visiblePlan<T>(value: T): T {
  if (typeof value === 'string') return stripControl(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => visiblePlan(v)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visiblePlan(v)])) as T;
  return value;
}
