import { Argument, type Command } from 'commander';
import { NOTIFY_EVENT_HELP, NOTIFY_EVENTS } from '../engine/api.js';

/** Options of `certdeck notify add KIND ...`. */
export interface NotifyAddCliOptions {
  id?: string;
  cert?: string[];
  events?: string;
  timeout?: string;
  attempts?: string;
  secretFile?: string;
  secretEnv?: string;
  expiringDays?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function io() {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

export function registerNotifyCommand(program: Command): void {
  const notify = program
    .command('notify')
    .description('Tell a webhook or a program when a renewal fails, a certificate is close to expiry, one is issued, or a deploy is partial.')
    .enablePositionalOptions()
    .addHelpText(
      'after',
      `\nEvents (a notifier gets all unless --events narrows it):\n${NOTIFY_EVENTS.map((e) => `  ${e.padEnd(27)} ${NOTIFY_EVENT_HELP[e]}`).join('\n')}\n` +
        '\nExamples:\n' +
        '  certdeck notify add webhook https://hooks.example.net/certdeck --secret-file /etc/certdeck/hook.key\n' +
        '  certdeck notify add webhook https://chat.example.net/hook --cert example.com --events renewal-failed,expiring\n' +
        '  certdeck notify add command --timeout 20s -- /usr/local/bin/page-oncall --team web\n' +
        '  certdeck notify list\n' +
        '  certdeck notify test webhook-1\n' +
        '\nA failed notification never fails a renewal: it is logged (and shown) as a warning.',
    );

  notify
    .command('add')
    .description('Add a notifier: a webhook (HTTP POST of a JSON body) or a command (run without a shell).')
    .addArgument(new Argument('<kind>', 'notifier kind').choices(['webhook', 'command']))
    .argument('[target...]', 'webhook: the URL; command: the program and its arguments, after --')
    .option('--id <id>', 'notifier id (default: KIND-N)')
    .option('--cert <name>', 'only for this certificate (repeatable; default: every certificate)', collect)
    .option('--events <list>', `comma-separated events (default: all): ${NOTIFY_EVENTS.join(', ')}`)
    .option('--timeout <duration>', 'webhook: per attempt (default 10s); command: per run (default 30s)')
    .option('--attempts <n>', 'webhook: attempts per event, the first included (1-10, default 4)')
    .option('--secret-file <file>', 'webhook: file holding the HMAC-SHA256 secret; signs each body (X-Certdeck-Signature)')
    .option('--secret-env <VAR>', 'webhook: environment variable holding the HMAC secret (its NAME, not the value)')
    .option('--expiring-days <n>', 'expiring: notify when the certificate expires within this many days (default 14)')
    .option('--json', 'print the saved notifier as JSON')
    .action(async (kind: 'webhook' | 'command', target: string[], opts: NotifyAddCliOptions) => {
      const { runNotifyAddCommand } = await import('./notify.js');
      process.exitCode = await runNotifyAddCommand(kind, target, opts, io());
    });

  notify
    .command('list')
    .description('List the notifiers (webhook URLs with their secrets redacted).')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { runNotifyListCommand } = await import('./notify.js');
      process.exitCode = await runNotifyListCommand(opts, io());
    });

  notify
    .command('remove')
    .description('Remove a notifier.')
    .argument('<id>', 'id shown by `certdeck notify list`')
    .action(async (id: string) => {
      const { runNotifyRemoveCommand } = await import('./notify.js');
      process.exitCode = await runNotifyRemoveCommand(id, io());
    });

  notify
    .command('test')
    .description('Send a test notification to one notifier, or to every one; exit 0 when all were delivered.')
    .argument('[id]', 'notifier id (default: all)')
    .option('--json', 'print the results as JSON')
    .action(async (id: string | undefined, opts: { json?: boolean }) => {
      const { runNotifyTestCommand } = await import('./notify.js');
      process.exitCode = await runNotifyTestCommand(id, opts, io());
    });
}
