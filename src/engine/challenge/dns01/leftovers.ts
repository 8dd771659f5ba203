import type { ResolvedCa } from '../../ca/catalog.js';
import type { Clock } from '../../core/clock.js';
import { toErrorInfo } from '../../core/errors.js';
import type { EngineEvent } from '../../events.js';
import type { RequestJournal } from '../../issue/request-journal.js';
import { cleanupRecords } from './dns01-solver.js';
import { dnsHooks } from './hooks.js';

/** What dns-01 hooks at this CA get besides the convention's variables: the sandbox's management API. */
export function hookEnvFor(ca: ResolvedCa): Record<string, string> {
  return ca.challtestsrvUrl ? { CERTDECK_CHALLTESTSRV_URL: ca.challtestsrvUrl } : {};
}

/**
 * dns-01 records a crashed (or killed) run published and never cleaned up: removed first, with the hooks that
 * published them (as the journal noted them), before anything new is ordered. A cleanup that fails again stays in
 * the journal for the next run.
 */
export async function cleanupLeftoverRecords(
  journal: Pick<RequestJournal, 'leftoverDnsRecords' | 'dnsCleaned'>,
  ctx: { certName: string; hookEnv: Record<string, string>; clock: Clock; emit: (e: EngineEvent) => void },
): Promise<void> {
  const leftover = await journal.leftoverDnsRecords();
  if (!leftover) return;
  const { certName, clock, emit } = ctx;
  const log = (level: 'info' | 'warn', message: string): void => emit({ type: 'log', at: clock.now(), level, certName, message });
  log('info', `Cleaning up ${leftover.records.length} dns-01 record(s) an earlier run left published.`);
  let hooks;
  try {
    hooks = dnsHooks(leftover.config, clock, ctx.hookEnv);
  } catch (err) {
    log('warn', `Cannot clean up the dns-01 records an earlier run left: ${toErrorInfo(err).message}`);
    return;
  }
  const cleaned = await cleanupRecords(hooks, leftover.records, (r, ok, detail) =>
    log(ok ? 'info' : 'warn', ok ? `Removed ${r.fqdn} TXT "${r.value}" (left by an earlier run).` : `Could not remove ${r.fqdn} TXT "${r.value}": ${detail ?? 'cleanup failed'}`),
  );
  await journal.dnsCleaned(cleaned);
}
