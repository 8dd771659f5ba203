import { randomBytes } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { lstat, mkdir, open, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { BadInputError, StorageError } from '../core/errors.js';
import { replaceFile } from '../store/atomic.js';
import { CHALLENGE_PATH, isSafeToken, type Http01Solver } from './solver.js';

/**
 * Webroot HTTP-01: writes the key authorization where an existing web server serves it, and removes it again
 * whatever happens (the order runner calls the returned cleanup in a finally).
 *
 * Why so careful: certdeck often runs as root while the webroot belongs to a less trusted user (the site's owner,
 * a CMS). Whoever can write the webroot can plant symlinks in it, so (as certbot does) nothing here follows a
 * symlink: `.well-known` and `acme-challenge` must be real directories, opened without following links, and every
 * later path goes through the opened directory (/proc/self/fd/N/...) so a swap after the check changes nothing.
 * Files are created exclusively under random names, modes are set explicitly (the umask must not turn the answer
 * into a 403), and cleanup removes only the files and directories this solver created itself.
 */
const DIR_MODE = 0o755;
const FILE_MODE = 0o644;
const SEGMENTS = CHALLENGE_PATH.split('/').filter(Boolean);
/** Linux resolves /proc/self/fd/N to the opened directory itself: an openat() for a runtime that has none. */
const FD_PATHS = existsSync('/proc/self/fd');

interface OpenedDir {
  handle: FileHandle;
  /** A path that reaches the directory through its descriptor when the platform allows it. */
  viaFd: string;
  real: string;
  created: boolean;
}

export class WebrootHttp01 implements Http01Solver {
  /** Directories this solver created, deepest last, so close() can remove them again once empty. */
  private readonly createdDirs: string[] = [];

  private constructor(readonly webroot: string) {}

  get description(): string {
    return `webroot ${this.webroot}`;
  }

  static async open(webroot: string): Promise<WebrootHttp01> {
    const dir = path.resolve(webroot);
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new BadInputError('bad-webroot', `The webroot ${dir} does not exist or is not a directory.`, 'Pass the document root your web server serves for these names.');
    }
    return new WebrootHttp01(dir);
  }

  async present(token: string, keyAuthorization: string): Promise<() => Promise<void>> {
    if (!isSafeToken(token)) throw new BadInputError('bad-token', `The CA sent a malformed challenge token: ${JSON.stringify(token)}.`);
    const challengeDir = path.join(this.webroot, ...SEGMENTS);
    let dir: OpenedDir | undefined;
    try {
      dir = await this.openChallengeDir();
      const target = path.join(dir.viaFd, token);
      // Write then rename, so the web server never serves a partial answer. The temp name is random and created
      // with O_EXCL|O_NOFOLLOW: a planted symlink under any name makes the open fail instead of being followed.
      const tmp = path.join(dir.viaFd, `.${token}.${randomBytes(8).toString('hex')}.tmp`);
      const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, FILE_MODE);
      let ino: number;
      try {
        await fh.chmod(FILE_MODE);
        await fh.writeFile(keyAuthorization);
        ino = (await fh.stat()).ino;
      } catch (err) {
        await fh.close().catch(() => undefined);
        await unlink(tmp).catch(() => undefined);
        throw err;
      } finally {
        await fh.close().catch(() => undefined);
      }
      // rename() replaces a planted entry at the final name without following it.
      await rename(tmp, target);
      const answer = path.join(dir.real, token);
      return async () => {
        // Only what we wrote: if the entry was replaced since, it is someone else's and stays.
        const now = await lstat(answer).catch(() => undefined);
        if (now?.isFile() && now.ino === ino) await unlink(answer).catch(() => undefined);
      };
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError(
        `Cannot write the challenge file in ${challengeDir}: ${(err as Error).message}.`,
        'certdeck needs write access to <webroot>/.well-known/acme-challenge/, and neither directory may be a symlink.',
        err,
      );
    } finally {
      await dir?.handle.close().catch(() => undefined);
    }
  }

  /** Opens (creating when missing) .well-known/acme-challenge one level at a time, refusing symlinks at each level. */
  private async openChallengeDir(): Promise<OpenedDir> {
    let parent = await openDir(this.webroot, this.webroot, false, true);
    for (const segment of SEGMENTS) {
      const child = path.join(parent.viaFd, segment);
      const real = path.join(parent.real, segment);
      let created = false;
      try {
        await mkdir(child, { mode: DIR_MODE });
        created = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          await parent.handle.close();
          throw err;
        }
      }
      let opened: OpenedDir;
      try {
        opened = await openDir(child, real, created);
      } finally {
        await parent.handle.close();
      }
      if (created) {
        await opened.handle.chmod(DIR_MODE);
        this.createdDirs.push(real);
      } else {
        await makeTraversable(opened.handle);
      }
      parent = opened;
    }
    return parent;
  }

  async close(): Promise<void> {
    // Deepest first; rmdir fails on a directory that is not empty (a concurrent order's file, the operator's own).
    for (const dir of this.createdDirs.splice(0).reverse()) await rmdir(dir).catch(() => undefined);
  }
}

async function openDir(viaPath: string, real: string, created: boolean, followLink = false): Promise<OpenedDir> {
  let handle: FileHandle;
  try {
    // The webroot itself is the operator's configured path: a symlink there is theirs to choose and is followed.
    handle = await open(viaPath, constants.O_RDONLY | constants.O_DIRECTORY | (followLink ? 0 : constants.O_NOFOLLOW));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') {
      throw new StorageError(
        `${real} is a symlink or not a directory; certdeck does not follow links inside a webroot.`,
        `Remove ${real} (whoever can write the webroot may have planted it) and run the command again; certdeck creates it itself.`,
        err,
      );
    }
    throw err;
  }
  const viaFd = FD_PATHS ? `/proc/self/fd/${handle.fd}` : real;
  return { handle, viaFd, real, created };
}

/**
 * A challenge directory an older run left behind under a strict umask (0700) makes the web server answer 403.
 * Only one we own is fixed, and only by adding read and search for everyone: nothing is taken away.
 */
async function makeTraversable(handle: FileHandle): Promise<void> {
  const info = await handle.stat();
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : -1;
  if (info.uid === uid && (info.mode & 0o055) !== 0o055) await handle.chmod((info.mode & 0o7777) | 0o055);
}
