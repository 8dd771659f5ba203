import { AsyncLocalStorage } from 'node:async_hooks';
import type { Agent as HttpsAgent } from 'node:https';
import acme from 'acme-client';
import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { Clock } from '../core/clock.js';
import { AcmeProblemError, ConfigError } from '../core/errors.js';
import { excerpt } from '../core/sanitize.js';
import { parseRetryAfter } from '../policy.js';
import type { NoncePool } from './nonce-pool.js';

/**
 * The one place that touches acme-client's shared axios instance (see acme-client 5.4.0 src/axios.js).
 *
 * Why: the library's own interceptors replay signed POSTs with a stale nonce after 429/5xx (upstream #103),
 * retry cancelled requests, and hide network errors behind a TypeError. We clear them, set a timeout, and run
 * every operation inside an AsyncLocalStorage context that supplies the AbortSignal, the CA's TLS trust, the
 * nonce pool, and a sink for every exchange (status, problem document, Retry-After) that the library would
 * otherwise throw away. Retries live in the engine, each one a freshly signed request.
 */

export interface Problem {
  type: string;
  detail: string;
  status: number;
  subproblems?: Array<{ type?: string; detail?: string; identifier?: string }>;
}

export interface Exchange {
  at: number;
  method: string;
  url: string;
  status?: number;
  problem?: Problem;
  retryAfterMs?: number;
  durationMs: number;
  errorCode?: string;
}

export interface OperationContext {
  signal?: AbortSignal;
  /**
   * The directory URL the operator gave. Every URL an operation follows must be https, except that a CA passed
   * explicitly as http:// (a lab) may use http on that same host.
   */
  directoryUrl?: string;
  /** Overall deadline of one request (connect, headers and the whole body). @default REQUEST_DEADLINE_MS */
  requestDeadlineMs?: number;
  /** Largest response body accepted. @default MAX_JSON_BODY_BYTES */
  maxBodyBytes?: number;
  httpsAgent?: HttpsAgent;
  nonces?: NoncePool;
  clock: Clock;
  onExchange?: (x: Exchange) => void;
  /** Per-request timeout for this operation's requests. @default REQUEST_TIMEOUT_MS */
  timeoutMs?: number;
  /** A request leaves for the CA (not one answered from the nonce pool): views show it as in flight until onExchange. */
  onRequestStart?: (r: { at: number; method: string; url: string }) => void;
  /** The last response of this operation (what an error thrown by acme-client is about). */
  last?: Exchange;
}

export const REQUEST_TIMEOUT_MS = 30_000;
/**
 * axios's timeout is an idle timeout: a server that sends one byte a second never trips it. This one covers the
 * whole exchange, so a dripping CA cannot hold certdeck (and the certificate's lock) past its own deadlines.
 */
export const REQUEST_DEADLINE_MS = 60_000;
/** ACME JSON (directory, orders, authorizations) is a few KB; anything near this is not an honest answer. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
/** A PEM chain with alternates is tens of KB; this leaves room for long chains and nothing more. */
export const MAX_CHAIN_BODY_BYTES = 4 * 1024 * 1024;
/** errorCode of an exchange cut by REQUEST_DEADLINE_MS / by the body cap. */
export const DEADLINE_EXCEEDED = 'CERTDECK_DEADLINE';
export const BODY_TOO_LARGE = 'CERTDECK_BODY_TOO_LARGE';
/**
 * How long a signed request waits for a nonce on its way back from another request before asking newNonce itself:
 * about one round trip to a distant CA, so waiting never costs much more than the request it saves.
 */
export const NONCE_WAIT_MS = 250;

const als = new AsyncLocalStorage<OperationContext>();
let installed = false;

interface TimedConfig extends InternalAxiosRequestConfig {
  certdeckStart?: number;
  /** Counted by the nonce pool as a request that will bring a nonce back. */
  certdeckNonceSource?: boolean;
  certdeckDeadline?: AbortSignal;
}

