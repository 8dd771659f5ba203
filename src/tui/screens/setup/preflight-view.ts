import type { CheckProgress, Finding, PreflightReport } from '../../../engine/api.js';
import { SYMBOLS } from '../../theme.js';
import type { TextBlock } from './ScrollText.js';

/** The preflight checks as they run: each one listed as running, then with its outcome and findings. */
export interface PreflightState {
  checks: Array<{ key: string; title: string; done: boolean; worst?: Finding['severity']; note?: string; outcome?: string }>;
  findings: Finding[];
  report?: PreflightReport;
  error?: string;
}

export const EMPTY_PREFLIGHT: PreflightState = { checks: [], findings: [] };

export function foldProgress(state: PreflightState, p: CheckProgress): PreflightState {
  if (p.type === 'started') return { ...state, checks: [...state.checks, { key: p.check.key, title: p.check.title, done: false }] };
  const checks = state.checks.map((c) =>
    c.key === p.check.key ? { ...c, done: true, outcome: p.outcome, ...(p.worst ? { worst: p.worst } : {}), ...(p.note ? { note: p.note } : {}) } : c,
  );
  return { ...state, checks, findings: [...state.findings, ...p.findings] };
}

/** What the preflight step shows: the checks, then each finding with what to do and whether it blocks. */
export function preflightBlocks(state: PreflightState): TextBlock[] {
  const blocks: TextBlock[] = [];
  for (const c of state.checks) {
    const mark = !c.done ? '…' : c.worst === 'error' ? SYMBOLS.bad : c.worst === 'warning' ? SYMBOLS.warn : c.outcome === 'skipped' ? '-' : SYMBOLS.ok;
    const tone = !c.done ? 'info' : c.worst === 'error' ? 'bad' : c.worst === 'warning' ? 'warn' : 'ok';
    blocks.push({ text: `${mark} ${c.title}${c.done ? (c.note ? ` · ${c.note}` : '') : ' · checking'}`, tone });
  }
  const shown = state.findings.filter((f) => f.severity !== 'info' || f.id === 'name.idn');
  if (shown.length > 0) blocks.push({ text: '' });
  for (const f of shown) {
    const label = f.severity === 'error' ? 'BLOCKS' : f.severity === 'warning' ? 'warning, does not block' : 'note';
    blocks.push({ text: `${f.severity === 'error' ? SYMBOLS.bad : f.severity === 'warning' ? SYMBOLS.warn : SYMBOLS.dot} ${label}: ${f.seen}`, tone: f.severity === 'error' ? 'bad' : f.severity === 'warning' ? 'warn' : 'muted' });
    blocks.push({ text: `do: ${f.todo}`, indent: 2 });
  }
  if (state.error) blocks.push({ text: `${SYMBOLS.bad} The checks could not run: ${state.error}`, tone: 'bad' });
  const r = state.report;
  if (r) {
    blocks.push({ text: '' });
    if (r.suggestedChallenge) {
      const how = r.suggestedChallenge.method === 'http-01-webroot' ? `webroot ${r.suggestedChallenge.webroot}` : 'the built-in HTTP-01 server';
      blocks.push({ text: `Suggested challenge: ${how} (${r.suggestionReason ?? ''}).`, tone: 'info' });
    }
    blocks.push(
      r.blocking
        ? { text: `${r.counts.error} problem(s) block the setup: fix them, then press r to check again (esc changes the names or the CA).`, tone: 'bad' }
        : { text: `No blocking problem${r.counts.warning ? ` (${r.counts.warning} warning(s) above)` : ''}. Nothing was sent to the CA. Press enter to go on.`, tone: 'ok' },
    );
  }
  return blocks;
}
