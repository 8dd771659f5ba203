import type { Clock } from '../engine/core/clock.js';
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
    const out = rows.map(({ label: _label, notBefore, notAfter, ...r }) => ({
      ...r,
      notBefore: new Date(notBefore).toISOString(),
      notAfter: new Date(notAfter).toISOString(),
    }));
    io.stdout.write(`${JSON.stringify({ certificates: out, broken: listing.broken, storage })}\n`);
  } else if (rows.length === 0 && listing.broken.length === 0) {
    io.stdout.write(`No certificates yet in ${listing.liveDir}. Issue one with: certdeck issue example.com --ca letsencrypt-staging\n`);
  } else {
    const table = [
      ['NAME', 'STATUS', 'DAYS', 'EXPIRES (UTC)', 'CA', 'NAMES'],
      ...rows.map((r) => [r.certName, r.label, String(r.daysLeft), new Date(r.notAfter).toISOString().slice(0, 16).replace('T', ' '), r.caId, r.domains.join(', ')]),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) io.stdout.write(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`);
  }
  // The file storage is the default and needs no mention; a shared one is said, so an operator knows what they see.
  if (!opts.json && storage.kind !== 'file') io.stdout.write(`storage: ${storage.location} (shared${storage.encryptedSecrets ? ', keys encrypted' : ''})\n`);
  for (const b of listing.broken) io.stderr.write(`certdeck: ${b.certName}: ${b.file}: ${b.message}\n`);
  return listing.broken.length ? EXIT_CODES.partial : EXIT_CODES.ok;
}
