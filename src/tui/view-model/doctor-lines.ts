import type { CheckInfo, CheckOutcome, CheckProgress, Finding, Severity } from '../../engine/api.js';
import { SYMBOLS, type Tone } from '../theme.js';

/**
 * The doctor screen's state, folded from the engine's check progress, and its rendering into lines that fit the
 * width: long "seen" and "do" texts wrap (never cut), so scrolling works line by line.
 *
 *   Certificate a.test · offline
 *     ✔ files present and private
 *     ✖ private key matches the certificate
 *         ERROR cert.key-mismatch
 *         seen  privkey.pem in /home/... is not the private key of
 *               cert.pem (serial 5CA7...): TLS with this pair fails.
 *         do    Restore the matching key from a backup, or re-issue: ...
 *     ◐ chain order and validity …
 */

export interface CheckRow {
  check: CheckInfo;
  running: boolean;
  outcome?: CheckOutcome;
  worst?: Severity;
  note?: string;
  findings: Finding[];
}

export interface DoctorState {
  rows: CheckRow[];
}

export const emptyDoctorState: DoctorState = { rows: [] };

export function foldProgress(state: DoctorState, p: CheckProgress): DoctorState {
  const i = state.rows.findIndex((r) => r.check.key === p.check.key);
  const row: CheckRow =
    p.type === 'started'
      ? { check: p.check, running: true, findings: [] }
      : { check: p.check, running: false, outcome: p.outcome, ...(p.worst ? { worst: p.worst } : {}), ...(p.note ? { note: p.note } : {}), findings: p.findings };
  const rows = i >= 0 ? state.rows.map((r, j) => (j === i ? row : r)) : [...state.rows, row];
  return { rows };
}

export interface DoctorLine {
  text: string;
  tone: Tone | 'normal';
  /** Group headings are bold. */
  heading?: boolean;
}

const SEVERITY_TONE: Record<Severity, Tone> = { error: 'bad', warning: 'warn', info: 'info' };
const SEVERITY_MARK: Record<Severity, string> = { error: SYMBOLS.bad, warning: SYMBOLS.warn, info: 'i' };

/** Word-wraps `text` to `width`, the first line after `first`, the rest after `rest` (same visible width). */
export function wrapText(text: string, width: number, first: string, rest: string): string[] {
  const room = Math.max(10, width - first.length);
  const out: string[] = [];
  let line = '';
  const push = () => {
    out.push(`${out.length === 0 ? first : rest}${line}`);
    line = '';
  };
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    // A word longer than the room (a path, a URL) is broken, not cut.
    while (w.length > room) {
      if (line) push();
      line = w.slice(0, room);
      w = w.slice(room);
      push();
    }
    if (!w) continue;
    if (line && line.length + 1 + w.length > room) push();
    line = line ? `${line} ${w}` : w;
  }
  if (line || out.length === 0) push();
  return out;
}

function groupOf(check: CheckInfo): string {
  return check.certName ? `Certificate ${check.certName}` : check.caId ? `CA ${check.caId}` : 'This host';
}

/** Control characters from a CA or a file never reach the terminal. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

export function doctorLines(state: DoctorState, width: number): DoctorLine[] {
  const lines: DoctorLine[] = [];
  let heading = '';
  for (const row of state.rows) {
    const h = `${groupOf(row.check)} · ${row.check.tier}`;
    if (h !== heading) {
      lines.push({ text: h, tone: 'title', heading: true });
      heading = h;
    }
    const mark = row.running ? SYMBOLS.running : row.outcome === 'ok' ? SYMBOLS.ok : row.outcome === 'skipped' ? '–' : SEVERITY_MARK[row.worst ?? 'warning'];
    const tone: Tone | 'normal' = row.running ? 'info' : row.outcome === 'ok' ? 'ok' : row.outcome === 'skipped' ? 'muted' : SEVERITY_TONE[row.worst ?? 'warning'];
    const title = `${clean(row.check.title)}${row.running ? ' …' : row.note ? ` — ${clean(row.note)}` : ''}`;
    for (const l of wrapText(title, width, `  ${mark} `, '    ')) lines.push({ text: l, tone });
    for (const f of row.findings) {
      lines.push({ text: `      ${f.severity.toUpperCase()} ${f.id}`, tone: SEVERITY_TONE[f.severity] });
      for (const l of wrapText(clean(f.seen), width, '      seen  ', '            ')) lines.push({ text: l, tone: 'normal' });
      for (const l of wrapText(clean(f.todo), width, '      do    ', '            ')) lines.push({ text: l, tone: 'normal' });
    }
  }
  return lines;
}

export function doctorSummary(state: DoctorState, finished: boolean): { text: string; tone: Tone } {
  const findings = state.rows.flatMap((r) => r.findings);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const running = state.rows.filter((r) => r.running).length;
  const counts = `${errors} error${errors === 1 ? '' : 's'} · ${warnings} warning${warnings === 1 ? '' : 's'}`;
  if (!finished) return { text: `${state.rows.length - running} checks done${running ? ', 1 running' : ''} · ${counts}`, tone: 'info' };
  return { text: `${state.rows.length} checks · ${counts}${errors ? ' · problems found' : ' · no errors'}`, tone: errors ? 'bad' : warnings ? 'warn' : 'ok' };
}
