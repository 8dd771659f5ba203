import type { TimelineEntry } from '../../engine/state.js';
import { formatClockTime, formatSpan } from '../../engine/core/duration.js';
import { phaseWords } from './order-progress.js';
import { urlPath } from './text.js';

/** One timeline entry as a line of text with a tone, for the order detail and the full log. */
export interface TimelineLine {
  time: string;
  text: string;
  tone: 'normal' | 'muted' | 'warn' | 'bad' | 'ok';
}

function shortProblem(type: string): string {
  return type.replace('urn:ietf:params:acme:error:', '');
}

export function describeTimelineEntry(entry: TimelineEntry): TimelineLine {
  const time = formatClockTime(entry.at);
  switch (entry.kind) {
    case 'phase': {
      const bad = entry.phase === 'failed';
      const ok = entry.phase === 'done';
      return {
        time,
        text: `phase ${phaseWords(entry.phase)}${entry.detail ? `: ${entry.detail}` : ''}`,
        tone: bad ? 'bad' : ok ? 'ok' : 'normal',
      };
    }
    case 'status':
      return { time, text: `ACME status ${entry.status}`, tone: entry.status === 'invalid' ? 'bad' : 'normal' };
    case 'http': {
      const outcome =
        entry.errorCode !== undefined ? entry.errorCode : entry.status !== undefined ? String(entry.status) : 'no response';
      const parts = [`${entry.method} ${urlPath(entry.url)} → ${outcome}`];
      if (entry.problemType !== undefined) {
        parts.push(`${shortProblem(entry.problemType)}${entry.problemDetail ? `: ${entry.problemDetail}` : ''}`);
      } else if (entry.problemDetail !== undefined) {
        parts.push(entry.problemDetail);
      }
      if (entry.retryAfterMs !== undefined) parts.push(`Retry-After ${formatSpan(entry.retryAfterMs)}`);
      parts.push(formatSpan(entry.durationMs));
      const failed = entry.errorCode !== undefined || (entry.status !== undefined && entry.status >= 400);
      return { time, text: parts.join(' · '), tone: failed ? (entry.status === 429 ? 'warn' : 'bad') : 'muted' };
    }
    case 'note':
      return {
        time,
        text: entry.message,
        tone: entry.level === 'error' ? 'bad' : entry.level === 'warn' ? 'warn' : entry.level === 'debug' ? 'muted' : 'normal',
      };
  }
}
