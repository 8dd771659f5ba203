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

export function buildProgram(version: string): Command {
  const program = new Command();
  program
    .name('certdeck')
    .description(
      'Obtain, renew, deploy and troubleshoot TLS certificates over ACME (RFC 8555) from any CA.\n' +
        'With no command on a terminal, opens the interactive dashboard.',
    )
    .version(versionLine(version), '-V, --version', 'print the version and the Node.js it runs on')
    .showHelpAfterError('(run with --help for usage)')
    // Options after a command name belong to that command: `deploy` and its subcommands both have --json.
    .enablePositionalOptions()
    // A usage error (unknown option, missing argument) is bad input: exit 2 as documented, not commander's 1.
    // Set before the commands are added, which inherit it.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_CODES.badInput))
    .addOption(new Option('--no-tui', 'never open the interactive view'))
    .action(async (opts: { tui: boolean }) => {
      const { runDashboard } = await import('./dashboard.js');
      process.exitCode = await runDashboard({ tui: opts.tui });
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
  registerSandboxCommand(program);
  registerDeployCommand(program);
  registerNotifyCommand(program);
  registerCompletionCommand(program);
  registerAccountCommand(program);
  registerLogCommand(program);
  program.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 failed, 2 bad input or configuration, 3 partial, 4 network, 5 timeout, 6 rate-limited,\n' +
      '7 CA problem, 8 certificate locked by another process, 9 storage, 10 renewal failed but certificate still valid,\n' +
      '130 cancelled.',
  );
  return program;
}
