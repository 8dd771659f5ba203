import type { CertificateSummary, EngineEvent, EventOf, OrderPhase } from '../../src/engine/events.js';
import { DEFAULT_POLICY, type WaitPolicy } from '../../src/engine/policy.js';

/** Scripted engine events for TUI tests. Times are absolute, starting at the ManualClock's default start. */

export const T0 = Date.UTC(2026, 0, 1);
export const DAY = 86_400_000;

export function queued(orderId: string, opts: { domains?: string[]; caId?: string; caName?: string; at?: number; policy?: WaitPolicy; replaces?: string } = {}): EventOf<'order:queued'> {
  const domains = opts.domains ?? ['example.com'];
  return {
    type: 'order:queued',
    at: opts.at ?? T0,
    orderId,
    certName: domains[0]!,
    domains,
    caId: opts.caId ?? 'letsencrypt',
    caName: opts.caName ?? "Let's Encrypt",
    keyType: 'ec-p256',
    challenge: 'http-01-standalone',
    policy: opts.policy ?? DEFAULT_POLICY,
    ...(opts.replaces ? { replaces: opts.replaces } : {}),
  };
}

export function phase(orderId: string, p: OrderPhase, at = T0): EventOf<'order:phase'> {
  return { type: 'order:phase', at, orderId, phase: p };
}

export function created(orderId: string, status: 'pending' | 'ready' | 'processing' | 'valid' | 'invalid', at = T0): EventOf<'order:created'> {
  return { type: 'order:created', at, orderId, orderUrl: `https://127.0.0.1:14000/acme/order/${orderId}`, status, resumed: false };
}

export function status(orderId: string, s: 'pending' | 'ready' | 'processing' | 'valid' | 'invalid', at = T0): EventOf<'order:status'> {
  return { type: 'order:status', at, orderId, status: s };
}

export function waitScheduled(
  orderId: string,
  opts: { at?: number; delayMs: number; reason?: 'retry-after' | 'backoff'; attempt?: number; deadlineMs?: number; phase?: 'authorization' | 'processing' | 'download' },
): EventOf<'wait:scheduled'> {
  const at = opts.at ?? T0;
  return {
    type: 'wait:scheduled',
    at,
    orderId,
    phase: opts.phase ?? 'processing',
    attempt: opts.attempt ?? 1,
    nextPollAt: at + opts.delayMs,
    delayMs: opts.delayMs,
    reason: opts.reason ?? 'backoff',
    deadlineAt: at + (opts.deadlineMs ?? 120_000),
    startedAt: at,
  };
}

export function hung(orderId: string, since: number, polls: number, at: number): EventOf<'order:hung'> {
  return { type: 'order:hung', at, orderId, since, polls, nextPollAt: at + 15_000 };
}

export function finished(orderId: string, outcome: 'valid' | 'failed' | 'cancelled' | 'abandoned', at = T0, extra: Partial<EventOf<'order:finished'>> = {}): EventOf<'order:finished'> {
  return { type: 'order:finished', at, orderId, outcome, ...extra };
}

export function certificate(certName: string, opts: { domains?: string[]; notBefore?: number; lifetimeDays?: number; caId?: string } = {}): CertificateSummary {
  const notBefore = opts.notBefore ?? T0 - 30 * DAY;
  return {
    certName,
    domains: opts.domains ?? [certName],
    caId: opts.caId ?? 'letsencrypt',
    dir: `/var/lib/certdeck/live/${certName}`,
    serial: '04ab',
    notBefore,
    notAfter: notBefore + (opts.lifetimeDays ?? 90) * DAY,
    fingerprint: 'AA:BB',
    issuer: 'R11',
  };
}

export function certKnown(cert: CertificateSummary, at = T0): EventOf<'certificate:known'> {
  return { type: 'certificate:known', at, certificate: cert };
}

/** An order sitting in "processing" at the CA since `at`, waiting `delayMs` for its next poll. */
export function processingOrder(orderId: string, opts: { at?: number; delayMs?: number; reason?: 'retry-after' | 'backoff'; domains?: string[]; caId?: string; caName?: string; policy?: WaitPolicy } = {}): EngineEvent[] {
  const at = opts.at ?? T0;
  return [
    queued(orderId, { at, ...opts }),
    phase(orderId, 'creating', at),
    created(orderId, 'ready', at),
    phase(orderId, 'finalizing', at),
    status(orderId, 'processing', at),
    phase(orderId, 'processing', at),
    waitScheduled(orderId, { at, delayMs: opts.delayMs ?? 8000, reason: opts.reason ?? 'backoff' }),
  ];
}
