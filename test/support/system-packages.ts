import { SYSTEM_PACKAGES, installLine, isInstalled } from '../../scripts/ensure-system-packages.mjs';

/**
 * The `skip` option for tests that need Debian packages (pebble, nginx-light, tmux, ...). `npm test` installs them
 * first (scripts/ensure-system-packages.mjs), so this only matters for a test file run by hand. Never silent: a skip
 * says which package and the install line on stderr, and in CI (CI=true) a missing package fails the test file
 * instead, so a green CI run always means the real CA, web server and terminal were used.
 */
export function systemPackagesSkip(pkgs: readonly string[], env: NodeJS.ProcessEnv = process.env): false | string {
  const wanted = SYSTEM_PACKAGES.filter((p) => pkgs.includes(p.pkg));
  const unknown = pkgs.filter((p) => !SYSTEM_PACKAGES.some((s) => s.pkg === p));
  if (unknown.length) throw new Error(`not in SYSTEM_PACKAGES (scripts/ensure-system-packages.mjs): ${unknown.join(', ')}`);
  const missing = wanted.filter((p) => !isInstalled(p, env));
  if (missing.length === 0) return false;
  const message = `missing Debian package(s) ${missing.map((m) => m.pkg).join(', ')}: ${installLine(missing)}`;
  if (env.CI === 'true' || env.CI === '1') throw new Error(`${message} (CI: a missing system package is a failure, not a skip)`);
  process.stderr.write(`SKIPPING tests: ${message}\n`);
  return message;
}
