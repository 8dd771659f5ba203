import type { EngineEvent } from '../engine/events.js';
import { formatCountdown, formatElapsed, formatSpan } from '../engine/core/duration.js';

/**
 * Headless output: NDJSON (one engine event per line, for scripts) or short human lines (for cron mail and
 * terminals without the TUI). Both are driven by the same engine events the TUI's snapshot is folded from.
 */
export type Reporter = (event: EngineEvent) => void;

export function ndjsonReporter(write: (line: string) => void): Reporter {
  return (event) => write(`${JSON.stringify(event)}\n`);
}

/** Human lines: transitions, waits and outcomes; CA exchanges only with `verbose`. */
export function humanReporter(write: (line: string) => void, opts: { verbose?: boolean } = {}): Reporter {
  const names = new Map<string, string>();
  const label = (orderId: string): string => names.get(orderId) ?? orderId;
  return (e) => {
    const line = describe(e, label, opts.verbose ?? false, names);
    if (line) write(`${line}\n`);
  };
}

function describe(e: EngineEvent, label: (id: string) => string, verbose: boolean, names: Map<string, string>): string | undefined {
  switch (e.type) {
    case 'order:queued':
      names.set(e.orderId, e.certName);
      return `[${e.certName}] ${e.replaces ? 're-issuing' : 'issuing'} for ${e.domains.join(', ')} from ${e.caName}`;
    case 'order:phase':
      if (e.phase === 'queued' || e.phase === 'done' || e.phase === 'failed' || e.phase === 'cancelled' || e.phase === 'abandoned') return undefined;
      return `[${label(e.orderId)}] ${e.phase}${e.detail ? ` (${e.detail})` : ''}`;
    case 'order:created':
      return `[${label(e.orderId)}] ${e.resumed ? `resumed order ${e.orderUrl} (${e.status}; created ${e.createdAt === undefined ? 'earlier' : new Date(e.createdAt).toISOString()})` : `created order ${e.orderUrl} (${e.status})`}`;
    case 'order:status':
      return `[${label(e.orderId)}] order is ${e.status}`;
    case 'authz:updated':
      if (e.status === 'invalid') return `[${label(e.orderId)}] ${e.domain}: validation failed${e.error ? `: ${e.error}` : ''}`;
      if (e.status === 'valid') return `[${label(e.orderId)}] ${e.domain}: validated`;
      return undefined;
    case 'challenge:status': {
      if (e.challengeType !== 'dns-01' && !verbose && e.status !== 'failed') return undefined;
      const what = e.record ? `${e.domain}: ${e.record} TXT` : `${e.domain}: ${e.challengeType}`;
      if (e.status === 'publishing' || (e.status === 'ready' && !verbose)) return undefined;
      return `[${label(e.orderId)}] ${what} ${e.status}${e.detail ? `: ${e.detail}` : ''}`;
    }
    case 'dns:propagation': {
      if (e.mode === 'wait') return e.done ? undefined : `[${label(e.orderId)}] dns-01: waiting ${formatSpan(e.deadlineAt - e.at)} for propagation (no check)`;
      const total = e.records.reduce((n, r) => n + r.servers.length, 0);
      const seen = e.records.reduce((n, r) => n + r.servers.filter((s) => s.seen).length, 0);
      if (e.done) return `[${label(e.orderId)}] dns-01: ${e.records.length} record(s) seen at every server (${e.mode}) after ${e.checks} check(s), ${formatElapsed(e.at - e.startedAt)}`;
      if (!verbose && e.checks > 1 && e.checks % 5 !== 0) return undefined;
      return `[${label(e.orderId)}] dns-01 propagation (${e.mode}): ${seen}/${total} record answers seen, check ${e.checks}, gives up in ${formatCountdown(e.deadlineAt - e.at)}`;
    }
    case 'wait:scheduled':
      if (!verbose && e.attempt > 1 && e.phase !== 'processing') return undefined;
      return `[${label(e.orderId)}] ${e.phase}: poll ${e.attempt} in ${formatCountdown(e.delayMs)} (${e.reason === 'retry-after' ? 'Retry-After' : 'backoff'}), deadline in ${formatCountdown(e.deadlineAt - e.at)}`;
    case 'order:hung':
      return `[${label(e.orderId)}] HUNG: processing for ${formatElapsed(e.at - e.since)} after ${e.polls} polls`;
    case 'retry:scheduled':
      return `[${label(e.orderId)}] ${e.error.message}; retry ${e.attempt}/${e.maxRetries} of "${e.operation}" in ${formatCountdown(e.nextAttemptAt - e.at)}`;
    case 'http:started':
      return undefined;
    case 'http:exchange':
      if (!verbose) return undefined;
      return `  ${e.method} ${e.url} -> ${e.status ?? e.errorCode ?? '?'}${e.problemType ? ` ${e.problemType}` : ''}${e.retryAfterMs !== undefined ? ` Retry-After ${formatSpan(e.retryAfterMs)}` : ''} (${e.durationMs}ms)`;
    case 'order:finished': {
      const who = `[${label(e.orderId)}]`;
      if (e.outcome === 'valid') return `${who} issued: ${e.certificate?.dir ?? ''} (serial ${e.certificate?.serial ?? '?'}, expires ${e.certificate ? new Date(e.certificate.notAfter).toISOString() : '?'})`;
      if (e.outcome === 'abandoned') return `${who} abandoned: ${e.reason ?? ''}`;
      if (e.outcome === 'cancelled') return `${who} cancelled: ${e.reason ?? ''}`;
      return `${who} failed: ${e.error?.message ?? ''}${e.error?.hint ? `\n${who} what to do: ${e.error.hint}` : ''}`;
    }
    case 'log':
      if (e.level === 'debug' && !verbose) return undefined;
      return `${e.certName ? `[${e.certName}] ` : ''}${e.orderId ? `[${label(e.orderId)}] ` : ''}${e.level === 'info' ? '' : `${e.level}: `}${e.message}`;
    case 'deploy:started':
      return `[${e.certName}] deploying to ${e.targets.length} target(s)`;
    case 'deploy:target':
      if (e.status === 'waiting') return undefined;
      return `  deploy ${e.targetId}${e.domain ? ` ${e.domain}` : ''}: ${e.status}${e.reason ? ` (${e.reason})` : ''}`;
    case 'deploy:log':
      return verbose ? `    ${e.targetId}| ${e.line}` : undefined;
    case 'deploy:finished':
      return `[${e.certName}] deploy ${e.outcome}: ${e.succeeded} succeeded, ${e.failed} failed, ${e.skipped} skipped`;
    case 'certificate:saved':
    case 'certificate:known':
    case 'issue:finished':
    case 'certificate:removed':
      return undefined;
  }
}
