import { Argument, Option, type Command } from 'commander';

/** Options of `certdeck deploy NAME`. */
export interface DeployRunCliOptions {
  only?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Options of `certdeck deploy add NAME KIND`; which ones apply depends on KIND. */
export interface DeployAddCliOptions {
  id?: string;
  label?: string;
  timeout?: string;
  retries?: string;
  retryBackoff?: string;
  stopOnFailure?: boolean;
  // files
  dir?: string;
  certPath?: string;
  chainPath?: string;
  fullchainPath?: string;
  keyPath?: string;
  owner?: string;
  keyMode?: string;
  certMode?: string;
  // command
  cwd?: string;
  killGrace?: string;
  // pfx
  out?: string;
  passwordEnv?: string;
  friendlyName?: string;
  legacy?: boolean;
  // verify
  host?: string[];
  interval?: string;
  caBundle?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function io() {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

export function registerDeployCommand(program: Command): void {
  const deploy = program
    .command('deploy')
    .description("Deploy a certificate to its targets (files, hook commands, PFX, TLS checks), or manage those targets.")
    .argument('<name>', 'certificate name (as in live/<name>)')
    .option('--only <ids>', 'comma-separated target ids to run; "failed" = every target that did not succeed last time')
    .option('--json', 'print one JSON event per line (NDJSON) and a final summary line')
    .option('-v, --verbose', 'also print every target log line (hook output)')
    // `deploy` and its subcommands share option names (--json): without this (and the program's), `deploy list NAME
    // --json` would hand --json to `deploy` itself and the subcommand would print text.
    .enablePositionalOptions()
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  certdeck deploy add example.com files --dir /etc/nginx/certs/example.com --owner root:www-data\n' +
        '  certdeck deploy add example.com command --timeout 30s -- /usr/sbin/nginx -s reload\n' +
        '  certdeck deploy add example.com pfx --out /srv/app/example.pfx --password-env PFX_PASSWORD\n' +
        '  certdeck deploy add example.com verify --host example.com --host www.example.com@10.0.0.5:443\n' +
        '  certdeck deploy example.com            # run every target\n' +
        '  certdeck deploy example.com --only failed\n' +
        '\nExit codes: 0 all targets succeeded, 3 some failed, 1 all failed, 2 bad input, 130 cancelled.',
    )
    .action(async (name: string, opts: DeployRunCliOptions) => {
      const { runDeployCommand } = await import('./deploy.js');
      process.exitCode = await runDeployCommand(name, opts, io());
    });

  deploy
    .command('add')
    .description('Add a deploy target to a certificate (checked before it is saved: directories, program, hosts).')
    .argument('<name>', 'certificate name')
    .addArgument(new Argument('<kind>', 'target kind').choices(['files', 'command', 'pfx', 'verify']))
    .argument('[program...]', 'command targets: the program and its arguments, after --')
    .option('--id <id>', 'target id (default: KIND-N)')
    .option('--label <text>', 'what the summary calls this target')
    .option('--timeout <duration>', 'per attempt (verify: per name), e.g. 30s, 2m')
    .option('--retries <n>', 'extra attempts after a failure (default 0)')
    .option('--retry-backoff <duration>', 'wait before the first retry, doubled after each (default 2s)')
    .option('--stop-on-failure', 'skip the targets after this one when it fails (default: run them anyway)')
    .option('--dir <dir>', 'files: directory for cert.pem, chain.pem, fullchain.pem, privkey.pem')
    .option('--cert-path <file>', 'files: explicit path for the certificate')
    .option('--chain-path <file>', 'files: explicit path for the chain')
    .option('--fullchain-path <file>', 'files: explicit path for certificate + chain')
    .option('--key-path <file>', 'files: explicit path for the private key')
    .option('--owner <user:group>', 'files: owner of the written files (user, user:group, :group or uid:gid)')
    .option('--key-mode <octal>', 'files: mode of the key file (default 600)')
    .option('--cert-mode <octal>', 'files: mode of the certificate files (default 644)')
    .option('--cwd <dir>', 'command: working directory')
    .option('--kill-grace <duration>', 'command: after a timeout, time between SIGTERM and SIGKILL (default 2s)')
    .option('--out <file>', 'pfx: file to write')
    .option('--password-env <VAR>', 'pfx: environment variable that holds the password at deploy time')
    .option('--friendly-name <name>', 'pfx: friendly name stored with the key')
    .option('--legacy', 'pfx: 3DES + SHA-1 MAC for old Windows/Java importers (default AES-256 + SHA-256)')
    .option('--host <NAME[@ADDR][:PORT]>', 'verify: endpoint to check (repeatable); default: every name on port 443', collect)
    .option('--interval <duration>', 'verify: first wait between handshakes (default 500ms)')
    .option('--ca-bundle <file>', 'verify: PEM roots clients of these endpoints trust (private CA); the served chain must validate to them or the system roots')
    .option('--json', 'print the saved target as JSON')
    .action(async (name: string, kind: string, argv: string[], opts: DeployAddCliOptions) => {
      const { runDeployAddCommand } = await import('./deploy.js');
      process.exitCode = await runDeployAddCommand(name, kind, argv, opts, io());
    });

  deploy
    .command('list')
    .description("List a certificate's deploy targets and how each did last time.")
    .argument('<name>', 'certificate name')
    .addOption(new Option('--json', 'print JSON'))
    .action(async (name: string, opts: { json?: boolean }) => {
      const { runDeployListCommand } = await import('./deploy.js');
      process.exitCode = await runDeployListCommand(name, opts, io());
    });

  deploy
    .command('remove')
    .description('Remove a deploy target.')
    .argument('<name>', 'certificate name')
    .argument('<target-id>', 'id shown by `certdeck deploy list`')
    .action(async (name: string, id: string) => {
      const { runDeployRemoveCommand } = await import('./deploy.js');
      process.exitCode = await runDeployRemoveCommand(name, id, io());
    });
}