export function runInOperation<T>(ctx: OperationContext, fn: () => Promise<T>): Promise<T> {
  return als.run(ctx, fn);
}

/** Idempotent: configures acme-client's axios instance once per process. */
export function installTransport(userAgent: string): void {
  if (installed) return;
  installed = true;
  const instance = acme.axios;
  instance.interceptors.request.clear();
  instance.interceptors.response.clear();
  instance.defaults.timeout = REQUEST_TIMEOUT_MS;
  // A redirect would take a signed request (or the directory) wherever the server says, http included.
  instance.defaults.maxRedirects = 0;
  instance.defaults.maxContentLength = MAX_JSON_BODY_BYTES;
  instance.defaults.headers.common['User-Agent'] = userAgent;
  // The library re-reads these for its retry interceptor, which we removed; zero them in case it comes back.
  const settings = (instance.defaults as unknown as { acmeSettings?: Record<string, number> }).acmeSettings;
  if (settings) {
    settings.retryMaxAttempts = 0;
  }

  instance.interceptors.request.use(async (config: TimedConfig) => {
    const ctx = als.getStore();
    if (!ctx) return config;
    if (ctx.timeoutMs !== undefined) config.timeout = ctx.timeoutMs;
    const method = (config.method ?? 'get').toLowerCase();
    const url = config.url;
    if (url) assertSchemeAllowed(url, ctx.directoryUrl);
    config.maxRedirects = 0;
    config.maxContentLength = ctx.maxBodyBytes ?? MAX_JSON_BODY_BYTES;
    const deadline = AbortSignal.timeout(ctx.requestDeadlineMs ?? REQUEST_DEADLINE_MS);
    config.certdeckDeadline = deadline;
    config.signal = ctx.signal ? AbortSignal.any([ctx.signal, deadline]) : deadline;
    if (ctx.httpsAgent) config.httpsAgent = ctx.httpsAgent;
    // acme-client's HEAD newNonce: answered from the pool (or a nonce on its way back) when there is one.
    const pooled = method === 'head' && url && ctx.nonces
      ? await ctx.nonces.next(url, { clock: ctx.clock, maxWaitMs: NONCE_WAIT_MS, ...(ctx.signal ? { signal: ctx.signal } : {}) })
      : undefined;
    config.certdeckStart = ctx.clock.now();
    if (pooled !== undefined) {
      config.adapter = async (c) => ({
        data: '',
        status: 200,
        statusText: 'OK',
        headers: { 'replay-nonce': pooled },
        config: c,
        request: undefined,
        certdeckPooled: true,
      }) as AxiosResponse;
    } else if ((method === 'post' || method === 'head') && url && ctx.nonces) {
      ctx.nonces.started(url);
      config.certdeckNonceSource = true;
    }
    if (pooled === undefined && url) ctx.onRequestStart?.({ at: config.certdeckStart, method: (method ?? 'get').toUpperCase(), url });
    return config;
  });

  instance.interceptors.response.use(
    (response: AxiosResponse) => {
      const ctx = als.getStore();
      if (!ctx || (response as AxiosResponse & { certdeckPooled?: boolean }).certdeckPooled) return response;
      record(ctx, response.config as TimedConfig, response, undefined);
      return response;
    },
    (error: AxiosError) => {
      const ctx = als.getStore();
      if (ctx && error.config) record(ctx, error.config as TimedConfig, error.response, error);
      return Promise.reject(error);
    },
  );
}

