import { createRuntime } from '../app/runtime.js';
import { BadInputError, EXIT_CODES, EngineError } from '../engine/core/errors.js';
import type { SyncResult } from '../engine/engine.js';
import { reportEngineError, type CommandIo } from './io.js';

/**
 * `certdeck sync [--watch]`: this node's local live/ catches up with the certificates of the shared storage (and
 * runs its own deploy targets for each one that changed); with --watch it stays and applies each certificate another
 * node stores, until SIGINT/SIGTERM. Exit 3 (partial) when a certificate could not be applied.
 */
export async function runSyncCommand(opts: { watch?: boolean; json?: boolean; httpPort?: string; httpAddress?: string }, io: CommandIo): Promise<number> {
  let engine;
  let serveHttp01: { host: string; port: number } | undefined;
  try {
    if (opts.httpPort !== undefined) {
      const port = Number(opts.httpPort);
      if (!opts.watch) throw new BadInputError('bad-flag', '--http-port serves HTTP-01 answers while sync watches.', 'Add --watch.');
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BadInputError('bad-port', `--http-port ${JSON.stringify(opts.httpPort)} is not a port number.`, 'Use 1-65535, e.g. --http-port 80.');
      serveHttp01 = { host: opts.httpAddress ?? '::', port };
    }
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
    if (!opts.json) io.stdout.write(`certdeck sync · storage ${engine.storageInfo().location}\n`);
    const watching = (): void => {
      if (opts.json) io.stdout.write(`${JSON.stringify({ watching: true, ...(serveHttp01 ? { http01: serveHttp01 } : {}) })}\n`);
      else io.stdout.write(`watching for changes${serveHttp01 ? `, answering HTTP-01 on port ${serveHttp01.port}` : ''} (Ctrl-C to stop)\n`);
    };
    const results = await engine.sync({ ...(opts.watch ? { watch: true, onWatching: watching } : {}), ...(serveHttp01 ? { serveHttp01 } : {}), signal: abort.signal, onResult: print });
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
