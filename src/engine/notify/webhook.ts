import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../core/clock.js';
import { redactSecrets } from '../core/redact.js';
import { NOTIFY_DEFAULTS, type DeliveryResult, type Notification, type Notifier, type WebhookNotifierConfig } from './types.js';

/**
 * POSTs the notification as JSON. Retries only what may succeed later (a network error, a timeout, 5xx, 429),
 * with exponential backoff and jitter, honouring Retry-After, and never more than `maxAttempts` times per event: a
 * receiver that is down gets a handful of requests, not a storm. A 4xx other than 429 is the receiver saying no;
 * asking again would not change its mind. Redirects are not followed (the signed body must not go elsewhere).
 *
 * With a secret, `X-Certdeck-Signature: sha256=<hex HMAC-SHA256 of the exact body>` lets the receiver check the
 * sender. The secret is read from its file or variable at send time, so it never sits in the settings file.
 */

export const SIGNATURE_HEADER = 'x-certdeck-signature';

export interface WebhookDeps {
  clock: Clock;
  /** In [0, 1): the jitter. */
  random: () => number;
  env: NodeJS.ProcessEnv;
  userAgent: string;
}

/** Backoff before attempt n+1 (n >= 1): 1 s, 2 s, 4 s, ... capped, each scaled into [50 %, 100 %] by jitter. */
export const BACKOFF = { baseMs: 1_000, capMs: 30_000, maxRetryAfterMs: 120_000 } as const;

export function backoffMs(failedAttempts: number, random: () => number): number {
  const full = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** (failedAttempts - 1));
  return Math.round(full * (0.5 + 0.5 * random()));
}

/** Retry-After as seconds or an HTTP date (RFC 9110 10.2.3), in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function readSecret(cfg: WebhookNotifierConfig, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (cfg.secretFile !== undefined) {
    const text = await readFile(cfg.secretFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read the secret file ${cfg.secretFile} (${err.code ?? err.message})`);
    });
    // A file written with `echo` ends in a newline that is not part of the secret.
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '') throw new Error(`the secret file ${cfg.secretFile} is empty`);
    return secret;
  }
  if (cfg.secretEnv !== undefined) {
    const secret = env[cfg.secretEnv];
    if (!secret) throw new Error(`the secret variable ${cfg.secretEnv} is not set`);
    return secret;
  }
  return undefined;
}

type Attempt = { ok: true; detail: string } | { ok: false; retry: boolean; detail: string; retryAfterMs?: number };

export class WebhookNotifier implements Notifier {
  constructor(
    readonly config: WebhookNotifierConfig,
    private readonly deps: WebhookDeps,
  ) {}

  async send(notification: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const result = (ok: boolean, attempts: number, detail: string): DeliveryResult => ({ notifierId: this.config.id, ok, attempts, detail: redactSecrets(detail) });
    let secret: string | undefined;
    try {
      secret = await readSecret(this.config, this.deps.env);
    } catch (err) {
      return result(false, 0, `not sent: ${(err as Error).message}`);
    }
    const body = JSON.stringify(notification);
    // fetch refuses a URL with credentials in it; https://user:pass@host means HTTP Basic, so send it as that.
    const url = new URL(this.config.url);
    const basic = url.username || url.password ? Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64') : undefined;
    url.username = '';
    url.password = '';
    const headers: Record<string, string> = {
      ...(basic === undefined ? {} : { authorization: `Basic ${basic}` }),
      'content-type': 'application/json',
      'user-agent': this.deps.userAgent,
      'x-certdeck-event': notification.event,
      // The same id on every attempt: a receiver that got a retry it had already processed can drop it.
      'x-certdeck-delivery': randomUUID(),
      ...(secret === undefined ? {} : { [SIGNATURE_HEADER]: signBody(body, secret) }),
    };
    const maxAttempts = this.config.maxAttempts ?? NOTIFY_DEFAULTS.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(url.href, body, headers, signal);
      if (outcome.ok) return result(true, attempt, outcome.detail);
      if (!outcome.retry || signal.aborted) return result(false, attempt, outcome.detail);
      if (attempt >= maxAttempts) return result(false, attempt, `${outcome.detail} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'})`);
      const wait = Math.max(backoffMs(attempt, this.deps.random), outcome.retryAfterMs ?? 0);
      if (wait > BACKOFF.maxRetryAfterMs) return result(false, attempt, `${outcome.detail}; the receiver asked to retry after ${Math.round(wait / 1000)}s, longer than certdeck waits`);
      try {
        await this.deps.clock.sleep(wait, signal);
      } catch {
        return result(false, attempt, `${outcome.detail} (cancelled before the next attempt)`);
      }
    }
  }

  private async attempt(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<Attempt> {
    const timeoutMs = this.config.timeoutMs ?? NOTIFY_DEFAULTS.webhookTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.any([signal, timeout]) });
    } catch (err) {
      if (timeout.aborted) return { ok: false, retry: true, detail: `no answer within ${timeoutMs} ms` };
      if (signal.aborted) return { ok: false, retry: false, detail: 'cancelled' };
      // Only a failure of the network (a system error code: refused, reset, DNS) may go away; a request fetch
      // refuses to make (a blocked port, a malformed URL) fails the same way every time.
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      return { ok: false, retry: typeof code === 'string', detail: networkDetail(err) };
    }
    // The receiver's answer text is not used; release the connection.
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, detail: `HTTP ${res.status}` };
    if (res.status === 429 || res.status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.deps.clock.now());
      return { ok: false, retry: true, detail: `HTTP ${res.status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    const where = res.status >= 300 && res.status < 400 ? ' (redirects are not followed: configure the final URL)' : '';
    return { ok: false, retry: false, detail: `HTTP ${res.status}${where}` };
  }
}

function networkDetail(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return `network error: ${cause?.code ?? cause?.message ?? (err as Error).message}`;
}
