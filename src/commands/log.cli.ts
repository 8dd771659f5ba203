import type { Command } from 'commander';

export interface LogCliOptions {
  order?: string;
  json?: boolean;
  follow?: boolean;
}

export function registerLogCommand(program: Command): void {
  program
    .command('log')
    .description(
      'Show the recorded order history (every step, wait and CA exchange: method, URL, status, problem, Retry-After,\n' +
        'timing), kept across restarts. With no NAME: one line per order of every certificate.',
    )
    .argument('[name]', 'certificate name (as in `certdeck list`): the full timeline of each of its orders')
    .option('--order <id>', 'only this order (ids are listed by `certdeck log NAME`)')
    .option('--json', 'print the recorded events, one JSON object per line (NDJSON)')
    .option('--follow', 'keep printing an order another certdeck is running (the last one if it runs, else the next to start) until it ends or Ctrl+C')
    .addHelpText(
      'after',
      '\nThe history lives in history/NAME.ndjson in the state home (0600), the last 20 orders or 2 MiB per certificate,\n' +
        'with no keys, EAB HMAC or request bodies in it.\n' +
        'Exit codes: 0 ok (with --follow: the order was issued), 1 the followed order failed or its process is gone,\n' +
        '2 bad input (unknown certificate or order), 130 stopped by Ctrl+C.',
    )
    .action(async (name: string | undefined, opts: LogCliOptions) => {
      const { runLogCommand } = await import('./log.js');
      process.exitCode = await runLogCommand(name, opts, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
}
