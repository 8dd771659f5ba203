import type { Command } from 'commander';

export interface RenewCliOptions {
  force?: boolean;
  json?: boolean;
  jitter?: string;
  verbose?: boolean;
}

export function registerRenewCommand(program: Command): void {
  program
    .command('renew')
    .description('Renew every managed certificate that is due (or the named ones), each with its stored request.')
    .argument('[name...]', 'certificate names (as `certdeck list` shows them); default: all')
    .option('--force', 'renew now, whatever the renewal window, ARI and the retry schedule say')
    .option('--json', 'print one JSON engine event per line (NDJSON) and a final summary')
    .option('--jitter <duration>', 'first sleep a random time up to DURATION (e.g. 1h, 30m), so cron runs spread out; off by default')
    .option('-v, --verbose', 'also print every exchange with the CA')
    .addHelpText(
      'after',
      '\nA certificate is due at the time certdeck chose inside its CA\'s ARI window (RFC 9773, when the CA offers it;\n' +
        'the new order then names the old certificate in "replaces"), or once a third of its lifetime is left (half for\n' +
        'certificates shorter than 10 days), whichever comes first. A CA without ARI is not contacted unless something\n' +
        'is due; a CA that cannot be reached never fails a certificate that is not due. After a failed renewal the\n' +
        'next attempt waits 1 minute, then 10 minutes, 100 minutes, then a day (--force tries at once).\n' +
        '\nExit codes: 0 all fine (renewed or not due), 3 some failed, 10 every failed renewal left a certificate that\n' +
        'is still valid (including one waiting for its next attempt), 2 bad input, 130 cancelled.\n' +
        '\nRun it from cron or a systemd timer: `certdeck schedule install` sets that up.',
    )
    .action(async (names: string[], opts: RenewCliOptions) => {
      const { runRenewCommand } = await import('./renew.js');
      process.exitCode = await runRenewCommand(names, opts, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
}
