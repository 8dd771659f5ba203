#!/usr/bin/env node
/**
 * Makes sure the Debian packages the demo and the tests run for real (Pebble as the CA, nginx for deploy checks,
 * tmux for the terminal tests, ...) are installed, so `npm ci && npm test` and `npm ci && npm run demo` do the whole
 * set-up on a fresh Debian machine. Running as root with apt-get, it says what it installs and installs it;
 * otherwise it stops with the one `apt-get install` line to run. A test run never goes on without them: a test
 * that cannot reach its CA would otherwise skip itself and the run would look green while testing nothing.
 *
 *   node scripts/ensure-system-packages.mjs            # check, install (root) or explain; exit 1 if still missing
 *   node scripts/ensure-system-packages.mjs --check    # only report; exit 1 if something is missing
 *
 * Plain JavaScript with no imports beyond node:*, so it runs before `npm run build` and under any Node on PATH.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every Debian package certdeck's demo or tests need, with a program it ships (how its presence is checked where
 * dpkg is not available). Later work that needs another package adds it here, and nowhere else.
 */
export const SYSTEM_PACKAGES = [
  { pkg: 'pebble', program: 'pebble', why: 'the local ACME CA (sandbox, demo, order tests)' },
  { pkg: 'nginx-light', program: 'nginx', why: 'deploy checks against a real web server' },
  { pkg: 'tmux', program: 'tmux', why: 'end-to-end tests of the terminal UI' },
  { pkg: 'openssl', program: 'openssl', why: 'certificate checks in tests' },
  { pkg: 'redis-server', program: 'redis-server', why: 'the shared-storage tests' },
  { pkg: 'certbot', program: 'certbot', why: 'imports from certbot' },
  { pkg: 'lego', program: 'lego', why: 'imports from lego' },
  { pkg: 'curl', program: 'curl', why: "the sandbox's ready dns-01 hook (assets/hooks/challtestsrv-dns-hook)" },
  { pkg: 'zsh', program: 'zsh', why: 'the shell completion tests' },
  { pkg: 'fish', program: 'fish', why: 'the shell completion tests' },
];

/** Debian's own answer first; where dpkg is absent (not Debian), whether the package's program is on PATH. */
export function isInstalled(entry, env = process.env, run = spawnSync) {
  const q = run('dpkg-query', ['-W', '-f=${Status}', entry.pkg], { encoding: 'utf8', env });
  if (!q.error) return q.status === 0 && /install ok installed/.test(q.stdout ?? '');
  const dirs = [...(env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin'].filter(Boolean);
  return dirs.some((dir) => {
    try {
      accessSync(path.join(dir, entry.program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function missingPackages(probe = (entry) => isInstalled(entry)) {
  return SYSTEM_PACKAGES.filter((entry) => !probe(entry));
}

export function installLine(missing) {
  return `apt-get install -y --no-install-recommends ${missing.map((m) => m.pkg).join(' ')}`;
}

/**
 * What to do about the missing packages: nothing, install them (root with apt-get), or tell the operator the line.
 * @returns {{ action: 'none' } | { action: 'install', line: string } | { action: 'explain', line: string }}
 */
export function plan(missing, { isRoot, hasAptGet, checkOnly }) {
  if (missing.length === 0) return { action: 'none' };
  const line = installLine(missing);
  if (checkOnly || !isRoot || !hasAptGet) return { action: 'explain', line: isRoot ? line : `sudo ${line}` };
  return { action: 'install', line };
}

function main(argv) {
  const checkOnly = argv.includes('--check');
  const missing = missingPackages();
  const hasAptGet = !spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).error;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const todo = plan(missing, { isRoot, hasAptGet, checkOnly });
  if (todo.action === 'none') return 0;
  const list = missing.map((m) => `  ${m.pkg} (${m.why})`).join('\n');
  if (todo.action === 'explain') {
    process.stderr.write(`certdeck needs these Debian packages, which are not installed:\n${list}\nInstall them with:\n  ${todo.line}\n`);
    return 1;
  }
  process.stderr.write(`certdeck needs these Debian packages, which are not installed:\n${list}\nInstalling them now (running as root): ${todo.line}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const pkgs = missing.map((m) => m.pkg);
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  if (r.status !== 0) {
    // A fresh machine often has no package lists yet.
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  }
  if (r.status !== 0) {
    process.stderr.write(`apt-get could not install them; run it yourself and try again:\n  ${todo.line}\n`);
    return 1;
  }
  // Debian starts nginx and redis as services on install; the demo and tests run their own on loopback ports.
  for (const unit of ['nginx', 'redis-server']) spawnSync('systemctl', ['stop', unit], { stdio: 'ignore' });
  const still = missingPackages();
  if (still.length) {
    process.stderr.write(`still missing after apt-get: ${still.map((m) => m.pkg).join(' ')}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = main(process.argv.slice(2));
}
