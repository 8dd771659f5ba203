#!/usr/bin/env node
/**
 * The `certdeck` bin: checks the Node version, then loads the real CLI (main.ts). This file is built on its own
 * (not bundled, old syntax: no static imports, no top-level await) so that an older Node can parse it and print one
 * line saying what is needed, instead of a stack trace from some syntax or API in the bundle it cannot load.
 */

export {};

/** Keep in step with package.json "engines" (a unit test checks it). */
const MIN_NODE_MAJOR = 22;

const found = process.versions.node;
if (Number(found.split('.')[0]) < MIN_NODE_MAJOR) {
  process.stderr.write(`certdeck needs Node.js ${MIN_NODE_MAJOR} or newer, but this is Node.js v${found} (${process.execPath}); install Node.js ${MIN_NODE_MAJOR}+ and run certdeck with it.\n`);
  process.exit(1);
} else if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  // Answered here, before the CLI module graph loads: `--version` then costs what node's own start costs. The line
  // is versionLine() in commands/version-line.ts (this file imports nothing; keep the two in step).
  const { readFileSync } = process.getBuiltinModule('node:fs');
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`certdeck ${version} (node ${process.version})\n`);
} else {
  import('./main.js').catch((err: unknown) => {
    // A load failure of the CLI itself (a damaged installation); a command's own errors are handled inside.
    process.stderr.write(`certdeck: cannot start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
