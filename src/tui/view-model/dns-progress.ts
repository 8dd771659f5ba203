import type { OrderView } from '../../engine/state.js';
import { formatCountdown, formatElapsed } from '../../engine/core/duration.js';

/**
 * The dns-01 part of an order, as lines for the order detail:
 *
 *   DNS records · resolvers check 3 · waited 6s · next check in 2s · gives up in 1m54s
 *     ✔ *.example.com  _acme-challenge.example.com.  published ✓  propagated 2/2 servers
 *     ◐ example.com    _acme-challenge.example.com.  published ✓  propagation 1/2 servers · 10.0.0.2 answered no TXT record
 */

export type DnsRowTone = 'ok' | 'bad' | 'info' | 'muted';

export interface DnsRecordRow {
  domain: string;
  record: string;
  published: string;
  propagation: string;
  tone: DnsRowTone;
  detail?: string;
}

export interface DnsProgress {
  summary: string;
  rows: DnsRecordRow[];
}

export function describeDnsProgress(order: OrderView, now: number): DnsProgress | undefined {
  const records = order.challenges.filter((c) => c.challengeType === 'dns-01');
  if (records.length === 0 && !order.propagation) return undefined;
  const p = order.propagation;
  let summary = 'publishing';
  if (p) {
    const waited = formatElapsed((p.done ? p.checkedAt : now) - p.startedAt);
    if (p.mode === 'wait') summary = p.done ? `waited ${waited} (no check)` : `fixed wait · waited ${waited} · ends in ${formatCountdown(p.deadlineAt - now)}`;
    else if (p.done) summary = `propagated (${p.mode}) after ${p.checks} check${p.checks === 1 ? '' : 's'}, ${waited}`;
    else {
      summary = [
        `${p.mode} check ${p.checks}`,
        `waited ${waited}`,
        p.nextCheckAt !== undefined ? `next check in ${formatCountdown(p.nextCheckAt - now)}` : '',
        `gives up in ${formatCountdown(p.deadlineAt - now)}`,
      ]
        .filter(Boolean)
        .join(' · ');
    }
  }
  const rows = records.map((c): DnsRecordRow => {
    const seen = p?.records.find((r) => r.fqdn === c.record && r.value === c.value);
    const n = seen?.servers.filter((s) => s.seen).length ?? 0;
    const m = seen?.servers.length ?? 0;
    const lagging = seen?.servers.filter((s) => !s.seen) ?? [];
    const published =
      c.status === 'publishing' ? 'publishing…' : c.status === 'cleaned' ? 'cleaned up' : c.status === 'cleanup-failed' ? 'cleanup failed' : c.status === 'failed' && !seen ? 'failed' : 'published ✓';
    const propagation = !p || p.mode === 'wait' ? '' : m === 0 ? '' : n === m ? `propagated ${n}/${m} servers` : `propagation ${n}/${m} servers`;
    const tone: DnsRowTone = c.status === 'failed' || c.status === 'cleanup-failed' ? 'bad' : c.status === 'ready' || c.status === 'cleaned' ? 'ok' : 'info';
    const detail = c.detail ?? (lagging.length && !p?.done ? lagging.map((s) => `${s.server} answered ${s.answer ?? 'nothing yet'}`).join('; ') : undefined);
    return { domain: c.domain, record: c.record ?? '', published, propagation, tone, ...(detail ? { detail } : {}) };
  });
  return { summary, rows };
}
