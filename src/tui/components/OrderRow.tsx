import { Box, Text } from 'ink';
import type { OrderView } from '../../engine/state.js';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS, type Tone } from '../theme.js';
import { inFlightNote, resumedNote, showsHung, type OrderProgress, type OrderTone } from '../view-model/order-progress.js';
import { namesSummary } from '../view-model/text.js';

const LOOK: Record<OrderTone, { symbol: string; tone: Tone }> = {
  running: { symbol: SYMBOLS.running, tone: 'info' },
  hung: { symbol: SYMBOLS.hung, tone: 'bad' },
  ok: { symbol: SYMBOLS.ok, tone: 'ok' },
  bad: { symbol: SYMBOLS.bad, tone: 'bad' },
  muted: { symbol: SYMBOLS.cancelled, tone: 'muted' },
};

/** Lines an order row takes: hung orders get a third line with what to do about it. */
export function orderRowHeight(progress: OrderProgress): number {
  return progress.hung ? 3 : 2;
}

/** orderRowHeight of the order's progress at `now`, without working out the whole progress (for long lists). */
export function orderRowHeightAt(order: OrderView, now: number): number {
  return showsHung(order, now) ? 3 : 2;
}

/** What the second line says: the wait, the retry, or why a finished order ended. */
export function orderDetailLine(progress: OrderProgress): string | undefined {
  if (progress.retry) return `${progress.retry} · ${progress.retryWhy ?? ''}`;
  if (progress.nextPoll) return `${progress.nextPoll} (${progress.delayReason ?? ''}) · ${progress.budget ?? ''}`;
  return progress.ending;
}

/**
 * One order, two lines (three when hung):
 *   › ◐ api.example.org          ZeroSSL        processing 4m12s
 *       next poll in 8s (backoff 8s) · poll 3 · gives up in 1m48s
 *       ⚠ hung 4m00s, 12 polls · w keep waiting · s switch CA · c cancel
 */
export function OrderRow({
  order,
  progress,
  selected,
  wide,
  caWidth = wide ? 20 : 14,
  now,
}: {
  order: OrderView;
  progress: OrderProgress;
  selected: boolean;
  wide: boolean;
  /** For a request in flight ("POST finalize … 12s"); without it none is shown. */
  now?: number;
  /** Width of the CA column, the same for every row on screen (caColumnWidth). */
  caWidth?: number;
}) {
  const theme = useTheme();
  const look = LOOK[progress.tone];
  const inFlight = now === undefined ? undefined : inFlightNote(order, now);
  // A resumed order says so next to whatever else the line says (issue 12: "resumed; created at ...").
  const detail = [inFlight ?? orderDetailLine(progress), resumedNote(order)].filter(Boolean).join(' · ') || undefined;
  return (
    <Box flexDirection="column">
      <Box>
        <Box width={2} flexShrink={0}>
          <Text {...theme.tone('accent')}>{selected ? SYMBOLS.cursor : ' '}</Text>
        </Box>
        <Box width={2} flexShrink={0}>
          <Text {...theme.tone(look.tone)}>{look.symbol}</Text>
        </Box>
        <Box flexGrow={1} flexShrink={1} flexBasis={20} minWidth={8}>
          <Text {...(selected ? theme.tone('selected') : {})} wrap="truncate-end">
            {wide ? order.domains.join(', ') : namesSummary(order.domains)}
          </Text>
        </Box>
        <Box width={caWidth} flexShrink={0} marginLeft={1}>
          <Text wrap="truncate-end">{order.caName}</Text>
        </Box>
        {wide ? (
          <Box width={10} flexShrink={0}>
            <Text {...theme.tone('muted')}>{order.keyType}</Text>
          </Box>
        ) : null}
        <Box width={24} flexShrink={0} marginLeft={1}>
          <Text {...theme.tone(look.tone)} wrap="truncate-end">
            {progress.hung ? `HUNG ${progress.headline}` : progress.headline}
          </Text>
        </Box>
      </Box>
      <Box paddingLeft={4}>
        <Text {...theme.tone(progress.tone === 'bad' ? 'bad' : 'muted')} wrap="truncate-end">
          {detail ?? ' '}
        </Text>
      </Box>
      {progress.hung ? (
        <Box paddingLeft={4}>
          <Text {...theme.tone('bad')} wrap="truncate-end">
            {`${SYMBOLS.hung} hung ${progress.hung.forText}, ${progress.hung.polls} polls · w keep waiting · s switch CA · c cancel`}
          </Text>
        </Box>
      ) : null}
    </Box>
  );
}
