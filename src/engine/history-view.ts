import type { ErrorInfo } from './core/errors.js';
import { formatCountdown, formatElapsed, formatSpan } from './core/duration.js';
import type { EngineEvent, OrderOutcome } from './events.js';

/**
 * Pure views of a certificate's order history (what `engine.readHistory` returns): one summary per order, and one
 * line of text per record. Shared by `certdeck log` and the TUI's history screen, so both tell the same story.
 */

/** An engine event as the history keeps it, with the certificate it belongs to. */
export type HistoryRecord = EngineEvent & { certName: string };

export interface OrderHistorySummary {
  orderId: string;
  certName: string;
  domains: string[];
  caId: string;
  caName: string;
  startedAt: number;
  /** The last record's time. */
  lastAt: number;
  /** Absent while the order runs, or when the process running it died (SIGKILL, power loss). */
  outcome?: OrderOutcome;
  reason?: string;
  error?: ErrorInfo;
  orderUrl?: string;
  /** Records in the history for this order (its full timeline). */
  records: number;
  resumed: boolean;
}

/** One summary per order, in the order they started. */
export function summarizeOrders(records: readonly HistoryRecord[]): OrderHistorySummary[] {
  const byId = new Map<string, OrderHistorySummary>();
  for (const r of records) {
    const orderId = 'orderId' in r ? r.orderId : undefined;
    if (orderId === undefined) continue;
    let s = byId.get(orderId);
    if (!s) {
      s = { orderId, certName: r.certName, domains: [], caId: '', caName: '', startedAt: r.at, lastAt: r.at, records: 0, resumed: false };
      byId.set(orderId, s);
    }
    s.records += 1;
    s.lastAt = Math.max(s.lastAt, r.at);
    if (r.type === 'order:queued') Object.assign(s, { domains: r.domains, caId: r.caId, caName: r.caName, startedAt: r.at });
    if (r.type === 'order:created') Object.assign(s, { orderUrl: r.orderUrl, resumed: r.resumed });
    if (r.type === 'order:finished') {
      s.outcome = r.outcome;
      if (r.reason !== undefined) s.reason = r.reason;
      if (r.error !== undefined) s.error = r.error;
    }
  }
  return [...byId.values()].sort((a, b) => a.startedAt - b.startedAt);
}

export interface HistoryLine {
  at: number;
  orderId?: string;
  text: string;
  tone: 'normal' | 'muted' | 'warn' | 'bad' | 'ok';
}

const short = (type: string): string => type.replace('urn:ietf:params:acme:error:', '');

function urlPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** One record as a line of text (whole: the views wrap it, they never cut it). */
export function describeHistoryRecord(r: HistoryRecord): HistoryLine {
  const base = { at: r.at, ...('orderId' in r && r.orderId !== undefined ? { orderId: r.orderId } : {}) };
  const line = (text: string, tone: HistoryLine['tone'] = 'normal'): HistoryLine => ({ ...base, text, tone });
  switch (r.type) {
    case 'order:queued':
      return line(`${r.replaces ? `re-issue of ${r.replaces}` : 'order'} for ${r.domains.join(', ')} at ${r.caName} (${r.keyType}, ${r.challenge})`);
    case 'order:phase':
      return line(`phase ${r.phase}${r.detail ? `: ${r.detail}` : ''}`, r.phase === 'failed' ? 'bad' : r.phase === 'done' ? 'ok' : 'normal');
    case 'order:created':
      return line(`${r.resumed ? 'resumed' : 'created'} order ${r.orderUrl} (${r.status})`);
    case 'order:status':
      return line(`ACME status ${r.status}`, r.status === 'invalid' ? 'bad' : 'normal');
    case 'authz:updated':
      return line(
        `${r.domain}: authorization ${r.status}${r.challengeType ? ` · ${r.challengeType} ${r.challengeStatus ?? ''}`.trimEnd() : ''}${r.error ? ` · ${r.error}` : ''}`,
        r.status === 'invalid' ? 'bad' : r.status === 'valid' ? 'ok' : 'normal',
      );
    case 'wait:scheduled':
      return line(
        `${r.phase}: poll ${r.attempt} in ${formatCountdown(r.delayMs)} (${r.reason === 'retry-after' ? 'Retry-After' : 'backoff'}), deadline in ${formatCountdown(Math.max(0, r.deadlineAt - r.at))}`,
        'muted',
      );
    case 'wait:extended':
      return line(`${r.phase} deadline extended to ${new Date(r.deadlineAt).toISOString()}`);
    case 'order:hung':
      return line(`hung: processing for ${formatElapsed(r.at - r.since)} after ${r.polls} polls`, 'warn');
    case 'http:exchange': {
      const outcome = r.errorCode ?? (r.status !== undefined ? String(r.status) : 'no response');
      const parts = [`${r.method} ${urlPath(r.url)} → ${outcome}`];
      if (r.problemType !== undefined) parts.push(`${short(r.problemType)}${r.problemDetail ? `: ${r.problemDetail}` : ''}`);
      else if (r.problemDetail) parts.push(r.problemDetail);
      if (r.retryAfterMs !== undefined) parts.push(`Retry-After ${formatSpan(r.retryAfterMs)}`);
      parts.push(`${r.durationMs}ms`);
      const failed = r.errorCode !== undefined || (r.status !== undefined && r.status >= 400);
      return line(parts.join(' · '), failed ? (r.status === 429 || (r.status ?? 0) >= 500 ? 'warn' : 'bad') : 'muted');
    }
    case 'retry:scheduled':
      return line(`${r.error.message}; retry ${r.attempt}/${r.maxRetries} of "${r.operation}" in ${formatCountdown(r.nextAttemptAt - r.at)} (${r.reason === 'retry-after' ? 'Retry-After' : 'backoff'})`, 'warn');
    case 'order:finished': {
      if (r.outcome === 'valid') return line(`issued: serial ${r.certificate?.serial ?? '?'}, expires ${r.certificate ? new Date(r.certificate.notAfter).toISOString() : '?'}`, 'ok');
      if (r.outcome === 'failed') {
        const sub = (r.error?.subproblems ?? []).map((p) => `${p.identifier ?? ''} ${p.type ? short(p.type) : ''}: ${p.detail ?? ''}`.trim());
        return line(`failed: ${r.error?.message ?? ''}${sub.length ? ` [${sub.join('; ')}]` : ''}${r.error?.hint ? ` — what to do: ${r.error.hint}` : ''}`, 'bad');
      }
      return line(`${r.outcome}: ${r.reason ?? r.error?.message ?? ''}`, 'warn');
    }
    case 'certificate:saved':
    case 'certificate:known':
      return line(`certificate saved: serial ${r.certificate.serial}, ${r.certificate.dir}`, 'ok');
    case 'log':
      return line(r.message, r.level === 'error' ? 'bad' : r.level === 'warn' ? 'warn' : r.level === 'debug' ? 'muted' : 'normal');
    case 'deploy:started':
      return line(`deploy to ${r.targets.length} target(s): ${r.targets.map((t) => t.id).join(', ')}`);
    case 'deploy:target':
      return line(`deploy ${r.targetId}${r.domain ? ` ${r.domain}` : ''}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`, r.status === 'failed' || r.status === 'timed-out' ? 'bad' : 'normal');
    case 'deploy:finished':
      return line(`deploy ${r.outcome}: ${r.succeeded} succeeded, ${r.failed} failed, ${r.skipped} skipped`, r.outcome === 'succeeded' ? 'ok' : 'warn');
    case 'challenge:status':
      return line(`${r.challengeType} ${r.domain}${r.record ? ` ${r.record}` : ''}: ${r.status}${r.detail ? ` (${r.detail})` : ''}`, r.status === 'failed' || r.status === 'cleanup-failed' ? 'bad' : 'normal');
    case 'dns:propagation':
      return line(`dns-01 propagation (${r.mode}): check ${r.checks}${r.done ? ', every record seen' : ''}`, r.done ? 'ok' : 'normal');
    case 'deploy:log':
    case 'deploy:targets':
    case 'issue:finished':
      return line(r.type, 'muted');
    case 'state:problem':
      return line(`${r.file}: ${r.message}`, 'bad');
    case 'certificate:removed':
      return line('certificate removed from the state home', 'muted');
    case 'http:started':
      return line(`${r.method} ${r.url} …`, 'muted');
  }
}
