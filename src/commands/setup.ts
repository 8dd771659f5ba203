import { EXIT_CODES } from '../engine/core/errors.js';
import { runDashboard } from './dashboard.js';

/** `certdeck setup`: the guided setup, on a terminal only; the dashboard follows when it is done. */
export async function runSetupCommand(): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write(
      'certdeck setup: the guided setup needs a terminal. Without one, use the headless commands it would run:\n' +
        '  certdeck account add --ca letsencrypt-staging --email you@example.com --agree-tos\n' +
        '  certdeck issue example.com www.example.com --ca letsencrypt-staging\n' +
        '  certdeck deploy add example.com files --dir /etc/ssl/example.com\n' +
        'See certdeck --help.\n',
    );
    return EXIT_CODES.badInput;
  }
  return runDashboard({ tui: true, setup: 'always' });
}
