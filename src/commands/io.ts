import { EngineError, exitCodeFor } from '../engine/core/errors.js';
import type { Engine } from '../engine/engine.js';
import { createRuntime, type RuntimeOptions } from '../app/runtime.js';

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** An engine error as a command reports it before any work started: what went wrong, then what to do. */
export function reportEngineError(io: CommandIo, err: EngineError): number {
  io.stderr.write(`certdeck: ${err.message}${err.hint ? `\n${err.hint}` : ''}\n`);
  return exitCodeFor(err.kind);
}

/**
 * SIGINT/SIGTERM cancel the run cleanly (challenge answers removed, pending authorizations deactivated, child
 * processes killed) instead of killing the process mid-write; a second signal exits at once.
 */
export function cancelOnSignals(abort: AbortController, engine: { close(reason?: string): Promise<void> }): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count += 1;
    if (count > 1) process.exit(130);
    abort.abort(`interrupted by ${signal}`);
    void engine.close(`interrupted by ${signal}`);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * Runs a command's work on an Engine from the composition root and closes it after: an engine error (a broken
 * settings file, a refused input) is reported as what went wrong and what to do, with its exit code.
 */
export async function withEngine(io: CommandIo, work: (engine: Engine) => Promise<number>, opts: RuntimeOptions = {}): Promise<number> {
  let engine: Engine | undefined;
  try {
    ({ engine } = await createRuntime(io.env, opts));
    return await work(engine);
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  } finally {
    await engine?.close();
  }
}
