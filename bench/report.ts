import { BATCH_SIZE, type ClientResult, type PhaseResult } from './phases.js';
import type { StartupTimes } from './startup.js';
import { median, millis, ratio, requestBreakdown, seconds } from './stats.js';
import { renderTable } from './table.js';

/** Figures measured elsewhere (given with the task), printed as "reference" next to ours. */
export const REFERENCE = {
  uacme: { coldMs: 660, batchMs: 4_100, requestsPerCert: 11 },
  lego: { coldMs: 6_100, batchMs: 60_000, requestsPerCert: 9.7 },
} as const;

/** Issue 18's targets; every one holds for both certdeck policies (the default one and the sandbox's). */
export const TARGETS = {
  /** (a) at most this fraction of uacme's time in the same run (and no slower than lego's fastest round). */
  coldVsUacme: 0.5,
  /** (b) certdeck at least this many times faster than uacme. */
  batchSpeedupVsUacme: 8,
  /** (c) at most this many CA requests per certificate. */
  requestsPerCert: 7,
  /** Start of the process to its first request at the CA, on the issue path. */
  toFirstRequestMs: 150,
  /** (d) `certdeck --version` at most this much slower than a bare `node -e 0`. */
  startupOverNodeMs: 20,
} as const;

export interface Figures {
  coldMs: number;
  batchMs: number;
  requestsPerCert: number;
  coldRequests: number;
}

export function figuresOf(r: ClientResult): Figures {
  return {
    coldMs: median(r.cold.ms),
    batchMs: median(r.batch.ms),
    requestsPerCert: r.batch.certs ? sum(r.batch.requests) / r.batch.certs : Number.NaN,
    coldRequests: median(r.cold.requests),
  };
}

export interface Verdicts {
  cold: boolean | undefined;
  coldVsLego: boolean | undefined;
  firstRequest: boolean | undefined;
  batch: boolean | undefined;
  requests: boolean | undefined;
  startup: boolean | undefined;
}

export function verdicts(
  certdeck: Figures,
  uacme: Figures | undefined,
  startup: StartupTimes | undefined,
  extra: { legoFastestColdMs?: number; toFirstRequestMs?: number } = {},
): Verdicts {
  const known = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n);
  return {
    cold: known(certdeck.coldMs) && known(uacme?.coldMs) ? certdeck.coldMs <= uacme.coldMs * TARGETS.coldVsUacme : undefined,
    coldVsLego: known(certdeck.coldMs) && known(extra.legoFastestColdMs) ? certdeck.coldMs <= extra.legoFastestColdMs : undefined,
    firstRequest: known(extra.toFirstRequestMs) ? extra.toFirstRequestMs <= TARGETS.toFirstRequestMs : undefined,
    batch: known(certdeck.batchMs) && known(uacme?.batchMs) ? uacme.batchMs / certdeck.batchMs >= TARGETS.batchSpeedupVsUacme : undefined,
    requests: known(certdeck.requestsPerCert) ? certdeck.requestsPerCert <= TARGETS.requestsPerCert : undefined,
    startup: known(startup?.certdeckMedianMs) ? startup.certdeckMedianMs - startup.bareNodeMedianMs <= TARGETS.startupOverNodeMs : undefined,
  };
}

/**
 * The side-by-side table for one certdeck policy (`certdeckId`: 'certdeck' with --ca sandbox, 'certdeck-default'
 * with the CA given by URL): figures, ratios, targets, and whether certdeck met them.
 */
