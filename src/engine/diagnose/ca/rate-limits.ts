import type { CaRateLimit } from '../../ca/catalog.js';
import type { Journal } from '../../store/journal.js';
import type { Finding } from '../types.js';

/**
 * How close this home's own history comes to the CA's published limits. Only orders made from this state home are
 * known here; other hosts using the same account or domain count too at the CA, so a warning comes early (80 %).
 */

export const WARN_SHARE = 0.8;

interface Event {
  certName: string;
  domains: string[];
  caId: string;
  outcome: 'valid' | 'failed' | 'cancelled' | 'abandoned' | 'running';
  at: number;
}

function events(journals: readonly Journal[]): Event[] {
  const out: Event[] = [];
  for (const j of journals) {
    for (const h of j.history) out.push({ certName: j.certName, domains: j.request.domains, caId: h.caId, outcome: h.outcome, at: h.at });
    if (j.current) out.push({ certName: j.certName, domains: j.request.domains, caId: j.current.caId, outcome: 'running', at: j.current.startedAt });
  }
  return out;
}

/** Without the Public Suffix List: the last two labels, which is right for most names and says so in the finding. */
export function registeredDomainGuess(name: string): string {
  return name.replace(/^\*\./, '').split('.').slice(-2).join('.');
}

export function rateLimitFindings(opts: { caId: string; caName: string; limits: readonly CaRateLimit[]; certName: string; domains: readonly string[]; journals: readonly Journal[]; now: number }): { findings: Finding[]; note: string } {
  const all = events(opts.journals).filter((e) => e.caId === opts.caId);
  const findings: Finding[] = [];
  const notes: string[] = [];
  const names = new Set(opts.domains);
  const regs = new Set(opts.domains.map(registeredDomainGuess));
  for (const limit of opts.limits) {
    const since = opts.now - limit.windowHours * 3_600_000;
    const recent = all.filter((e) => e.at > since);
    let counted: Event[];
    switch (limit.scope) {
      case 'account':
        counted = recent;
        break;
      case 'name-set':
        counted = recent.filter((e) => e.outcome === 'valid' && e.domains.length === names.size && e.domains.every((d) => names.has(d)));
        break;
      case 'registered-domain':
        counted = recent.filter((e) => e.outcome === 'valid' && e.domains.some((d) => regs.has(registeredDomainGuess(d))));
        break;
      case 'name':
        counted = recent.filter((e) => e.outcome === 'failed' && e.domains.some((d) => names.has(d)));
        break;
    }
    const n = counted.length;
    notes.push(`${n}/${limit.limit} ${limit.id}`);
    if (n < limit.limit * WARN_SHARE) continue;
    const oldest = Math.min(...counted.map((e) => e.at));
    const frees = new Date(oldest + limit.windowHours * 3_600_000).toISOString();
    const guess = limit.scope === 'registered-domain' ? ' (registered domain guessed as the last two labels)' : '';
    findings.push({
      id: n >= limit.limit ? 'ratelimit.reached' : 'ratelimit.near',
      severity: n >= limit.limit ? 'error' : 'warning',
      tier: 'ca',
      certName: opts.certName,
      caId: opts.caId,
      seen: `This home alone made ${n} of the ${limit.limit} ${limit.what} ${opts.caName} allows${guess}.`,
      todo: n >= limit.limit
        ? `The CA will refuse with rateLimited until about ${frees}. Test against a staging CA meanwhile; renewals that name the old certificate (ARI) are exempt.`
        : `Avoid re-issuing by hand until ${frees}; test changes against a staging CA.`,
    });
  }
  return { findings, note: notes.join(', ') };
}
