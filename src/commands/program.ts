import { Command, Option } from 'commander';
import { EXIT_CODES } from '../engine/core/errors.js';
import { registerIssueCommand } from './issue.cli.js';
import { registerSandboxCommand } from './sandbox.cli.js';
import { registerDeployCommand } from './deploy.cli.js';
import { registerNotifyCommand } from './notify.cli.js';
import { registerCompletionCommand } from './completion.cli.js';
import { versionLine } from './version-line.js';
import { registerAccountCommand } from './account.cli.js';
import { registerLogCommand } from './log.cli.js';
import { registerRenewCommand } from './renew.cli.js';
import { registerScheduleCommand } from './schedule.cli.js';
import { registerImportCommand } from './import.cli.js';

export function buildProgram(version: string): Command {
  const program = new Command();
  program
    .name('certdeck')
    .description(
      'Obtain, renew, deploy and troubleshoot TLS certificates over ACME (RFC 8555) from any CA.\n' +
        'With no command on a terminal, opens the interactive dashboard (the guided setup when nothing is set up yet).',
    )
    .version(versionLine(version), '-V, --version', 'print the version and the Node.js it runs on')
    .showHelpAfterError('(run with --help for usage)')
    // Options after a command name belong to that command: `deploy` and its subcommands both have --json.
    .enablePositionalOptions()
    // A usage error (unknown option, missing argument) is bad input: exit 2 as documented, not commander's 1.
    // Set before the commands are added, which inherit it.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_CODES.badInput))
    .addOption(new Option('--no-tui', 'never open the interactive view'))
    .action(async (opts: { tui: boolean }, cmd: Command) => {
      // The root takes no arguments: a word here is a command certdeck does not have (commander would call it
      // "too many arguments", since the root has an action of its own: the dashboard).
      if (cmd.args.length > 0) unknownCommand(cmd, cmd.args[0]!);
      const { runDashboard } = await import('./dashboard.js');
      process.exitCode = await runDashboard({ tui: opts.tui });
    });
  program
    .command('setup')
    .description('Guided setup on a terminal: names, preflight checks, CA, account and terms, challenge, key, deploy, renewal, review (with the equivalent commands), then the order.')
    .addHelpText('after', '\nNeeds a terminal. For scripts use the headless commands it prints at its review step:\n  certdeck account add --ca ID --email ADDRESS --agree-tos\n  certdeck issue NAME... --ca ID\n  certdeck deploy add NAME files --dir DIR')
    .action(async () => {
      const { runSetupCommand } = await import('./setup.js');
      process.exitCode = await runSetupCommand();
    });
  program
    .command('list')
    .description('List the certificates certdeck manages: names covered, CA, days left, and whether renewal is due.')
    .option('--json', 'print JSON (dates in ISO 8601)')
    .action(async (opts: { json?: boolean }) => {
      const { runListCommand } = await import('./list.js');
      process.exitCode = await runListCommand(opts, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
  program
    .command('sync')
    .description('Copy the certificates of the shared storage (CERTDECK_STORAGE=redis://…) into this node\'s live/ directory and run this node\'s deploy targets for each one that changed.')
    .option('--watch', 'keep running and apply each certificate another node stores, as it is stored')
    .option('--http-port <port>', "with --watch: answer the CA's HTTP-01 requests on this port for orders any node placed")
    .option('--http-address <addr>', 'with --http-port: the address to listen on (default all)')
    .option('--json', 'print one JSON object per certificate')
    .action(async (opts: { watch?: boolean; json?: boolean; httpPort?: string; httpAddress?: string }) => {
      const { runSyncCommand } = await import('./sync.js');
      process.exitCode = await runSyncCommand(opts, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
  program
    .command('doctor')
    .description('Diagnose certificates, their DNS and their CAs: each finding says what was seen and what to do. Exit 0 when no finding is an error, 1 otherwise.')
    .argument('[name...]', 'certificate names to check (default: all)')
    .option('--offline', 'only the checks that need no network: files, keys, chains, dates, locks, journal, catalog')
    .option('--json', 'print one JSON object: findings (id, severity, tier, certName, seen, todo) and every check')
    .option('--resolver <addr,...>', 'DNS servers to ask (IP[:PORT]); default: the system resolver, or the sandbox DNS for sandbox certificates')
    .action(async (names: string[], opts: { offline?: boolean; json?: boolean; resolver?: string }) => {
      const { runDoctorCommand } = await import('./doctor.js');
      process.exitCode = await runDoctorCommand(names, opts, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
  registerIssueCommand(program);
  registerRenewCommand(program);
  registerScheduleCommand(program);
  registerSandboxCommand(program);
  registerDeployCommand(program);
  registerNotifyCommand(program);
  registerCompletionCommand(program);
  registerAccountCommand(program);
  registerLogCommand(program);
  registerImportCommand(program);
  program.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 failed, 2 bad input or configuration, 3 partial, 4 network, 5 timeout, 6 rate-limited,\n' +
      '7 CA problem, 8 certificate locked by another process, 9 storage, 10 renewal failed but certificate still valid,\n' +
      '130 cancelled.',
  );
  // Set last so no command inherits it: only the root lets extra words through, to name them as unknown commands.
  program.allowExcessArguments(true);
  return program;
}

/** "error: unknown command 'renew' (Did you mean ...?)" and the commands there are, then exit 2 (bad input). */
function unknownCommand(program: Command, name: string): never {
  const visible = program.createHelp().visibleCommands(program).filter((c) => c.name() !== 'help');
  const suggestion = closestName(name, visible.map((c) => c.name()));
  const width = Math.max(...visible.map((c) => c.name().length));
  const list = visible.map((c) => `  ${c.name().padEnd(width)}  ${c.description().split('\n')[0] ?? ''}`).join('\n');
  program.error(`error: unknown command '${name}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}\n\nCommands:\n${list}\n\nRun certdeck <command> --help for one command's options.`, {
    exitCode: EXIT_CODES.badInput,
    code: 'commander.unknownCommand',
  });
}

/** The command within two edits of what was typed, if any (a typo, not a different word). */
function closestName(typed: string, names: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(typed.toLowerCase(), name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
