import { AcmeProblemError, BugError, CancelledError, ConfigError, EngineError, NetworkError } from '../core/errors.js';
import type { OperationContext } from './transport.js';
import { REQUEST_TIMEOUT_MS } from './transport.js';

/** Hints for the problem types an operator can act on (RFC 8555 6.7). */
const PROBLEM_HINTS: Record<string, string> = {
  rateLimited: 'The CA rate-limited this account or these names; wait until the Retry-After time, or use a staging CA while testing.',
  unauthorized: 'The CA could not validate control of a name: check that the name resolves to this host and the challenge port is reachable.',
  connection: 'The CA could not connect to this host to validate: check DNS, firewalls and that the challenge server is reachable on port 80.',
  dns: 'The CA could not resolve a name: check its DNS records.',
  caa: 'A CAA record forbids this CA from issuing for the name: add the CA to the CAA record or choose another CA.',
  rejectedIdentifier: 'The CA will not issue for this name (policy or blocklist).',
  badCSR: 'The CA rejected the certificate request: check the key type is one this CA accepts.',
  externalAccountRequired: 'This CA requires External Account Binding: pass --eab-kid and --eab-hmac-key (from the CA\'s dashboard).',
  accountDoesNotExist: 'The stored account is unknown to the CA; certdeck will register a new one.',
  userActionRequired: 'The CA needs you to act (often: accept new terms of service); see the instance URL in the detail.',
  orderNotReady: 'The order was not ready to finalize; certdeck re-reads it and follows its real state.',
  serverInternal: 'The CA had an internal error; retry later or switch to another CA.',
  invalidProfile:
    'The CA does not offer the requested certificate profile (any more). Check the profiles its directory lists (meta.profiles), or use --profile instead of --require-profile to fall back to the CA\'s default.',
  alreadyReplaced: 'The CA says this certificate was already renewed (replaced); certdeck orders once more without ARI\'s "replaces".',
};

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
    return new NetworkError(`No answer from ${caName} within ${REQUEST_TIMEOUT_MS / 1000}s while trying to ${what}.`, 'The CA or the network is slow or down; certdeck retries with backoff. Check connectivity or switch CA.', err);
  }
  if (code && NETWORK_CODES.has(code)) {
    return new NetworkError(`Network error talking to ${caName} (${code}) while trying to ${what}.`, 'Check that the directory URL is right and the CA is reachable from this host.', err);
  }
  const last = ctx.last;
  if (last?.problem && last.status !== undefined && last.status >= 400) {
    const short = last.problem.type.replace('urn:ietf:params:acme:error:', '');
    const hint = PROBLEM_HINTS[short];
    return new AcmeProblemError({
      type: last.problem.type,
      status: last.status,
      detail: last.problem.detail || e?.message || 'no detail',
      ...(last.retryAfterMs === undefined ? {} : { retryAfterMs: last.retryAfterMs }),
      ...(last.problem.subproblems ? { subproblems: last.problem.subproblems } : {}),
      ...(hint === undefined ? {} : { hint }),
    });
  }
  if (e?.isAxiosError || (typeof code === 'string' && code.startsWith('E'))) {
    return new NetworkError(`Network error talking to ${caName} (${code ?? e.message}) while trying to ${what}.`, undefined, err);
  }
  return new BugError(`Unexpected error from the ACME library while trying to ${what}: ${e?.message ?? String(err)}`, err);
}
