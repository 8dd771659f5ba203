import type { Command } from 'commander';

export interface ScheduleCliOptions {
  unitDir?: string;
}

export function registerScheduleCommand(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('Run `certdeck renew` twice a day: install or remove the systemd timer, or print the cron line.')
    .addHelpText(
      'after',
      '\nWith systemd running and certdeck run as root, `install` writes certdeck-renew.service and certdeck-renew.timer\n' +
        '(twice a day, RandomizedDelaySec, Persistent=true) with this CERTDECK_HOME and this certdeck\'s absolute paths,\n' +
        'then enables the timer. Otherwise it prints the equivalent crontab line to add yourself.\n' +
        '--unit-dir DIR writes the units there instead, without calling systemctl (to review or package them).',
    );
  for (const action of ['install', 'remove', 'status'] as const) {
    schedule
      .command(action)
      .description(
        action === 'install'
          ? 'install and enable the timer (or print the cron line without systemd/root)'
          : action === 'remove'
            ? 'disable the timer and remove both units'
            : 'show whether the units are installed and the timer enabled',
      )
      .option('--unit-dir <dir>', 'systemd unit directory (default /etc/systemd/system; given: no systemctl calls)')
      .action(async (opts: ScheduleCliOptions) => {
        const { runScheduleCommand } = await import('./schedule.js');
        process.exitCode = await runScheduleCommand(action, opts, { stdout: process.stdout, stderr: process.stderr, env: process.env });
      });
  }
}