function record(ctx: OperationContext, config: TimedConfig, response: AxiosResponse | undefined, error: AxiosError | undefined): void {
  const now = ctx.clock.now();
  const url = config.url ?? '';
  const headers = (response?.headers ?? {}) as Record<string, unknown>;
  const problem = response ? problemOf(response) : undefined;
  const header = headers['replay-nonce'];
  const nonce = typeof header === 'string' && !consumedByLibrary(config, problem) ? header : undefined;
  if (config.certdeckNonceSource) ctx.nonces?.finished(url, nonce);
  else if (nonce !== undefined) ctx.nonces?.put(url, nonce);
  const retryAfterMs = parseRetryAfter(headerString(headers['retry-after']), now);
  const x: Exchange = {
    at: now,
    method: (config.method ?? 'get').toUpperCase(),
    url,
    durationMs: Math.max(0, now - (config.certdeckStart ?? now)),
  };
  if (response) x.status = response.status;
  if (retryAfterMs !== undefined) x.retryAfterMs = retryAfterMs;
  if (problem) x.problem = problem;
  if (!response && error) x.errorCode = error.code ?? error.name;
  if (error && config.certdeckDeadline?.aborted && !ctx.signal?.aborted) x.errorCode = DEADLINE_EXCEEDED;
  else if (error && /maxContentLength size of/.test(error.message)) x.errorCode = BODY_TOO_LARGE;
  ctx.last = x;
  ctx.onExchange?.(x);
}

/**
 * acme-client uses two kinds of Replay-Nonce itself: the one from its own HEAD newNonce (getNonce) and the one
 * in a badNonce error, which it signs its retry with (http.js signedRequest). Pooling those as well would hand
 * the same nonce to a second, concurrent request, and one of the two would fail with badNonce.
 */
function consumedByLibrary(config: TimedConfig, problem: Problem | undefined): boolean {
  if ((config.method ?? 'get').toLowerCase() === 'head') return true;
  return problem?.type === 'urn:ietf:params:acme:error:badNonce';
}

function headerString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/**
 * The problem document, with every CA-controlled string made safe for a terminal and a log. A body that is not a
 * problem document is reduced to a short excerpt: it may be anything (an HTML error page, a proxy's banner).
 */
function problemOf(response: AxiosResponse): Problem | undefined {
  if (response.status < 400) return undefined;
  const data: unknown = response.data;
  if (data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string') {
    const d = data as { type: string; detail?: unknown; subproblems?: unknown };
    const p: Problem = { type: excerpt(d.type, 200), detail: typeof d.detail === 'string' ? excerpt(d.detail, 1000) : '', status: response.status };
    if (Array.isArray(d.subproblems)) {
      p.subproblems = (d.subproblems as unknown[]).slice(0, 100).map((raw) => {
        const sp = (raw ?? {}) as { type?: unknown; detail?: unknown; identifier?: { value?: unknown } };
        return {
          ...(typeof sp.type === 'string' && sp.type ? { type: excerpt(sp.type, 200) } : {}),
          ...(typeof sp.detail === 'string' && sp.detail ? { detail: excerpt(sp.detail, 500) } : {}),
          ...(typeof sp.identifier?.value === 'string' && sp.identifier.value ? { identifier: excerpt(sp.identifier.value, 300) } : {}),
        };
      });
    }
    return p;
  }
  return { type: `http-${response.status}`, detail: typeof data === 'string' ? excerpt(data) : '', status: response.status };
}

/**
 * Every URL followed for a CA is https. The one exception is a lab CA the operator passed as http:// explicitly:
 * then http is allowed on that same host only, so a directory cannot send certdeck's requests anywhere else in
 * clear text.
 */
export function assertSchemeAllowed(url: string, directoryUrl: string | undefined): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AcmeProblemError({ type: 'urn:ietf:params:acme:error:malformed', status: 0, detail: `The CA sent a URL that cannot be parsed: ${excerpt(url)}.` });
  }
  if (u.protocol === 'https:') return;
  const dir = directoryUrl ? new URL(directoryUrl) : undefined;
  if (u.protocol === 'http:' && dir?.protocol === 'http:' && dir.host === u.host) return;
  throw new ConfigError(
    'insecure-ca-url',
    `The CA${dir ? ` at ${dir.host}` : ''} pointed certdeck at ${excerpt(u.origin)}${excerpt(u.pathname, 60)}, which is not https; certdeck does not follow it.`,
    'A CA must keep every endpoint on https. If this is a lab CA served over plain http, pass its directory URL as http:// explicitly (then http is allowed on that host only).',
  );
}
