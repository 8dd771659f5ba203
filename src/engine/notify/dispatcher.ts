import type { Clock } from '../core/clock.js';
import { BadInputError } from '../core/errors.js';
import { redactSecrets } from '../core/redact.js';
import type { EngineEvent } from '../events.js';
import { readCertificate } from '../store/cert-files.js';
import type { StatePaths } from '../store/paths.js';
import { fromDeployFinished, fromIssueFinished, type Candidate } from './notifications.js';
import { loadNotifiers } from './store.js';
import { NOTIFY_DEFAULTS, type DeliveryResult, type Notification, type Notifier, type NotifierConfig } from './types.js';

/**
 * Listens to the engine's own events and delivers the notifications they make to the configured notifiers. Nothing
 * here can fail a renewal or a deploy: it runs after the event, every error ends as a `log` event (so the TUI and
 * the headless output show it), and the work is bounded (attempts and timeouts per notifier).
 */

export interface DispatcherDeps {
  paths: StatePaths;
  clock: Clock;
  emit: (e: EngineEvent) => void;
  env: NodeJS.ProcessEnv;
  userAgent: string;
  random: () => number;
}

export class NotificationDispatcher {
  /**
   * Never aborted: a closing engine waits for deliveries (they are bounded) rather than dropping a "renewal failed"
   * alert because the cron run was about to exit. A second Ctrl-C still exits at once.
   */
  private readonly abort = new AbortController();

  constructor(private readonly deps: DispatcherDeps) {}

  /** Work for this event, or undefined when it makes no notification. The promise never rejects. */
  handle(e: EngineEvent): Promise<void> | undefined {
    if (e.type !== 'issue:finished' && e.type !== 'deploy:finished') return undefined;
    const certName = e.certName;
    return this.dispatch(e).catch((err: unknown) => {
      this.log('warn', `notifications for ${certName} not sent: ${redactSecrets(err instanceof Error ? err.message : String(err))}`, certName);
    });
  }

  /** Sends a test notification to one notifier (or every one) and reports each delivery. */
  async test(id?: string): Promise<DeliveryResult[]> {
    const notifiers = await loadNotifiers(this.deps.paths);
    const chosen = id === undefined ? notifiers : notifiers.filter((n) => n.id === id);
    if (id !== undefined && chosen.length === 0) throw new BadInputError('no-such-notifier', `there is no notifier "${id}"`, 'See the ids with: certdeck notify list');
    if (chosen.length === 0) throw new BadInputError('no-notifiers', 'no notifiers are configured', 'Add one with: certdeck notify add webhook URL  (or: notify add command -- PROGRAM ARGS...)');
    const notification: Notification = {
      event: 'issued',
      certName: 'certdeck-test',
      domains: ['test.invalid'],
      message: 'certdeck test notification: nothing happened to any certificate',
      at: new Date(this.deps.clock.now()).toISOString(),
      test: true,
    };
    return Promise.all(chosen.map((n) => this.deliver(n, notification)));
  }

  private async dispatch(e: Extract<EngineEvent, { type: 'issue:finished' | 'deploy:finished' }>): Promise<void> {
    const notifiers = await loadNotifiers(this.deps.paths);
    if (notifiers.length === 0) return;
    const candidates: Candidate[] =
      e.type === 'issue:finished' ? fromIssueFinished(e, this.deps.clock.now()) : fromDeployFinished(e, await this.domainsOf(e.certName));
    const sends: Array<Promise<unknown>> = [];
    for (const n of notifiers) {
      for (const c of candidates) if (wants(n, c)) sends.push(this.deliver(n, c.notification));
    }
    await Promise.all(sends);
  }

  private async deliver(config: NotifierConfig, notification: Notification): Promise<DeliveryResult> {
    let result: DeliveryResult;
    try {
      const notifier = await this.notifier(config);
      result = await notifier.send(notification, this.abort.signal);
    } catch (err) {
      result = { notifierId: config.id, ok: false, attempts: 0, detail: redactSecrets(err instanceof Error ? err.message : String(err)) };
    }
    const what = `${config.kind} notifier ${config.id} (${notification.event})`;
    if (result.ok) this.log('info', `notified ${what}: ${result.detail}`, notification.certName);
    else this.log('warn', `could not notify ${what}: ${result.detail}`, notification.certName);
    return result;
  }

  /** The senders are loaded on first use: execa and the HTTP client are not part of a dashboard's start-up. */
  private async notifier(config: NotifierConfig): Promise<Notifier> {
    if (config.kind === 'webhook') {
      const { WebhookNotifier } = await import('./webhook.js');
      return new WebhookNotifier(config, { clock: this.deps.clock, random: this.deps.random, env: this.deps.env, userAgent: this.deps.userAgent });
    }
    const { CommandNotifier } = await import('./command.js');
    return new CommandNotifier(config, { clock: this.deps.clock, env: this.deps.env });
  }

  private async domainsOf(certName: string): Promise<string[]> {
    return (await readCertificate(this.deps.paths, certName).catch(() => undefined))?.meta.domains ?? [];
  }

  private log(level: 'info' | 'warn', message: string, certName?: string): void {
    this.deps.emit({ type: 'log', at: this.deps.clock.now(), level, message, ...(certName ? { certName } : {}) });
  }
}

function wants(n: NotifierConfig, c: Candidate): boolean {
  const event = c.notification.event;
  if (n.events ? !n.events.includes(event) : false) return false;
  if (n.certificates && !n.certificates.includes(c.notification.certName)) return false;
  if (event === 'expiring' && (c.daysLeft ?? Infinity) > (n.expiringWithinDays ?? NOTIFY_DEFAULTS.expiringWithinDays)) return false;
  return true;
}
