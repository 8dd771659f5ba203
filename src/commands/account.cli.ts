import type { Command } from 'commander';

export interface AccountAddCliOptions {
  ca: string;
  caBundle?: string;
  email?: string;
  agreeTos?: boolean;
  eabKid?: string;
  eabHmacKey?: string;
  json?: boolean;
}

const io = () => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

export function registerAccountCommand(program: Command): void {
  const account = program
    .command('account')
    .description('ACME accounts: list them, create one before issuing (scripts), show or deactivate one.')
    .addHelpText(
      'after',
      '\nAn account is named <ca-slug>/<email|default>, as `account list` shows it. Once an account exists for a CA,\n' +
        '`issue` reuses it (the one recorded for the certificate, or the only one for that CA): no --email or\n' +
        '--agree-tos needed again. Keys and EAB HMAC keys are never printed.',
    );
  account
    .command('list')
    .description('List the accounts certdeck has, with the terms of service each agreed to and when.')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { runAccountListCommand } = await import('./account.js');
      process.exitCode = await runAccountListCommand(opts, io());
    });
  account
    .command('add')
    .description("Create an account at a CA (agreeing to its terms of service), or show the existing one for that CA and e-mail.")
    .requiredOption('--ca <id|url>', 'CA id from the catalog or an ACME directory URL')
    .option('--ca-bundle <file.pem>', 'PEM bundle to trust for this CA only (private ACME servers)')
    .option('--email <address>', 'contact e-mail for the account')
    .option('--agree-tos', "agree to the CA's terms of service (needed to create an account)")
    .option('--eab-kid <kid>', 'External Account Binding key id (or CERTDECK_EAB_KID)')
    .option('--eab-hmac-key <key>', 'External Account Binding HMAC key (or CERTDECK_EAB_HMAC_KEY; prefer the variable: flags show in ps)')
    .option('--json', 'print JSON')
    .action(async (opts: AccountAddCliOptions) => {
      const { runAccountAddCommand } = await import('./account.js');
      process.exitCode = await runAccountAddCommand(opts, io());
    });
  account
    .command('show')
    .description('Show one account: CA, e-mail, account URL, terms of service agreed to, certificates using it.')
    .argument('<account>', 'account reference, <ca-slug>/<email|default> (see account list)')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { json?: boolean }) => {
      const { runAccountShowCommand } = await import('./account.js');
      process.exitCode = await runAccountShowCommand(ref, opts, io());
    });
  account
    .command('deactivate')
    .description('Deactivate an account at its CA (RFC 8555 7.3.6). It cannot be undone: the account can never order again.')
    .argument('<account>', 'account reference, <ca-slug>/<email|default> (see account list)')
    .option('--ca-bundle <file.pem>', 'PEM bundle to trust for this CA only (private ACME servers)')
    .option('--yes', 'confirm: deactivation cannot be undone')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { caBundle?: string; yes?: boolean; json?: boolean }) => {
      const { runAccountDeactivateCommand } = await import('./account.js');
      process.exitCode = await runAccountDeactivateCommand(ref, opts, io());
    });
}
