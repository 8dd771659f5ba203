import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { BadInputError } from '../core/errors.js';
import { redactSecrets, redactUrl } from '../core/redact.js';
import { assertCertName } from '../names.js';
import { NOTIFY_DEFAULTS, NOTIFY_EVENTS, type CommandNotifierConfig, type NotifierConfig, type NotifierInfo, type WebhookNotifierConfig } from './types.js';

/**
 * The `notifications` section of the settings file: its JSON schema (conf validates every read and write with it),
 * the checks a new notifier passes before it is saved, and the redacted view of a saved one.
 */

const common = {
  id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' },
  events: { type: 'array', items: { enum: [...NOTIFY_EVENTS] }, minItems: 1 },
  certificates: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
  timeoutMs: { type: 'integer', minimum: 100, maximum: 600_000 },
  expiringWithinDays: { type: 'integer', minimum: 1, maximum: 3650 },
} as const;

export const notificationsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    notifiers: {
      type: 'array',
      items: {
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'kind', 'url'],
            properties: {
              ...common,
              kind: { const: 'webhook' },
              url: { type: 'string', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' },
              secretFile: { type: 'string', minLength: 1 },
              secretEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
              maxAttempts: { type: 'integer', minimum: 1, maximum: 10 },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'kind', 'argv'],
            properties: { ...common, kind: { const: 'command' }, argv: { type: 'array', items: { type: 'string' }, minItems: 1 } },
          },
        ],
      },
    },
  },
} as const;

export interface NotificationsSettings {
  notifiers?: NotifierConfig[];
}

/** A notifier to add, as a view enters it; the id is optional (default KIND-N). */
export type NotifierInput = (Omit<WebhookNotifierConfig, 'id'> | Omit<CommandNotifierConfig, 'id'>) & { id?: string };

/** Checks a new notifier against the machine and the existing list; returns what is saved. */
export async function checkNotifier(input: NotifierInput, existing: readonly NotifierConfig[], env: NodeJS.ProcessEnv): Promise<{ config: NotifierConfig; warnings: string[] }> {
  const warnings: string[] = [];
  const id = input.id ?? nextId(input.kind, existing);
  if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(id)) throw new BadInputError('bad-notifier-id', `notifier id "${id}" is not usable`, 'Use up to 40 lower-case letters, digits, - and _.');
  if (existing.some((n) => n.id === id)) throw new BadInputError('duplicate-notifier', `a notifier with id "${id}" exists already`, 'Pick another --id, or remove the old one with: certdeck notify remove ' + id);
  for (const name of input.certificates ?? []) assertCertName(name);
  for (const e of input.events ?? []) {
    if (!(NOTIFY_EVENTS as readonly string[]).includes(e)) throw new BadInputError('bad-notify-event', `unknown event "${e}"`, `Use any of: ${NOTIFY_EVENTS.join(', ')}.`);
  }
  if (input.kind === 'webhook') {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new BadInputError('bad-webhook-url', `"${redactSecrets(input.url)}" is not a URL`, 'Give the full address, e.g. https://hooks.example.net/certdeck.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new BadInputError('bad-webhook-url', `a webhook URL must be http:// or https://, not ${url.protocol}`);
    if (url.protocol === 'http:' && !isLoopback(url.hostname)) warnings.push(`${redactUrl(input.url)} is plain http: the notification (and its signature) travel unencrypted.`);
    if (input.secretFile !== undefined && input.secretEnv !== undefined) throw new BadInputError('two-secrets', 'give --secret-file or --secret-env, not both');
    if (input.secretFile !== undefined) {
      if (!path.isAbsolute(input.secretFile)) throw new BadInputError('relative-secret-file', `--secret-file ${input.secretFile} must be an absolute path`, 'certdeck may run from cron, in another directory.');
      await access(input.secretFile, constants.R_OK).catch(() => {
        throw new BadInputError('secret-file-unreadable', `the secret file ${input.secretFile} cannot be read`, 'Create it (chmod 600) with the shared secret on one line, then add the notifier again.');
      });
      if (((await stat(input.secretFile)).mode & 0o077) !== 0) warnings.push(`${input.secretFile} can be read by other users; chmod 600 it.`);
    }
    if (input.secretEnv !== undefined) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(input.secretEnv)) throw new BadInputError('bad-secret-env', `--secret-env "${input.secretEnv}" is not a variable name`, 'Give the NAME of the variable (e.g. CERTDECK_HOOK_SECRET), not its value.');
      if (!env[input.secretEnv]) warnings.push(`${input.secretEnv} is not set here; it must be set wherever certdeck runs (cron, systemd), or deliveries fail.`);
    }
  } else if (input.argv.length === 0 || input.argv[0] === '') {
    throw new BadInputError('missing-command', 'a command notifier needs the program after --, e.g. notify add command -- /usr/local/bin/page-oncall');
  }
  const { id: _ignored, ...rest } = input;
  return { config: { id, ...rest } as NotifierConfig, warnings };
}

function nextId(kind: string, existing: readonly NotifierConfig[]): string {
  for (let n = 1; ; n++) if (!existing.some((e) => e.id === `${kind}-${n}`)) return `${kind}-${n}`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

export function notifierInfo(n: NotifierConfig): NotifierInfo {
  const base = {
    id: n.id,
    kind: n.kind,
    events: n.events ?? ('all' as const),
    certificates: n.certificates ?? ('all' as const),
    expiringWithinDays: n.expiringWithinDays ?? NOTIFY_DEFAULTS.expiringWithinDays,
  };
  if (n.kind === 'webhook') {
    return {
      ...base,
      target: redactUrl(n.url),
      timeoutMs: n.timeoutMs ?? NOTIFY_DEFAULTS.webhookTimeoutMs,
      maxAttempts: n.maxAttempts ?? NOTIFY_DEFAULTS.maxAttempts,
      ...(n.secretFile ? { signedWith: `file ${n.secretFile}` } : n.secretEnv ? { signedWith: `env ${n.secretEnv}` } : {}),
    };
  }
  return { ...base, target: n.argv.map((a) => redactSecrets(a)).join(' '), timeoutMs: n.timeoutMs ?? NOTIFY_DEFAULTS.commandTimeoutMs };
}
