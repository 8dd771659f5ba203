/** "750ms", "2.5s", "1.5m": durations in deploy logs and reasons. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  return s < 60 ? `${Math.round(s * 10) / 10}s` : `${Math.round(s / 6) / 10}m`;
}
