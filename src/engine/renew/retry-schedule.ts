/**
 * How long to wait before the next renewal attempt after `failures` consecutive failures: Let's Encrypt's
 * integration guidance (1 minute, 10 minutes, 100 minutes, then once a day), so a broken setup costs the CA one
 * order a day, not one per cron run, and a passing glitch is retried within minutes.
 */
const MINUTE = 60_000;
export const RETRY_STEPS_MS = [MINUTE, 10 * MINUTE, 100 * MINUTE] as const;
export const RETRY_DAILY_MS = 24 * 60 * MINUTE;

export function retryDelayMs(failures: number): number {
  if (failures < 1) return 0;
  return RETRY_STEPS_MS[failures - 1] ?? RETRY_DAILY_MS;
}
