/**
 * certdeck's CLI, loaded by the bin (cli.ts) once the Node version is known to be good: argv -> command. Kept tiny
 * on purpose: `certdeck --version` must answer without loading React, Ink or the ACME stack, so every command's
 * module is imported only when that command runs.
 */
import module from 'node:module';
import { packageVersion } from './engine/core/package-root.js';
import { versionLine } from './commands/version-line.js';

// `certdeck list | head`: a reader that stops early is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${versionLine(packageVersion())}\n`);
} else {
  // V8's compiled code for our modules and dependencies, kept on disk between runs (Node's own cache directory
  // under the OS temp dir): a cron run or a second command starts without re-parsing acme-client, axios and Ink.
  // NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  module.enableCompileCache?.();
  const { buildProgram } = await import('./commands/program.js');
  const program = buildProgram(packageVersion());
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    // An engine error that escaped a command (a refused state home, an unwritable file) is a message and an exit
    // code for the operator, never a stack trace.
    const { EngineError, exitCodeFor } = await import('./engine/core/errors.js');
    if (!(err instanceof EngineError)) throw err;
    process.stderr.write(`certdeck: ${err.message}\n${err.hint ? `  what to do: ${err.hint}\n` : ''}`);
    process.exitCode = exitCodeFor(err.kind);
  }
}
