import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../engine/core/errors.js';

export interface SandboxBinaries {
  pebble: string;
  challtestsrv: string;
}

/** Debian package that ships each program (both come from `pebble`). */
const PACKAGE_OF: Record<keyof SandboxBinaries, { program: string; pkg: string }> = {
  pebble: { program: 'pebble', pkg: 'pebble' },
  challtestsrv: { program: 'pebble-challtestsrv', pkg: 'pebble' },
};

/**
 * Finds the sandbox's programs on `PATH` (or takes the explicit paths given), failing with the install command
 * when one is missing, before anything is started or written.
 */
export function resolveSandboxBinaries(
  env: NodeJS.ProcessEnv,
  explicit: Partial<SandboxBinaries> = {},
): SandboxBinaries {
  return {
    pebble: explicit.pebble ?? findOrExplain('pebble', env),
    challtestsrv: explicit.challtestsrv ?? findOrExplain('challtestsrv', env),
  };
}

function findOrExplain(which: keyof SandboxBinaries, env: NodeJS.ProcessEnv): string {
  const { program, pkg } = PACKAGE_OF[which];
  const found = findOnPath(program, env.PATH ?? '');
  if (found) return found;
  throw new ConfigError(
    'sandbox-binary-missing',
    `${program} is not installed: apt-get install ${pkg}`,
    `certdeck's sandbox runs Debian's ${pkg} package; install it, or put ${program} on PATH.`,
  );
}

export function findOnPath(program: string, pathVariable: string): string | undefined {
  for (const dir of pathVariable.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
