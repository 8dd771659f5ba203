import { stat } from 'node:fs/promises';
import path from 'node:path';
import { throwIfAborted } from '../../core/clock.js';
import { splitPemBundle } from '../../store/inspect.js';
import { replaceFile } from '../../store/atomic.js';
import { errnoCode } from '../../core/errno.js';
import { DeployTargetError, describeFsError } from '../errors.js';
import { buildPkcs12 } from '../pkcs12.js';
import type { PfxTarget } from '../types.js';
import type { TargetContext } from './context.js';

/** Where the password comes from; the environment variable wins so the targets file need not hold a secret. */
export function pfxPassword(t: PfxTarget, env: NodeJS.ProcessEnv): string {
  if (t.passwordEnv !== undefined) {
    const value = env[t.passwordEnv];
    if (value !== undefined && value !== '') return value;
    if (t.password === undefined) {
      throw new DeployTargetError('pfx-password-missing', `environment variable ${t.passwordEnv} (the PFX password) is not set`, {
        hint: `Export ${t.passwordEnv} in the environment certdeck runs in (cron, systemd unit) and deploy again.`,
      });
    }
  }
  return t.password!;
}

export async function deployPfx(t: PfxTarget, ctx: TargetContext): Promise<void> {
  const password = pfxPassword(t, ctx.env);
  const dir = path.dirname(t.out);
  try {
    if (!(await stat(dir)).isDirectory()) throw new DeployTargetError('not-a-directory', `${dir} (for ${t.out}) is not a directory`);
  } catch (err) {
    if (err instanceof DeployTargetError) throw err;
    if (errnoCode(err) === 'ENOENT') throw new DeployTargetError('missing-directory', `target directory ${dir} does not exist`, { hint: `Create it (mkdir -p ${dir}) or change --out.` });
    throw new DeployTargetError('bad-directory', describeFsError(err, dir));
  }
  const certPems = [ctx.bundle.certPem, ...splitPemBundle(ctx.bundle.chainPem)];
  const der = buildPkcs12({
    keyPem: ctx.bundle.keyPem,
    certPems,
    password,
    algorithm: t.algorithm,
    ...(t.friendlyName === undefined ? {} : { friendlyName: t.friendlyName }),
  });
  throwIfAborted(ctx.signal);
  try {
    // The file holds the private key, so it is 0600 like privkey.pem.
    await replaceFile(t.out, der, { mode: 0o600 });
  } catch (err) {
    throw new DeployTargetError('write-failed', `cannot write ${describeFsError(err, t.out)}`, { cause: err });
  }
  ctx.log(`wrote ${t.out} (PKCS#12, ${t.algorithm}, key + ${certPems.length} certificate${certPems.length === 1 ? '' : 's'}, 0600)`);
}
