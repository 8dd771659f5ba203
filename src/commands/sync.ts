import { createRuntime } from '../app/runtime.js';
import { EXIT_CODES, EngineError } from '../engine/core/errors.js';
import type { SyncResult } from '../engine/engine.js';
import { reportEngineError, type CommandIo } from './io.js';

/**
 * `certdeck sync [--watch]`: this node's local live/ catches up with the certificates of the shared storage (and
 * runs its own deploy targets for each one that changed); with --watch it stays and applies each certificate another
 * node stores, until SIGINT/SIGTERM. Exit 3 (partial) when a certificate could not be applied.
 */
export async function runSyncCommand(opts: { watch?: boolean; json?: boolean }, io: CommandIo): Promise<number> {
  let engine;
  try {
    ({ engine } = await createRuntime(io.env));
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  }
  const abort = new AbortController();
  const stop = (): void => abort.abort('interrupted');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const print = (r: SyncResult): void => {
    if (opts.json) io.stdout.write(`${JSON.stringify(r)}\n`);
    else io.stdout.write(`${r.certName}: ${r.outcome}${r.deploy ? `, deploy ${r.deploy}` : ''}${r.error ? ` (${r.error})` : ''}\n`);
  };
  try {
    if (!opts.json) io.stdout.write(`certdeck sync · storage ${engine.storageInfo().location}${opts.watch ? ' · watching (Ctrl-C to stop)' : ''}\n`);
    const results = await engine.sync({ ...(opts.watch ? { watch: true } : {}), signal: abort.signal, onResult: print });
    return results.some((r) => r.outcome === 'failed' || r.deploy === 'failed') ? EXIT_CODES.partial : EXIT_CODES.ok;
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await engine.close();
  }
}
