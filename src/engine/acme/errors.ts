import { formatSpan } from '../core/duration.js';
import { AcmeProblemError, BugError, CancelledError, ConfigError, EngineError, NetworkError } from '../core/errors.js';
import type { OperationContext } from './transport.js';
import { excerpt } from '../core/sanitize.js';
import { BODY_TOO_LARGE, DEADLINE_EXCEEDED, REQUEST_DEADLINE_MS, REQUEST_TIMEOUT_MS } from './transport.js';
import { hintForProblems } from './problem-hints.js';

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_BAD_RESPONSE',
]);

interface AxiosLike {
  isAxiosError?: boolean;
  code?: string;
  message: string;
  name: string;
}

/**
 * Turns whatever acme-client threw into an EngineError, using what the transport captured for this operation:
 * the problem document's type and status, Retry-After, or the network error code.
 */
export function toEngineError(err: unknown, ctx: OperationContext, what: string, caName: string): EngineError {
  if (err instanceof EngineError) return err;
  if (ctx.signal?.aborted) {
    const reason: unknown = ctx.signal.reason;
    return reason instanceof CancelledError ? reason : new CancelledError(typeof reason === 'string' ? reason : 'cancelled');
  }
  const e = err as AxiosLike;
  const code = e?.code;
  if (ctx.last?.errorCode === DEADLINE_EXCEEDED) {
    return new NetworkError(
      `${caName} did not complete its answer within ${(ctx.requestDeadlineMs ?? REQUEST_DEADLINE_MS) / 1000}s while trying to ${what}.`,
      'The CA or the network is very slow, or the server drips its answer; certdeck retries with backoff. Check connectivity or switch CA.',
      err,
    );
  }
  if (ctx.last?.errorCode === BODY_TOO_LARGE) {
    return new EngineError('ca-problem', 'response-too-large', `${caName} sent an answer larger than certdeck accepts while trying to ${what}; it was not read.`, {
      hint: 'An ACME answer is a few kilobytes. Check the directory URL points at an ACME server, or switch CA.',
      cause: err,
    });
  }
  if (code === 'ERR_CANCELED' || e?.name === 'CanceledError') return new CancelledError('cancelled');
  if (code && TLS_TRUST_CODES.has(code)) {
    return new ConfigError(
      'untrusted-tls',
      `The TLS certificate of ${caName} is not trusted (${code}) while trying to ${what}.`,
      'If this CA uses a private root, pass its PEM with --ca-bundle FILE (trusted for this CA only).',
      err,
    );
  }
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return new NetworkError(`No answer from ${caName} within ${formatSpan(ctx.timeoutMs ?? REQUEST_TIMEOUT_MS)} while trying to ${what}.`, 'The CA or the network is slow or down; certdeck retries with backoff. Check connectivity or switch CA.', err);
  }
  if (code && NETWORK_CODES.has(code)) {
    return new NetworkError(`Network error talking to ${caName} (${code}) while trying to ${what}.`, 'Check that the directory URL is right and the CA is reachable from this host.', err);
  }
  const last = ctx.last;
  if (last?.problem && last.status !== undefined && last.status >= 400) {
    const hint = hintForProblems(last.problem.type, last.problem.subproblems);
    return new AcmeProblemError({
      type: last.problem.type,
      status: last.status,
      detail: last.problem.detail || excerpt(e?.message ?? '', 300) || 'no detail',
      ...(last.retryAfterMs === undefined ? {} : { retryAfterMs: last.retryAfterMs }),
      ...(last.problem.subproblems ? { subproblems: last.problem.subproblems } : {}),
      ...(hint === undefined ? {} : { hint }),
    });
  }
  if (e?.isAxiosError || (typeof code === 'string' && code.startsWith('E'))) {
    return new NetworkError(`Network error talking to ${caName} (${excerpt(code ?? e.message)}) while trying to ${what}.`, undefined, err);
  }
  // The CA answered, and the library could not use the answer (a missing field, a wrong type): the CA's problem.
  if (last?.status !== undefined) {
    return new EngineError('ca-problem', 'malformed-response', `${caName} sent an answer certdeck cannot use while trying to ${what}: ${excerpt(e?.message ?? String(err), 200)}`, {
      hint: 'The CA is misbehaving or the URL is not an ACME server; try again later or switch CA.',
      cause: err,
    });
  }
  return new BugError(`Unexpected error from the ACME library while trying to ${what}: ${excerpt(e?.message ?? String(err), 300)}`, err);
}