export function renderResults(results: ClientResult[], startup: StartupTimes | undefined, certdeckId: ClientResult['id'] = 'certdeck'): string {
  const byId = new Map(results.map((r) => [r.id, r]));
  const certdeck = byId.get(certdeckId)!;
  const uacme = byId.get('uacme');
  const lego = byId.get('lego');
  const fc = figuresOf(certdeck);
  const fu = uacme && !uacme.unavailable ? figuresOf(uacme) : undefined;
  const fl = lego && !lego.unavailable ? figuresOf(lego) : undefined;
  const legoFastestColdMs = lego && lego.cold.ms.length ? Math.min(...lego.cold.ms) : undefined;
  const toFirstRequestMs = median([...certdeck.cold.toFirstRequestMs, ...certdeck.batch.toFirstRequestMs]);
  const v = verdicts(fc, fu, startup, { ...(legoFastestColdMs === undefined ? {} : { legoFastestColdMs }), toFirstRequestMs });

  const cell = (r: ClientResult | undefined, phase: 'cold' | 'batch', value: string, ref?: string): string => {
    if (!r) return 'not run';
    if (r.unavailable) return 'skipped';
    const p: PhaseResult = r[phase];
    if (p.ms.length === 0) return 'FAILED';
    const flags = `${p.failures.length ? '!' : ''}${phase === 'batch' && p.measuredCerts ? '*' : ''}`;
    return `${value}${flags}${ref ? ` (ref ${ref})` : ''}`;
  };
  /** An "of which" row: one part of a phase's time, per client (peers' figures may carry a note). */
  const breakdown = (label: string, phase: 'cold' | 'batch', metric: 'toFirstRequestMs' | 'protocolMs', peerNote = '', target = ['', '']): string[] => [
    `    of which: ${label}`,
    cell(certdeck, phase, millis(median(certdeck[phase][metric]))),
    cell(uacme, phase, `${millis(median(uacme?.[phase][metric] ?? []))}${peerNote}`),
    cell(lego, phase, `${millis(median(lego?.[phase][metric] ?? []))}${peerNote}`),
    ratio(median(uacme?.[phase][metric] ?? []), median(certdeck[phase][metric])),
    ratio(median(lego?.[phase][metric] ?? []), median(certdeck[phase][metric])),
    ...target,
  ];
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'MET' : 'MISSED');
  const count = (n: number): string => (Number.isFinite(n) ? (Number.isInteger(n) ? String(n) : n.toFixed(1)) : '-');

  const rows: string[][] = [
    ['', certdeckId, 'uacme', 'lego', 'uacme/certdeck', 'lego/certdeck', 'target', 'certdeck'],
    [
      '(a) 1 cert, cold process, account registration included',
      cell(certdeck, 'cold', seconds(fc.coldMs)),
      cell(uacme, 'cold', seconds(fu?.coldMs ?? Number.NaN), seconds(REFERENCE.uacme.coldMs)),
      cell(lego, 'cold', seconds(fl?.coldMs ?? Number.NaN), seconds(REFERENCE.lego.coldMs)),
      ratio(fu?.coldMs ?? Number.NaN, fc.coldMs),
      ratio(fl?.coldMs ?? Number.NaN, fc.coldMs),
      `<= ${TARGETS.coldVsUacme}x uacme's time`,
      verdict(v.cold),
    ],
    [
      '    lego\'s fastest round of (a)',
      '',
      '',
      legoFastestColdMs === undefined ? '-' : seconds(legoFastestColdMs),
      '',
      legoFastestColdMs === undefined ? '-' : ratio(legoFastestColdMs, fc.coldMs),
      "no slower than lego's fastest",
      verdict(v.coldVsLego),
    ],
    breakdown('start to the first CA request', 'cold', 'toFirstRequestMs', '', [`<= ${TARGETS.toFirstRequestMs} ms (median of (a), (b))`, verdict(v.firstRequest)]),
    breakdown('first to last CA request', 'cold', 'protocolMs'),
    [
      `(b) ${BATCH_SIZE} single-name certs, account registered`,
      cell(certdeck, 'batch', seconds(fc.batchMs)),
      cell(uacme, 'batch', seconds(fu?.batchMs ?? Number.NaN), seconds(REFERENCE.uacme.batchMs)),
      cell(lego, 'batch', seconds(fl?.batchMs ?? Number.NaN), seconds(REFERENCE.lego.batchMs)),
      ratio(fu?.batchMs ?? Number.NaN, fc.batchMs),
      ratio(fl?.batchMs ?? Number.NaN, fc.batchMs),
      `>= ${TARGETS.batchSpeedupVsUacme}x faster than uacme`,
      verdict(v.batch),
    ],
    breakdown('start to the first CA request', 'batch', 'toFirstRequestMs', ' (1st call)'),
    breakdown('first to last CA request', 'batch', 'protocolMs'),
    [
      '(c) CA requests per certificate, (b) setting',
      cell(certdeck, 'batch', count(fc.requestsPerCert)),
      cell(uacme, 'batch', count(fu?.requestsPerCert ?? Number.NaN), String(REFERENCE.uacme.requestsPerCert)),
      cell(lego, 'batch', count(fl?.requestsPerCert ?? Number.NaN), String(REFERENCE.lego.requestsPerCert)),
      ratio(fu?.requestsPerCert ?? Number.NaN, fc.requestsPerCert),
      ratio(fl?.requestsPerCert ?? Number.NaN, fc.requestsPerCert),
      `<= ${TARGETS.requestsPerCert} per certificate`,
      verdict(v.requests),
    ],
    [
      '    CA requests of (a), account registration included',
      cell(certdeck, 'cold', count(fc.coldRequests)),
      cell(uacme, 'cold', count(fu?.coldRequests ?? Number.NaN)),
      cell(lego, 'cold', count(fl?.coldRequests ?? Number.NaN)),
      ratio(fu?.coldRequests ?? Number.NaN, fc.coldRequests),
      ratio(fl?.coldRequests ?? Number.NaN, fc.coldRequests),
      '',
      '',
    ],
    [
      '(d) `certdeck --version` start-up (median)',
      startup ? millis(startup.certdeckMedianMs) : 'FAILED',
      '',
      '',
      '',
      '',
      `<= node -e 0 + ${TARGETS.startupOverNodeMs} ms`,
      verdict(v.startup),
    ],
    ['    bare `node -e 0` (reference)', startup ? millis(startup.bareNodeMedianMs) : 'FAILED', '', '', '', '', '', ''],
  ];
  return renderTable(rows);
}

