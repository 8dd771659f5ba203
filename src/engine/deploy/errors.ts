import { errnoCode } from '../core/errno.js';
import { EngineError } from '../core/errors.js';

/**
 * Why one target failed. The message is what the summary shows next to the target ("exit code 1: nginx: [emerg]
 * ..."), so it names the file, program or host involved; `timedOut` lets the runner report timed-out separately.
 */
export class DeployTargetError extends EngineError {
  readonly timedOut: boolean;

  constructor(code: string, message: string, opts: { hint?: string; cause?: unknown; timedOut?: boolean } = {}) {
    super('deploy', code, message, {
      ...(opts.hint === undefined ? {} : { hint: opts.hint }),
      ...(opts.cause === undefined ? {} : { cause: opts.cause }),
      retryable: true,
    });
    this.timedOut = opts.timedOut ?? false;
  }
}

/** A short, human reason for a file-system failure on `file`. */
export function describeFsError(err: unknown, file: string): string {
  switch (errnoCode(err)) {
    case 'ENOENT':
      return `${file}: no such file or directory`;
    case 'EACCES':
    case 'EPERM':
      return `${file}: permission denied`;
    case 'ENOTDIR':
      return `${file}: a path component is not a directory`;
    case 'EISDIR':
      return `${file}: is a directory`;
    case 'EROFS':
      return `${file}: read-only file system`;
    case 'ENOSPC':
      return `${file}: no space left on device`;
    default:
      return `${file}: ${err instanceof Error ? err.message : String(err)}`;
  }
}
