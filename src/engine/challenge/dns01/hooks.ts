import type { Dns01Config } from '../../api.js';
import type { Clock } from '../../core/clock.js';
import { BadInputError } from '../../core/errors.js';
import type { PublishedRecord } from '../solver.js';
import { parseHostPort } from './propagation.js';
import { runHook } from './run-hook.js';

/**
 * The two hook conventions operators already have scripts for. Both publish one TXT value per challenge (a
 * wildcard and its base name share a name: the hook must add a value, not replace it, as with certbot and lego).
 *
 *   lego exec        HOOK present _acme-challenge.example.com. VALUE   /   HOOK cleanup _acme-challenge.example.com. VALUE
 *   certbot manual   AUTH_HOOK / CLEANUP_HOOK with CERTBOT_DOMAIN, CERTBOT_VALIDATION, CERTBOT_ALL_DOMAINS,
 *                    CERTBOT_REMAINING_CHALLENGES (cleanup also CERTBOT_AUTH_OUTPUT: the auth hook's stdout)
 */
export interface DnsHooks {
  readonly description: string;
  /** Publishes the record; returns the auth hook's output (certbot) to hand to the cleanup hook. */
  present(record: PublishedRecord, signal: AbortSignal): Promise<string | undefined>;
  /** Removes it. Runs without the order's signal: after a cancel it must still finish (bounded by its timeout). */
  cleanup(record: PublishedRecord): Promise<void>;
}

export const DEFAULT_HOOK_TIMEOUT_MS = 120_000;

/**
 * `extraEnv`: variables certdeck adds for every hook of this CA (the sandbox's CERTDECK_CHALLTESTSRV_URL); nothing
 * secret ever goes there.
 */
export function dnsHooks(config: Dns01Config, clock: Clock, extraEnv: Record<string, string> = {}, env: NodeJS.ProcessEnv = process.env): DnsHooks {
  const timeoutMs = config.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  checkHookChoice(config);
  if (config.hook) {
    const hook = config.hook;
    const run = (action: 'present' | 'cleanup', r: PublishedRecord, signal?: AbortSignal) =>
      runHook({ argv: [hook, action, r.fqdn, r.value], env: extraEnv, timeoutMs, clock, what: `dns-01 hook "${action}" for ${r.fqdn} (${r.domain})`, baseEnv: env, ...(signal ? { signal } : {}) });
    return {
      description: `dns-01 via hook ${hook}`,
      present: async (r, signal) => void (await run('present', r, signal)),
      cleanup: async (r) => void (await run('cleanup', r)),
    };
  }
  const authHook = config.authHook!;
  const cleanupHook = config.cleanupHook!;
  const certbotEnv = (r: PublishedRecord): Record<string, string> => ({
    CERTBOT_DOMAIN: r.identifier,
    CERTBOT_IDENTIFIER: r.identifier,
    CERTBOT_VALIDATION: r.value,
    CERTBOT_ALL_DOMAINS: r.allIdentifiers.join(','),
    CERTBOT_ALL_IDENTIFIERS: r.allIdentifiers.join(','),
    CERTBOT_REMAINING_CHALLENGES: String(r.remaining),
  });
  return {
    description: `dns-01 via certbot-style hooks ${authHook} / ${cleanupHook}`,
    async present(r, signal) {
      const out = await runHook({ argv: [authHook], env: { ...extraEnv, ...certbotEnv(r) }, timeoutMs, clock, signal, what: `dns-01 auth hook for ${r.domain}`, baseEnv: env });
      return out.stdout;
    },
    async cleanup(r) {
      await runHook({
        argv: [cleanupHook],
        env: { ...extraEnv, ...certbotEnv(r), CERTBOT_AUTH_OUTPUT: r.authOutput ?? '' },
        timeoutMs,
        clock,
        what: `dns-01 cleanup hook for ${r.domain}`,
        baseEnv: env,
      });
    },
  };
}

/** What can be checked about a dns-01 config before anything is ordered. */
export function checkDns01Config(config: Dns01Config): void {
  checkHookChoice(config);
  for (const r of config.resolvers ?? []) {
    if (!parseHostPort(r)) throw new BadInputError('bad-dns-resolver', `--dns-resolver ${JSON.stringify(r)} is not HOST or HOST:PORT.`, 'Examples: 192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53.');
  }
}

/** Exactly one convention, complete. */
export function checkHookChoice(config: Pick<Dns01Config, 'hook' | 'authHook' | 'cleanupHook'>): void {
  const certbot = config.authHook !== undefined || config.cleanupHook !== undefined;
  if (config.hook && certbot) {
    throw new BadInputError('dns-hook-conflict', '--dns-hook cannot be combined with --dns-auth-hook/--dns-cleanup-hook.', 'Use --dns-hook for a lego exec-style script, or the two certbot-style hooks.');
  }
  if (!config.hook && !certbot) {
    throw new BadInputError(
      'dns-hook-missing',
      'dns-01 needs a hook that publishes the TXT records.',
      'Pass --dns-hook PATH (called as PATH present|cleanup FQDN VALUE, like lego\'s exec provider) or --dns-auth-hook PATH --dns-cleanup-hook PATH (certbot\'s manual hooks).',
    );
  }
  if (certbot && (!config.authHook || !config.cleanupHook)) {
    throw new BadInputError('dns-hook-incomplete', 'certbot-style hooks need both --dns-auth-hook and --dns-cleanup-hook.', 'Records published by the auth hook must be removed again; give the cleanup hook too.');
  }
}