/** What was run and how, so the table can be read without the source. */
export function renderNotes(results: ClientResult[], startup: StartupTimes | undefined, plan: { coldRounds: number; batchRounds: number }): string {
  const lines: string[] = [];
  lines.push(
    `(a) median of ${plan.coldRounds} rounds, clients alternating, a fresh state dir each; (b) median of ${plan.batchRounds} rounds` +
      ` (lego: 1 round, after the others); (c) all CA requests of (b) / certificates issued; (d) median of ${startup?.certdeckMs.length ?? '?'} runs after 2 warm-ups.`,
  );
  lines.push('ratios: how many times the peer\'s figure is certdeck\'s (above 1x: certdeck is faster / sends fewer requests).');
  lines.push('"ref": figures measured elsewhere, for comparison only; the ratios and verdicts use this run\'s figures.');
  for (const r of results) {
    if (r.unavailable) {
      lines.push(`${r.id}: SKIPPED: ${r.unavailable}`);
      continue;
    }
    lines.push(`${r.id} ${r.version ?? ''}`);
    lines.push(`  (a) ${r.coldHow ?? ''}`);
    lines.push(`  (b) ${r.batchHow ?? ''}`);
    const rounds = (p: PhaseResult): string => (p.ms.length ? p.ms.map(seconds).join(', ') : 'none succeeded');
    lines.push(`  rounds: (a) ${rounds(r.cold)}; (b) ${rounds(r.batch)}`);
    for (const [label, p] of [['(a)', r.cold], ['(b)', r.batch]] as const) {
      const lo = Math.min(...p.ms);
      const hi = Math.max(...p.ms);
      if (p.ms.length > 1 && hi > 3 * lo) lines.push(`  ! ${label} rounds vary widely (${seconds(lo)} to ${seconds(hi)}): the median hides that; run more rounds to see the spread`);
    }
    if (r.batch.measuredCerts) {
      lines.push(`  * (b) measured with ${r.batch.measuredCerts} certificates and scaled to ${BATCH_SIZE} (time x ${BATCH_SIZE}/${r.batch.measuredCerts}); requests per cert are as measured.`);
    }
    if (r.batch.log.length) lines.push(`  (b) CA requests by kind: ${requestBreakdown(r.batch.log)}`);
    if (r.cold.log.length) lines.push(`  (a) CA requests by kind: ${requestBreakdown(r.cold.log)}`);
    const problems = Object.entries(r.batch.problems);
    if (problems.length) lines.push(`  (b) error answers certdeck saw: ${problems.map(([k, n]) => `${k} x${n}`).join(', ')}`);
    const failures = [...r.cold.failures.map((f) => `(a) ${f}`), ...r.batch.failures.map((f) => `(b) ${f}`)];
    if (failures.length) {
      lines.push(`  ! ${failures.length} failed run(s) (left out of the figures):`);
      for (const f of failures) lines.push(f.split('\n').map((l) => `    ${l}`).join('\n'));
    }
  }
  return lines.join('\n');
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
