import { chmodSync, lstatSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { ConfigError } from '../core/errors.js';

/**
 * The state home holds account keys, certificate keys and the journal, and certdeck often runs as root. A home
 * another user can write (or owns) lets that user plant symlinks that certdeck would then write through, or swap
 * a key. So an existing home must be a directory owned by the user running certdeck and writable by nobody else;
 * anything else is refused with what to do. A missing home is created, 0700.
 */
export function checkStateHome(dir: string): void {
  let link: Stats;
  try {
    link = lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return createHome(dir);
    throw new ConfigError('state-home-unreadable', `The certdeck state home ${dir} cannot be read: ${(err as Error).message}.`, 'Set CERTDECK_HOME to a directory you own.', err);
  }
  // A symlinked home (an operator's choice, e.g. onto a bigger disk) is judged by what it points at, and the link
  // itself must be the user's own: a link planted by someone else is refused like their directory would be.
  const info = link.isSymbolicLink() ? safeStat(dir) : link;
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : undefined;
  if (!info) {
    throw new ConfigError('state-home-broken-link', `The certdeck state home ${dir} is a symlink to nothing.`, `Remove the link or point it at a directory you own (mkdir -m 700 DIR).`);
  }
  if (!info.isDirectory()) {
    throw new ConfigError('state-home-not-dir', `The certdeck state home ${dir} is not a directory.`, 'Move it aside, or set CERTDECK_HOME to a directory you own.');
  }
  if (uid !== undefined) {
    for (const [what, s] of [['link', link], ['directory', info]] as const) {
      if (s.uid !== uid) {
        throw new ConfigError(
          'state-home-foreign',
          `The certdeck state home ${dir} (the ${what}) belongs to user id ${s.uid}, not to the user running certdeck (${uid}); certdeck will not keep keys there.`,
          `Run certdeck as that user, or give the home to this one (chown -R ${uid} ${dir}), or set CERTDECK_HOME to a directory you own.`,
        );
      }
    }
  }
  if ((info.mode & 0o022) !== 0) {
    throw new ConfigError(
      'state-home-writable',
      `The certdeck state home ${dir} is writable by ${info.mode & 0o002 ? 'every user' : 'its group'} (mode ${(info.mode & 0o7777).toString(8)}); another user could plant files in it.`,
      `chmod 700 ${dir} (certdeck creates it that way), then run the command again.`,
    );
  }
}

/**
 * Created here, 0700 whatever the umask, rather than by whichever write comes first (conf creates its directory
 * with the umask's mode). A home that cannot be created is left to the first write to report.
 */
function createHome(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  } catch {
    // EACCES, EROFS: the first write reports it as a storage error with the path and what to do.
  }
}

function safeStat(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
