/**
 * Errors are values with a kind: the views say what happened and what to do from `message` and `hint`, and the
 * headless exit code comes from `kind`. Nothing here knows about terminals.
 */
import { stripControl } from './sanitize.js';

export type ErrorKind =
  | 'bad-input'
  | 'config'
  | 'network'
  | 'timeout'
  | 'rate-limited'
  | 'ca-problem'
  | 'cancelled'
  | 'lock-held'
  | 'deploy'
  | 'storage'
  | 'bug';

/** Exit codes for headless runs; documented in the README. */
export const EXIT_CODES = {
  ok: 0,
  failed: 1,
  badInput: 2,
  partial: 3,
  network: 4,
  timeout: 5,
  rateLimited: 6,
  caProblem: 7,
  lockHeld: 8,
  storage: 9,
  renewalFailedStillValid: 10,
  cancelled: 130,
} as const;

export interface ErrorInfo {
  kind: ErrorKind;
  code: string;
  message: string;
  hint?: string;
  retryable: boolean;
  /** ACME problem type (urn:ietf:params:acme:error:...) when the CA sent one. */
  problemType?: string;
  status?: number;
  retryAfterMs?: number;
  subproblems?: Array<{ type?: string; detail?: string; identifier?: string }>;
}

export class EngineError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    opts: { hint?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.hint = opts.hint;
    this.retryable = opts.retryable ?? false;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { kind: this.kind, code: this.code, message: this.message, retryable: this.retryable };
    if (this.hint !== undefined) info.hint = this.hint;
    return info;
  }
}

/** The user asked for something that cannot work (a malformed name, an unknown CA id, a missing flag). */
export class BadInputError extends EngineError {
  constructor(code: string, message: string, hint?: string) {
    super('bad-input', code, message, hint === undefined ? {} : { hint });
  }
}

/** The environment is wrong: unreadable config, unwritable state home, a CA that is not ACME. */
export class ConfigError extends EngineError {
  constructor(code: string, message: string, hint?: string, cause?: unknown) {
    super('config', code, message, { ...(hint === undefined ? {} : { hint }), cause });
  }
}

export class NetworkError extends EngineError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('network', 'network', message, { hint: hint ?? 'Check connectivity to the CA and try again.', retryable: true, cause });
  }
}

/** A phase deadline or a retry budget ran out. */
export class TimeoutError extends EngineError {
  constructor(code: string, message: string, hint: string) {
    super('timeout', code, message, { hint, retryable: true });
  }
}

export class CancelledError extends EngineError {
  constructor(reason = 'cancelled') {
    super('cancelled', 'cancelled', reason, { hint: 'Run the same command again to resume or start over.' });
    // AbortError is the name the platform uses for aborted work; keep it so generic code recognises it.
    this.name = 'AbortError';
  }
}

export class LockHeldError extends EngineError {
  constructor(message: string, hint: string) {
    super('lock-held', 'lock-held', message, { hint });
  }
}

export class StorageError extends EngineError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('storage', 'storage', message, { ...(hint === undefined ? {} : { hint }), cause });
  }
}

export class BugError extends EngineError {
  constructor(message: string, cause?: unknown) {
    super('bug', 'bug', message, { hint: 'This is a bug in certdeck; please report it with the --json log.', cause });
  }
}

/** An RFC 7807 problem document from the CA, with everything acme-client itself would have thrown away. */
export class AcmeProblemError extends EngineError {
  readonly problemType: string;
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  readonly subproblems: Array<{ type?: string; detail?: string; identifier?: string }>;

  constructor(p: {
    type: string;
    status: number;
    detail: string;
    retryAfterMs?: number;
    subproblems?: Array<{ type?: string; detail?: string; identifier?: string }>;
    hint?: string;
  }) {
    // Both strings come from the CA: made safe here as well, whoever built the error.
    const short = stripControl(p.type.replace('urn:ietf:params:acme:error:', ''));
    const rateLimited = short === 'rateLimited' || p.status === 429;
    super(rateLimited ? 'rate-limited' : 'ca-problem', short, `${short}: ${stripControl(p.detail)}`, {
      ...(p.hint === undefined ? {} : { hint: p.hint }),
      retryable: rateLimited || short === 'badNonce' || p.status >= 500,
    });
    this.problemType = stripControl(p.type);
    this.status = p.status;
    this.retryAfterMs = p.retryAfterMs;
    this.subproblems = (p.subproblems ?? []).map((sp) => ({
      ...(sp.type === undefined ? {} : { type: stripControl(sp.type) }),
      ...(sp.detail === undefined ? {} : { detail: stripControl(sp.detail) }),
      ...(sp.identifier === undefined ? {} : { identifier: stripControl(sp.identifier) }),
    }));
  }

  get shortType(): string {
    return this.code;
  }

  override toInfo(): ErrorInfo {
    const info = super.toInfo();
    info.problemType = this.problemType;
    info.status = this.status;
    if (this.retryAfterMs !== undefined) info.retryAfterMs = this.retryAfterMs;
    if (this.subproblems.length) info.subproblems = this.subproblems;
    return info;
  }
}

/** Turns anything thrown into ErrorInfo; unknown errors are bugs until proven otherwise. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof EngineError) return err.toInfo();
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'bug', code: 'unexpected', message, retryable: false };
}

export function exitCodeFor(kind: ErrorKind): number {
  switch (kind) {
    case 'bad-input':
    case 'config':
      return EXIT_CODES.badInput;
    case 'network':
      return EXIT_CODES.network;
    case 'timeout':
      return EXIT_CODES.timeout;
    case 'rate-limited':
      return EXIT_CODES.rateLimited;
    case 'ca-problem':
      return EXIT_CODES.caProblem;
    case 'cancelled':
      return EXIT_CODES.cancelled;
    case 'lock-held':
      return EXIT_CODES.lockHeld;
    case 'storage':
      return EXIT_CODES.storage;
    case 'deploy':
      return EXIT_CODES.failed;
    case 'bug':
      return EXIT_CODES.failed;
  }
}
