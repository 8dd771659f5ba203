/**
 * certdeck's one duration format, for the TUI, headless output, deploy logs and error messages alike, so the same
 * span reads the same everywhere: time spent is formatElapsed, time still to wait is formatCountdown (both
 * "4m12s"), a configured or announced span (a deadline setting, Retry-After, a timeout) is formatSpan ("2m",
 * "1m30s", "1.5s"). Elapsed times round down (a phase is not "5s" old until it is), countdowns round up (a poll due
 * in 7.2s says "8s", so the text never reads "0s" while there is still time to wait).
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function fromSeconds(total: number): string {
  if (total < 60) return `${total}s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}m${pad2(total % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${pad2(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

/** Time already spent: "0s", "59s", "4m12s", "2h05m", "3d4h". Negative spans (clock skew) read "0s". */
export function formatElapsed(ms: number): string {
  return fromSeconds(Math.max(0, Math.floor(ms / SECOND)));
}

/** Time still to wait, rounded up: 7_200 -> "8s". */
export function formatCountdown(ms: number): string {
  return fromSeconds(Math.max(0, Math.ceil(ms / SECOND)));
}

/** A configured span, without zero parts: 120_000 -> "2m", 90_000 -> "1m30s", 1_500 -> "1.5s", 250 -> "250ms". */
export function formatSpan(ms: number): string {
  if (ms < SECOND) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < MINUTE) {
    const s = Math.round(ms / 100) / 10;
    return `${s}s`;
  }
  const parts: string[] = [];
  let rest = Math.round(ms / SECOND);
  for (const [unit, size] of [
    ['d', DAY / SECOND],
    ['h', HOUR / SECOND],
    ['m', MINUTE / SECOND],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.join('');
}

/** "54d", or hours when less than a day is left ("14h"); past expiry, how long ago with a minus: "-3d". */
export function formatTimeLeft(ms: number): string {
  const span = Math.abs(ms);
  const text = span < DAY ? `${Math.max(ms > 0 ? 1 : 0, Math.floor(span / HOUR))}h` : `${Math.floor(span / DAY)}d`;
  return ms > 0 ? text : `-${text}`;
}

/** Wall-clock time of day in the local zone, "14:03:07": timelines are read next to other local logs. */
export function formatClockTime(at: number): string {
  const d = new Date(at);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Calendar date in the local zone, "2026-04-01". */
export function formatDate(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

export const TIME = { SECOND, MINUTE, HOUR, DAY } as const;
