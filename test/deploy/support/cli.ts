import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, link, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
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

/**
 * The built CLI in a world-readable place, for runs as another user: the checkout may sit in a directory only its
 * owner can enter (a fresh CI clone under a 0700 temp dir). dist/ is a bundle, so dist/, package.json and assets/
 * are the whole program; the pinned node is hard-linked (or copied). Undefined, with the reason, when there is no
 * build (npm test builds first).
 */
export async function publicInstall(): Promise<{ node: string; cli: string; dir: string; remove: () => Promise<void> } | string> {
  const dist = path.join(ROOT, 'dist', 'cli.js');
  if (!existsSync(dist)) return `no build at ${dist} (npm test builds it; run npm run build)`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-public-'));
  await chmod(dir, 0o755);
  for (const part of ['dist', 'assets', 'package.json']) await cp(path.join(ROOT, part), path.join(dir, part), { recursive: true });
  const node = path.join(dir, 'node');
  const realNode = await realpath(NODE);
  await link(realNode, node).catch(() => copyFile(realNode, node));
  await chmod(node, 0o755);
  return { node, cli: path.join(dir, 'dist', 'cli.js'), dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `certdeck <args>` from a publicInstall, as `uid` (root only). */
export function certdeckAs(install: { node: string; cli: string; dir: string }, uid: number, args: string[], opts: CliOptions) {
  return execa(install.node, [install.cli, ...args], {
    reject: false,
    cwd: install.dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CERTDECK_HOME: opts.home, ...opts.env },
    extendEnv: false,
    timeout: 60_000,
    uid,
    gid: uid,
  });
}
