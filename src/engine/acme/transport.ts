import { AsyncLocalStorage } from 'node:async_hooks';
import type { Agent as HttpsAgent } from 'node:https';
import acme from 'acme-client';
import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { Clock } from '../core/clock.js';
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
  httpsAgent?: HttpsAgent;
  nonces?: NoncePool;
  clock: Clock;
  onExchange?: (x: Exchange) => void;
  /** A request leaves for the CA (not one answered from the nonce pool): views show it as in flight until onExchange. */
  onRequestStart?: (r: { at: number; method: string; url: string }) => void;
  /** The last response of this operation (what an error thrown by acme-client is about). */
  last?: Exchange;
}

export const REQUEST_TIMEOUT_MS = 30_000;
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
  instance.defaults.headers.common['User-Agent'] = userAgent;
  // The library re-reads these for its retry interceptor, which we removed; zero them in case it comes back.
  const settings = (instance.defaults as unknown as { acmeSettings?: Record<string, number> }).acmeSettings;
  if (settings) {
    settings.retryMaxAttempts = 0;
  }

  instance.interceptors.request.use(async (config: TimedConfig) => {
    const ctx = als.getStore();
    if (!ctx) return config;
    if (ctx.signal) config.signal = ctx.signal;
    if (ctx.httpsAgent) config.httpsAgent = ctx.httpsAgent;
    const method = (config.method ?? 'get').toLowerCase();
    const url = config.url;
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

function problemOf(response: AxiosResponse): Problem | undefined {
  if (response.status < 400) return undefined;
  const data: unknown = response.data;
  if (data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string') {
    const d = data as { type: string; detail?: unknown; subproblems?: unknown };
    const p: Problem = { type: d.type, detail: typeof d.detail === 'string' ? d.detail : '', status: response.status };
    if (Array.isArray(d.subproblems)) {
      p.subproblems = d.subproblems.map((sp: { type?: string; detail?: string; identifier?: { value?: string } }) => ({
        ...(sp.type ? { type: sp.type } : {}),
        ...(sp.detail ? { detail: sp.detail } : {}),
        ...(sp.identifier?.value ? { identifier: sp.identifier.value } : {}),
      }));
    }
    return p;
  }
  return { type: `http-${response.status}`, detail: typeof data === 'string' ? data.slice(0, 200) : '', status: response.status };
}
