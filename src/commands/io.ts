import { exitCodeFor, type EngineError } from '../engine/core/errors.js';

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
