import type { Clock } from '../../engine/core/clock.js';
import type { FaultPlan, Interception } from './plan.js';
import { orderKey } from './resource.js';
import { problemBody, retryAfterValue, withoutHeader } from './responses.js';
import type { Upstream, UpstreamResponse } from './upstream.js';

const PROBLEM_JSON: [string, string] = ['Content-Type', 'application/problem+json'];

/** The proxy's own answer to an intercepted request (429, 503 or badNonce), never seen by Pebble. */
export async function interceptedAnswer(
  interception: Exclude<Interception, { type: 'reset' }>,
  method: string,
  upstream: Upstream,
  clock: Clock,
): Promise<UpstreamResponse> {
  const headers: Array<[string, string]> = [PROBLEM_JSON];
  // RFC 8555 6.5: a badNonce error carries the fresh nonce to retry with; other errors to POSTs carry one too.
  const withNonce = async (): Promise<void> => {
    const nonce = await upstream.freshNonce();
    if (nonce) headers.push(['Replay-Nonce', nonce]);
  };
  if (interception.type === 'bad-nonce') {
    await withNonce();
    return { status: 400, headers, body: problemBody('badNonce', 'JWS has an invalid anti-replay nonce (injected by certdeck fault proxy)', 400) };
  }
  const { rule } = interception;
  if (rule.retryAfterSeconds !== undefined) {
    headers.push(['Retry-After', retryAfterValue(rule.retryAfterSeconds, rule.retryAfterFormat, clock.now())]);
  }
  if (method === 'POST') await withNonce();
  return rule.kind === 'rate-limit'
    ? { status: 429, headers, body: problemBody('rateLimited', 'Too many requests (injected by certdeck fault proxy)', 429) }
    : { status: 503, headers, body: problemBody('serverInternal', 'Service unavailable (injected by certdeck fault proxy)', 503) };
}

/** 403 orderNotReady in place of Pebble's successful finalize answer, keeping its fresh nonce. */
export function orderNotReadyAnswer(forwarded: UpstreamResponse): UpstreamResponse {
  const nonce = forwarded.headers.find(([name]) => name.toLowerCase() === 'replay-nonce');
  return {
    status: 403,
    headers: [PROBLEM_JSON, ...(nonce ? [nonce] : [])],
    body: problemBody('orderNotReady', 'Order is not ready for finalization (injected by certdeck fault proxy)', 403),
  };
}

/** 502 when Pebble cannot be reached, so the client sees a gateway error rather than a hang. */
export function upstreamFailedAnswer(err: unknown): UpstreamResponse {
  const detail = `certdeck fault proxy could not reach Pebble: ${err instanceof Error ? err.message : String(err)}`;
  return { status: 502, headers: [PROBLEM_JSON], body: problemBody('serverInternal', detail, 502) };
}

/**
 * hang-processing: an order (or finalize) answer whose order is "valid" is shown as still "processing", without
 * its certificate URL, until the plan lets go; processing answers get the rule's Retry-After. Returns true when it
 * changed `res`.
 */
export function holdProcessing(plan: FaultPlan, path: string, res: UpstreamResponse, now: number): boolean {
  const rule = plan.hangRule;
  const key = orderKey(path);
  if (!rule || !key || res.status !== 200) return false;
  let order: Record<string, unknown>;
  try {
    order = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (order.status !== 'processing' && order.status !== 'valid') return false;
  let changed = false;
  if (plan.holdsProcessing(key, now) && order.status === 'valid') {
    order.status = 'processing';
    delete order.certificate;
    res.body = Buffer.from(JSON.stringify(order, null, 2));
    changed = true;
  }
  if (order.status === 'processing' && rule.retryAfterSeconds !== undefined) {
    res.headers = [...withoutHeader(res.headers, 'Retry-After'), ['Retry-After', String(rule.retryAfterSeconds)]];
    changed = true;
  }
  return changed;
}
