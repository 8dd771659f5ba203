import type { Clock } from '../engine/core/clock.js';
import type { RenewalPlan } from '../engine/events.js';
import { EXIT_CODES, EngineError } from '../engine/core/errors.js';
import { createRuntime } from '../app/runtime.js';
import { reportEngineError, type CommandIo } from './io.js';

/**
 * `certdeck list`: the certificates certdeck manages, with the status the engine decided (cron can pick the ones
 * due for renewal from `--json`). A certificate directory that cannot be read is named on stderr and makes the
 * exit code "partial", so a broken one is not silently left out.
 */
export async function runListCommand(opts: { json?: boolean }, io: CommandIo, now?: number): Promise<number> {
  let listing;
  let storage;
  let engine;
  try {
    const clock: Clock | undefined = now === undefined ? undefined : { now: () => now, sleep: () => Promise.resolve() };
    ({ engine } = await createRuntime(io.env, clock ? { clock } : {}));
    listing = await engine.listCertificates();
    storage = engine.storageInfo();
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    return reportEngineError(io, err);
  } finally {
    // A shared storage holds a connection open until closed.
    await engine?.close();
  }
  const rows = listing.certificates;
  if (opts.json) {
    const out = rows.map(({ label: _label, notBefore, notAfter, renewal, ...r }) => ({
      ...r,
      notBefore: new Date(notBefore).toISOString(),
      notAfter: new Date(notAfter).toISOString(),
      ...(renewal ? { renewal: renewalJson(renewal) } : {}),
    }));
    io.stdout.write(`${JSON.stringify({ certificates: out, broken: listing.broken, storage })}\n`);
  } else if (rows.length === 0 && listing.broken.length === 0) {
    io.stdout.write(`No certificates yet in ${listing.liveDir}. Issue one with: certdeck issue example.com --ca letsencrypt-staging\n`);
  } else {
    const table = [
      ['NAME', 'STATUS', 'DAYS', 'EXPIRES (UTC)', 'RENEWAL (UTC)', 'CA', 'NAMES'],
      ...rows.map((r) => [r.certName, r.label, String(r.daysLeft), minutes(r.notAfter), renewalCell(r.renewal), r.caId, r.domains.join(', ')]),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) io.stdout.write(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`);
  }
  // The file storage is the default and needs no mention; a shared one is said, so an operator knows what they see.
  if (!opts.json && storage.kind !== 'file') io.stdout.write(`storage: ${storage.location} (shared${storage.encryptedSecrets ? ', keys encrypted' : ''})\n`);
  if (!opts.json) {
    // What a CA says about its window, and why a renewal waits, belong under the table, one line each.
    for (const r of rows) {
      const ari = r.renewal?.ari;
      if (ari) io.stdout.write(`  ${r.certName}: ARI window ${minutes(ari.windowStart)} .. ${minutes(ari.windowEnd)}, chosen ${minutes(ari.selectedAt)}${ari.explanationUrl ? `, explanation ${ari.explanationUrl}` : ''}\n`);
      const retry = r.renewal?.retry;
      if (retry) io.stdout.write(`  ${r.certName}: renewal failed ${retry.failures}x (${retry.lastError}); next attempt at ${minutes(retry.nextAttemptAt)}\n`);
    }
  }
  for (const b of listing.broken) io.stderr.write(`certdeck: ${b.certName}: ${b.file}: ${b.message}\n`);
  return listing.broken.length ? EXIT_CODES.partial : EXIT_CODES.ok;
}

function minutes(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** "2027-01-01 12:00 ARI", "2027-01-01 12:00", or after failures "retry 2026-12-03 20:10". */
function renewalCell(plan: RenewalPlan | undefined): string {
  if (!plan) return '-';
  if (plan.retry && plan.retry.nextAttemptAt > plan.dueAt) return `retry ${minutes(plan.retry.nextAttemptAt)}`;
  return `${minutes(plan.dueAt)}${plan.source === 'ari' ? ' ARI' : ''}`;
}

/** The plan with every time as ISO 8601, like the rest of `list --json`. */
function renewalJson(plan: RenewalPlan): Record<string, unknown> {
  const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    dueAt: iso(plan.dueAt),
    source: plan.source,
    ...(plan.ari
      ? {
          ari: {
            windowStart: iso(plan.ari.windowStart),
            windowEnd: iso(plan.ari.windowEnd),
            selectedAt: iso(plan.ari.selectedAt),
            ...(plan.ari.explanationUrl ? { explanationUrl: plan.ari.explanationUrl } : {}),
            ...(plan.ari.fetchedAt !== undefined ? { fetchedAt: iso(plan.ari.fetchedAt) } : {}),
            nextFetchAt: iso(plan.ari.nextFetchAt),
            ...(plan.ari.lastError ? { lastError: plan.ari.lastError } : {}),
          },
        }
      : {}),
    ...(plan.retry ? { retry: { failures: plan.retry.failures, lastAt: iso(plan.retry.lastAt), lastError: plan.retry.lastError, nextAttemptAt: iso(plan.retry.nextAttemptAt) } } : {}),
  };
}
