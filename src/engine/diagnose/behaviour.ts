import type { ResolvedCa } from '../ca/catalog.js';
import type { Finding } from './types.js';

/** Tier 4: what the catalog knows about this CA's behaviour, checked against the wait policy certdeck will use. */
export function behaviourFindings(ca: ResolvedCa): Finding[] {
  const out: Finding[] = [];
  for (const issue of ca.knownIssues ?? []) {
    const short = Object.entries(issue.minDeadlineMs ?? {}).filter(([phase, min]) => min !== undefined && ca.policy.deadlines[phase as keyof typeof ca.policy.deadlines] < min);
    if (short.length) {
      const [phase, min] = short[0]!;
      const have = ca.policy.deadlines[phase as keyof typeof ca.policy.deadlines];
      out.push({
        id: `ca.behaviour.${issue.id}`,
        severity: 'warning',
        tier: 'behaviour',
        caId: ca.id,
        seen: `${issue.seen} certdeck's ${phase} deadline for ${ca.name} is ${Math.round(have / 1000)} s, shorter than the ${Math.round((min ?? 0) / 1000)} s this needs.`,
        todo: `Raise it (settings caPolicies.${ca.id}.deadlines.${phase}, or --poll-timeout ${Math.round((min ?? 0) / 60_000)}m). ${issue.todo}`,
      });
    } else {
      out.push({ id: `ca.behaviour.${issue.id}`, severity: 'info', tier: 'behaviour', caId: ca.id, seen: issue.seen, todo: issue.todo });
    }
  }
  return out;
}
