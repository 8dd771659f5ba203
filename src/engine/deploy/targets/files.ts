import { stat } from 'node:fs/promises';
import path from 'node:path';
import { throwIfAborted } from '../../core/clock.js';
import { commitStaged, discardStaged, stageFile, type StagedFile } from '../../store/atomic.js';
import { errnoCode } from '../../core/errno.js';
import { DeployTargetError, describeFsError } from '../errors.js';
import { resolveOwner } from '../owner.js';
import type { FilePlacement, FilesTarget } from '../types.js';
import type { TargetContext } from './context.js';

/**
 * Copies the certificate files into place. All files are staged (temp file beside each destination, written and
 * fsynced) before any is renamed, so a failure part-way (a full disk, a missing directory for the key) replaces
 * nothing: the server keeps a consistent old pair instead of a new certificate with an old key.
 */

type FileRole = keyof FilePlacement;

const DEFAULT_NAMES: Record<FileRole, string> = {
  cert: 'cert.pem',
  chain: 'chain.pem',
  fullchain: 'fullchain.pem',
  key: 'privkey.pem',
};

export function filesPlan(t: FilesTarget): Array<{ role: FileRole; file: string }> {
  const out: Array<{ role: FileRole; file: string }> = [];
  for (const role of ['cert', 'chain', 'fullchain', 'key'] as const) {
    const explicit = t.paths?.[role];
    if (explicit !== undefined) out.push({ role, file: explicit });
    else if (t.dir !== undefined) out.push({ role, file: path.join(t.dir, DEFAULT_NAMES[role]) });
  }
  return out;
}

async function checkDirectory(dir: string): Promise<void> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new DeployTargetError('not-a-directory', `target directory ${dir} is not a directory`);
  } catch (err) {
    if (err instanceof DeployTargetError) throw err;
    if (errnoCode(err) === 'ENOENT') {
      throw new DeployTargetError('missing-directory', `target directory ${dir} does not exist`, { hint: `Create it (mkdir -p ${dir}) or change the target.` });
    }
    throw new DeployTargetError('bad-directory', `target directory ${describeFsError(err, dir)}`);
  }
}

export async function deployFiles(t: FilesTarget, ctx: TargetContext): Promise<void> {
  const plan = filesPlan(t);
  for (const dir of new Set(plan.map((p) => path.dirname(p.file)))) await checkDirectory(dir);
  const owner = t.owner === undefined ? {} : await resolveOwner(t.owner);
  const content: Record<FileRole, string> = {
    cert: ctx.bundle.certPem,
    chain: ctx.bundle.chainPem,
    fullchain: ctx.bundle.fullchainPem,
    key: ctx.bundle.keyPem,
  };
  const staged: StagedFile[] = [];
  try {
    for (const { role, file } of plan) {
      throwIfAborted(ctx.signal);
      const mode = role === 'key' ? t.keyMode : t.certMode;
      try {
        staged.push(await stageFile(file, content[role], { mode, ...owner }));
      } catch (err) {
        const code = errnoCode(err);
        if ((code === 'EPERM' || code === 'EINVAL') && t.owner !== undefined) {
          throw new DeployTargetError('chown-failed', `cannot give ${file} to ${t.owner}: ${code === 'EPERM' ? 'not permitted (only root can change a file\'s owner)' : 'invalid owner'}`, { cause: err });
        }
        throw new DeployTargetError('write-failed', `cannot write ${describeFsError(err, file)}`, { cause: err });
      }
    }
    throwIfAborted(ctx.signal);
    await commitStaged(staged);
  } catch (err) {
    await discardStaged(staged);
    throw err;
  }
  for (const { role, file } of plan) {
    ctx.log(`wrote ${file} (${(role === 'key' ? t.keyMode : t.certMode).toString(8).padStart(4, '0')}${t.owner ? `, ${t.owner}` : ''})`);
  }
}
