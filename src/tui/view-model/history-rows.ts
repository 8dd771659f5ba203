import wrapAnsi from 'wrap-ansi';
import type { HistoryLine, OrderHistorySummary } from '../../engine/history-view.js';
import { formatClockTime, formatDate } from '../../engine/core/duration.js';

/** One screen row of the history timeline: a record's first row carries its time, wrapped rows carry none. */
export interface HistoryRow {
  time: string;
  text: string;
  tone: HistoryLine['tone'];
}

/** Width of the time column, "18:53:13" plus a gap. */
export const TIME_COLUMN = 10;

/**
 * Records as rows `width` columns wide: long lines (a CA's problem detail, a URL) wrap onto as many rows as they
 * need, so nothing is cut; the screen scrolls by rows. A new day gets a date row, as a timeline can span days.
 */
export function historyRows(lines: readonly HistoryLine[], width: number): HistoryRow[] {
  const rows: HistoryRow[] = [];
  const textWidth = Math.max(10, width - TIME_COLUMN);
  let day = '';
  for (const line of lines) {
    const date = formatDate(line.at);
    if (date !== day) {
      day = date;
      rows.push({ time: '', text: `── ${date}`, tone: 'muted' });
    }
    const parts = wrapAnsi(line.text, textWidth, { hard: true, trim: true }).split('\n');
    parts.forEach((text, i) => rows.push({ time: i === 0 ? formatClockTime(line.at) : '', text, tone: line.tone }));
  }
  return rows;
}

/** One line per past order: "2026-12-03 18:53  a1b2c3d4  Let's Encrypt  valid  42 events". */
export function orderSummaryText(o: OrderHistorySummary): { text: string; tone: HistoryLine['tone'] } {
  const outcome = o.outcome ?? 'unfinished';
  const tone: HistoryLine['tone'] = o.outcome === 'valid' ? 'ok' : o.outcome === 'failed' ? 'bad' : o.outcome === undefined ? 'warn' : 'muted';
  return { text: `${formatDate(o.startedAt)} ${formatClockTime(o.startedAt).slice(0, 5)}  ${o.orderId}  ${o.caName || o.caId}  ${outcome}  ${o.records} events`, tone };
}
