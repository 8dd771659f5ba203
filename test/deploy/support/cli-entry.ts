/**
 * A certdeck binary with only the deploy command, so the deploy CLI tests run the real commander wiring and
 * process handling without depending on the rest of the program being built.
 */
import { Command } from 'commander';
import { registerDeployCommand } from '../../../src/commands/deploy.cli.js';

const program = new Command().name('certdeck').exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
registerDeployCommand(program);
await program.parseAsync(process.argv);
