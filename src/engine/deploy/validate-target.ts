import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { BadInputError } from '../core/errors.js';
import { errnoCode } from '../core/errno.js';
import { DeployTargetError } from './errors.js';
import { resolveOwner } from './owner.js';
import { filesPlan } from './targets/files.js';
import type { DeployTarget } from './types.js';

/**
 * Checks a new target against the machine before `deploy add` saves it, so a typo in a directory or program name
 * is reported now, not at 3 a.m. by cron. Errors throw (nothing is written); things that may legitimately differ
 * at deploy time (an environment variable set only in the cron job) come back as warnings.
 */

async function checkWritableDir(dir: string, what: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') throw new BadInputError('missing-directory', `${what} ${dir} does not exist`, `Create it first (mkdir -p ${dir}).`);
    if (code === 'ENOTDIR') throw new BadInputError('missing-directory', `${what} ${dir}: a parent of it is a file, not a directory`);
    throw new BadInputError('bad-directory', `${what} ${dir} cannot be checked: ${code ?? String(err)}`);
  }
  if (!isDir) throw new BadInputError('not-a-directory', `${what} ${dir} is not a directory`);
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new BadInputError('unwritable-directory', `${what} ${dir} is not writable by this user`, 'Run certdeck as a user that may write there, or pick another directory.');
  }
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `program` would be found, the way execvp searches: as given when it has a slash, else along PATH. */
export async function findProgram(program: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (program.includes('/')) return (await isExecutableFile(program)) ? program : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, program);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export async function validateTargetEnvironment(t: DeployTarget, env: NodeJS.ProcessEnv): Promise<{ warnings: string[] }> {
  const warnings: string[] = [];
  switch (t.kind) {
    case 'files': {
      for (const dir of new Set(filesPlan(t).map((p) => path.dirname(p.file)))) await checkWritableDir(dir, 'target directory');
      if (t.owner !== undefined) {
        try {
          await resolveOwner(t.owner);
        } catch (err) {
          if (err instanceof DeployTargetError) throw new BadInputError('bad-owner', err.message, err.hint);
          throw err;
        }
        if (process.getuid?.() !== 0) warnings.push(`setting the owner (${t.owner}) needs root; deploy will fail unless certdeck runs as root`);
      }
      break;
    }
    case 'command': {
      const program = t.argv[0]!;
      if (t.cwd !== undefined) await checkWritableDir(t.cwd, 'working directory').catch((err: unknown) => {
        if (err instanceof BadInputError && err.code === 'unwritable-directory') return;
        throw err;
      });
      if (!(await findProgram(program, env))) {
        throw new BadInputError(
          'command-not-found',
          `command not found: ${program}${program.includes('/') ? ' (no executable file there)' : ' (not on PATH)'}`,
          'Install it, fix the name, or give its full path.',
        );
      }
      break;
    }
    case 'pfx': {
      await checkWritableDir(path.dirname(t.out), 'directory');
      if (t.passwordEnv !== undefined && (env[t.passwordEnv] ?? '') === '') {
        warnings.push(`${t.passwordEnv} is not set here; set it wherever certdeck deploy runs (cron, systemd unit)`);
      }
      if (t.password !== undefined) warnings.push('the PFX password is stored in the targets file (0600); --password-env keeps it out of files');
      break;
    }
    case 'verify':
      break;
  }
  return { warnings };
}
