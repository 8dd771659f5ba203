import { execa } from 'execa';
import type { Clock } from '../core/clock.js';
import { redactSecrets } from '../core/redact.js';
import { killProcessGroup } from '../deploy/process-group.js';
import { NOTIFY_DEFAULTS, type CommandNotifierConfig, type DeliveryResult, type Notification, type Notifier } from './types.js';

/**
 * Runs the operator's program for an event: no shell, argv as configured, and a small environment (the basics a
 * script needs plus CERTDECK_* variables describing the event), not certdeck's whole environment: cron or a
 * service manager may hold credentials there (an EAB key) that a paging script has no business seeing. On timeout
 * the program's whole process group is killed. Not retried: a script can retry on its own terms.
 */

/** Passed through from certdeck's environment when set: what scripts commonly need to find programs and print text. */
const BASE_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const;
const KILL_GRACE_MS = 2_000;
const MAX_DETAIL = 300;

export function notificationEnvironment(n: Notification): Record<string, string> {
  const vars: Record<string, string> = {
    CERTDECK_EVENT: n.event,
    CERTDECK_CERT_NAME: n.certName,
    CERTDECK_DOMAINS: n.domains.join(' '),
    CERTDECK_MESSAGE: n.message,
    CERTDECK_AT: n.at,
    // Everything above and more, as the webhook body: for a script that wants to forward it.
    CERTDECK_NOTIFICATION_JSON: JSON.stringify(n),
  };
  if (n.notAfter !== undefined) vars.CERTDECK_NOT_AFTER = n.notAfter;
  if (n.daysLeft !== undefined) vars.CERTDECK_DAYS_LEFT = String(n.daysLeft);
  if (n.serial !== undefined) vars.CERTDECK_SERIAL = n.serial;
  if (n.error !== undefined) vars.CERTDECK_ERROR = n.error.message;
  if (n.test) vars.CERTDECK_TEST = '1';
  return vars;
}

export interface CommandDeps {
  clock: Clock;
  env: NodeJS.ProcessEnv;
}

export class CommandNotifier implements Notifier {
  constructor(
    readonly config: CommandNotifierConfig,
    private readonly deps: CommandDeps,
  ) {}

  async send(notification: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const [program, ...args] = this.config.argv as [string, ...string[]];
    const result = (ok: boolean, detail: string): DeliveryResult => ({ notifierId: this.config.id, ok, attempts: 1, detail: redactSecrets(detail).slice(0, MAX_DETAIL) });
    const env: Record<string, string> = {};
    for (const name of BASE_ENV) if (this.deps.env[name] !== undefined) env[name] = this.deps.env[name];
    const sub = execa(program, args, {
      detached: true,
      reject: false,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      buffer: { stderr: true },
      maxBuffer: { stderr: 64 * 1024 },
      extendEnv: false,
      env: { ...env, ...notificationEnvironment(notification) },
    });
    const exited = new Promise<void>((resolve) => {
      sub.once('exit', () => resolve());
      sub.once('error', () => resolve());
    });
    const timeoutMs = this.config.timeoutMs ?? NOTIFY_DEFAULTS.commandTimeoutMs;
    const stopWaiting = new AbortController();
    const over = this.deps.clock.sleep(timeoutMs, AbortSignal.any([signal, stopWaiting.signal])).then(
      () => 'timeout' as const,
      () => (signal.aborted ? ('cancelled' as const) : undefined),
    );
    const first = await Promise.race([sub.then(() => 'done' as const), over]);
    stopWaiting.abort();
    if (first === 'timeout' || first === 'cancelled') {
      if (sub.pid !== undefined) await killProcessGroup(sub.pid, exited, KILL_GRACE_MS, this.deps.clock);
      await sub.catch(() => undefined);
      return result(false, first === 'timeout' ? `${program}: no exit within ${timeoutMs} ms; killed` : `${program}: cancelled`);
    }
    const done = await sub;
    if (done.exitCode === 0) return result(true, `${program} exited with code 0`);
    if (done.exitCode === undefined && done.signal === undefined) return result(false, `cannot start ${program}: ${done.originalMessage ?? done.shortMessage}`);
    const tail = String(done.stderr ?? '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').trim().split('\n').at(-1);
    const what = done.exitCode !== undefined ? `exit code ${done.exitCode}` : `killed by ${done.signal}`;
    return result(false, `${program}: ${what}${tail ? `: ${tail}` : ''}`);
  }
}
