/**
 * Notifications: what certdeck tells an operator's chat, pager or script when something about a certificate needs
 * attention (or went well). One `Notification` per event and certificate; each configured notifier that wants it
 * gets the same object (a webhook as its JSON body, a command as environment variables).
 */

export const NOTIFY_EVENTS = ['renewal-failed', 'renewal-failed-still-valid', 'expiring', 'issued', 'deploy-partial'] as const;
export type NotifyEventKind = (typeof NOTIFY_EVENTS)[number];

export const NOTIFY_EVENT_HELP: Record<NotifyEventKind, string> = {
  'renewal-failed': 'a renewal (or first issuance) failed and no valid certificate is on disk',
  'renewal-failed-still-valid': 'a renewal failed; the certificate on disk is still valid',
  expiring: 'a renewal failed and the certificate expires within --expiring-days',
  issued: 'a certificate was issued or renewed',
  'deploy-partial': 'a deploy run left some (or all) targets not deployed',
};

export interface Notification {
  event: NotifyEventKind;
  certName: string;
  domains: string[];
  /** One line for a human. */
  message: string;
  /** ISO 8601, when the event happened. */
  at: string;
  serial?: string;
  /** ISO 8601 expiry of the certificate on disk. */
  notAfter?: string;
  daysLeft?: number;
  caId?: string;
  /** issued: true when an earlier certificate with this name existed (a renewal). */
  renewal?: boolean;
  error?: { kind: string; code: string; message: string };
  deploy?: { outcome: string; succeeded: number; failed: number; skipped: number };
  /** Set by `certdeck notify test`. */
  test?: boolean;
}

interface NotifierCommon {
  id: string;
  /** Events this notifier wants; absent = every event. */
  events?: NotifyEventKind[];
  /** Certificates this notifier is for; absent = every certificate (a global notifier). */
  certificates?: string[];
  /** Per attempt (webhook) or per run (command). */
  timeoutMs?: number;
  /** For `expiring`: how close the expiry must be. @default 14 */
  expiringWithinDays?: number;
}

export interface WebhookNotifierConfig extends NotifierCommon {
  kind: 'webhook';
  url: string;
  /** File holding the HMAC secret; read at send time, never copied into the settings. */
  secretFile?: string;
  /** Name of the environment variable holding the HMAC secret (the name, never the value). */
  secretEnv?: string;
  /** Attempts per event, the first included. @default 4 */
  maxAttempts?: number;
}

export interface CommandNotifierConfig extends NotifierCommon {
  kind: 'command';
  /** Program and arguments, run without a shell. */
  argv: string[];
}

export type NotifierConfig = WebhookNotifierConfig | CommandNotifierConfig;
export type NotifierKind = NotifierConfig['kind'];

/** A notifier as views see it: the URL redacted, the secret named by where it comes from, never its value. */
export interface NotifierInfo {
  id: string;
  kind: NotifierKind;
  /** Redacted URL, or the command line (URLs in it redacted). */
  target: string;
  events: NotifyEventKind[] | 'all';
  certificates: string[] | 'all';
  /** "file /etc/certdeck/hook.key" or "env HOOK_SECRET"; absent when the webhook is not signed. */
  signedWith?: string;
  timeoutMs: number;
  maxAttempts?: number;
  expiringWithinDays: number;
}

/** What one delivery came to, after every attempt. */
export interface DeliveryResult {
  notifierId: string;
  ok: boolean;
  attempts: number;
  /** Why it failed (or the final status on success), secrets redacted. */
  detail: string;
}

export interface Notifier {
  readonly config: NotifierConfig;
  send(notification: Notification, signal: AbortSignal): Promise<DeliveryResult>;
}

export const NOTIFY_DEFAULTS = {
  webhookTimeoutMs: 10_000,
  commandTimeoutMs: 30_000,
  maxAttempts: 4,
  expiringWithinDays: 14,
} as const;
