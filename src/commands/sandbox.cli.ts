import { Command, Option } from 'commander';
import { FAULT_SYNTAX_HELP, SANDBOX_PORTS_HELP } from '../sandbox/help-text.js';
import type { SandboxAction, SandboxCommandOptions } from './sandbox.js';

/** `certdeck sandbox start|stop|status`: a local ACME CA (Pebble) to try certdeck, and the fault proxy. */
export function registerSandboxCommand(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('Run a local test CA (two Pebbles and pebble-challtestsrv), optionally behind a fault proxy.')
    .addHelpText('after', '\nNeeds Debian\'s pebble package (apt-get install pebble). State lives in $CERTDECK_HOME/sandbox.');

  const run = (action: SandboxAction) => async (opts: SandboxCommandOptions) => {
    const { runSandboxCommand } = await import('./sandbox.js');
    process.exitCode = await runSandboxCommand(action, opts, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  };

  sandbox
    .command('start')
    .description('Start the sandbox in the background (nothing happens if it is already running) and print its status.')
    .option('--port-base <n>', 'use ports N..N+9 instead of the defaults (below)')
    .option('--http-port <n>', 'port Pebble validates HTTP-01 on, where certdeck\'s challenge server listens (default 5002)')
    .option('--fault <spec>', 'put the fault proxy in front of the "sandbox" CA (syntax below); on a running sandbox, changes its fault')
    .option('--nonce-reject <percent>', 'share of good nonces Pebble rejects as badNonce (Pebble default 5)')
    .option('--authz-reuse <percent>', 'share of orders that reuse a valid authorization (Pebble default 50)')
    .option('--json', 'print the state as JSON')
    .addHelpText('after', SANDBOX_PORTS_HELP + '\n\n' + FAULT_SYNTAX_HELP)
    .action(run('start'));

  sandbox
    .command('fault')
    .description('Change the fault scenario of the running sandbox (started with --fault); "none" clears it.')
    .argument('<spec>', 'fault scenario (syntax below), e.g. hang-processing:30, or none')
    .option('--json', 'print the state as JSON')
    .addHelpText('after', '\n' + FAULT_SYNTAX_HELP)
    .action(async (spec: string, opts: SandboxCommandOptions) => run('fault')({ ...opts, spec }));

  sandbox
    .command('stop')
    .description('Stop the sandbox\'s processes and remove its state file.')
    .option('--json', 'print {"stopped": true|false}')
    .action(run('stop'));

  sandbox
    .command('status')
    .description('Show directory URLs, CA bundle, HTTP-01 port, fault scenario and whether the processes run (exit 1 if not).')
    .addOption(new Option('--json', 'print {"running": bool, "state": ...}'))
    .action(run('status'));
}
