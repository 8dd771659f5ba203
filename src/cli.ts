#!/usr/bin/env node
/**
 * certdeck's entry point: argv -> command. Kept tiny on purpose: `certdeck --version` must answer without
 * loading React, Ink or the ACME stack, so every command's module is imported only when that command runs.
 */
import { readFileSync } from 'node:fs';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${packageVersion()}\n`);
} else {
  const { buildProgram } = await import('./commands/program.js');
  const program = buildProgram(packageVersion());
  await program.parseAsync(process.argv);
}
