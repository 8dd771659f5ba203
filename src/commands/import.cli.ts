import type { Command } from 'commander';

export interface ImportCliOptions {
  dryRun?: boolean;
  json?: boolean;
  configDir?: string;
  home?: string;
  path?: string;
  server?: string;
  email?: string;
}

const io = () => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

const AFTER =
  '\nRead-only: the other client\'s files are opened for reading and never changed; its cron job or timer keeps\n' +
  'running until you disable it. Each certificate and account is listed as "import", "already managed" (nothing is\n' +
  'written: running the import again is safe) or "cannot import" with the reason, and everything the other client\n' +
  'did that certdeck will not do is listed with what to do instead. Accounts keep their key and URL, so the CA sees\n' +
  'the same account (no new registration). Exit 0 when the import ran (or the preview was shown), 2 on bad input.';

export function registerImportCommand(program: Command): void {
  const cmd = program
    .command('import')
    .description('Take over the certificates and accounts of certbot, acme.sh or lego (read-only; --dry-run to preview).')
    .addHelpText('after', AFTER);
  const run = (client: 'certbot' | 'acme.sh' | 'lego') => async (opts: ImportCliOptions) => {
    const { runImportCommand } = await import('./import.js');
    process.exitCode = await runImportCommand(client, opts, io());
  };
  cmd
    .command('certbot')
    .description("Import certbot's certificates (renewal/*.conf, live/), accounts and hooks.")
    .option('--config-dir <dir>', "certbot's configuration directory", '/etc/letsencrypt')
    .option('--dry-run', 'show what would be imported; write nothing')
    .option('--json', 'print the plan (and what was imported) as JSON')
    .action(run('certbot'));
  cmd
    .command('acme.sh')
    .description("Import acme.sh's certificates (<domain>[_ecc]/<domain>.conf), accounts (ca/) and reload commands.")
    .option('--home <dir>', "acme.sh's home (default: $LE_CONFIG_HOME or ~/.acme.sh)")
    .option('--dry-run', 'show what would be imported; write nothing')
    .option('--json', 'print the plan (and what was imported) as JSON')
    .action(run('acme.sh'));
  cmd
    .command('lego')
    .description("Import lego's certificates (certificates/*.json) and accounts (accounts/<server>/<email>/).")
    .option('--path <dir>', "lego's --path (default: $LEGO_PATH or ./.lego)")
    .option('--server <url>', 'the ACME directory URL lego used (lego records only its host; needed when certdeck does not know that CA)')
    .option('--email <address>', "the account lego obtained the certificates with, when it has several at that CA")
    .option('--dry-run', 'show what would be imported; write nothing')
    .option('--json', 'print the plan (and what was imported) as JSON')
    .action(run('lego'));
}
