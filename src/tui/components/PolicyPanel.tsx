import { Text } from 'ink';
import type { OrderView } from '../../engine/state.js';
import { useTheme } from '../context/services-context.js';
import { formatClockTime, formatCountdown, formatSpan } from '../../engine/core/duration.js';

/**
 * The wait policy in force for this order, and where the current wait stands against it:
 *   Policy  authz 2m · processing 2m · download 1m · 5 retries · hung after 1m · backoff 1s→30s ×2 ±20%
 *           processing gives up at 14:06:00 (in 1m48s)
 */
export function PolicyPanel({ order, now }: { order: OrderView; now: number }) {
  const theme = useTheme();
  const p = order.policy;
  const limits = [
    `authorization ${formatSpan(p.deadlines.authorization)}`,
    `processing ${formatSpan(p.deadlines.processing)}`,
    `download ${formatSpan(p.deadlines.download)}`,
    `${p.maxRetries} retries per request`,
    `hung after ${formatSpan(p.hungAfterMs)}`,
    `backoff ${formatSpan(p.floorMs)}→${formatSpan(p.capMs)} ×${p.factor} ±${Math.round(p.jitter * 100)}%`,
  ];
  const wait = order.wait;
  return (
    <>
      <Text wrap="wrap">
        <Text {...theme.tone('title')}>Policy </Text>
        <Text {...theme.tone('muted')}>deadlines </Text>
        {limits.join(' · ')}
      </Text>
      {wait ? (
        <Text wrap="truncate-end">
          {'       '}
          {wait.phase} wait started {formatClockTime(wait.startedAt)}, gives up at {formatClockTime(wait.deadlineAt)}
          {wait.deadlineAt > now ? ` (in ${formatCountdown(wait.deadlineAt - now)})` : ' (deadline reached)'}
        </Text>
      ) : null}
    </>
  );
}
