import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
const ROOT = path.resolve(path.dirname(ENTRY), '../../..');
export const NODE = path.join(ROOT, 'node_modules/.bin/node');

export interface CliOptions {
  home: string;
  env?: Record<string, string>;
  /** Run as another user (root only): the unprivileged view of the same files. */
  uid?: number;
  gid?: number;
}

/** Runs `certdeck <args>` (deploy command only) as a real process; never rejects, the exit code is the result. */
export function certdeck(args: string[], opts: CliOptions): ResultPromise<{ reject: false; cwd: string; env: Record<string, string>; extendEnv: false; timeout: number }> {
  return execa(NODE, ['--import', 'tsx', ENTRY, ...args], {
    reject: false,
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CERTDECK_HOME: opts.home, ...opts.env },
    extendEnv: false,
    // A bound on the test, far above what any of these runs need.
    timeout: 60_000,
    ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.gid ?? opts.uid }),
  });
}
