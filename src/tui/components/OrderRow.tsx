import { Box, Text } from 'ink';
import type { OrderView } from '../../engine/state.js';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS, type Tone } from '../theme.js';
import { inFlightNote, resumedNote, showsHung, type OrderProgress, type OrderTone } from '../view-model/order-progress.js';
import { namesSummary } from '../view-model/text.js';
import { orderColumns, ROW_LEAD, type OrderColumns } from '../view-model/row-columns.js';
import type { HeaderColumn } from './ColumnHeader.js';

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

/** How wide a row laid out with `cols` is: narrow rows get the short words for the hung keys, so all three fit. */
function rowWidth(cols: OrderColumns): number {
  return ROW_LEAD + cols.name + cols.ca + 1 + (cols.key ? cols.key + 1 : 0) + cols.state + 1;
}

/** The header over order rows laid out with `cols`. */
export function orderHeader(cols: OrderColumns): HeaderColumn[] {
  return [
    { label: 'NAMES', width: cols.name, first: true },
    { label: 'CA', width: cols.ca },
    { label: 'KEY', width: cols.key },
    { label: 'STATE', width: cols.state },
  ];
}

/**
 * What the second line says: the wait, the retry, or why a finished order ended. `narrow` leaves out why the wait is
 * that long (the detail view has it), so the poll count and the deadline still fit on a 60-column terminal.
 */
export function orderDetailLine(progress: OrderProgress, narrow = false): string | undefined {
  if (progress.retry) return `${progress.retry} · ${progress.retryWhy ?? ''}`;
  if (progress.nextPoll) return narrow ? `${progress.nextPoll} · ${progress.budget ?? ''}` : `${progress.nextPoll} (${progress.delayReason ?? ''}) · ${progress.budget ?? ''}`;
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
  layout,
}: {
  order: OrderView;
  progress: OrderProgress;
  selected: boolean;
  wide: boolean;
  /** For a request in flight ("POST finalize … 12s"); without it none is shown. */
  now?: number;
  /** Width of the CA column, the same for every row on screen (caColumnWidth). */
  caWidth?: number;
  /** Every column's width, shared with the header above the list; default: from `wide` alone. */
  layout?: OrderColumns;
}) {
  const theme = useTheme();
  const cols = layout ?? orderColumns(wide ? 120 : 80, caWidth);
  const look = LOOK[progress.tone];
  const inFlight = now === undefined ? undefined : inFlightNote(order, now);
  // A resumed order says so next to whatever else the line says (issue 12: "resumed; created at ...").
  const narrow = rowWidth(cols) < 80;
  const detail = [inFlight ?? orderDetailLine(progress, narrow), resumedNote(order)].filter(Boolean).join(' · ') || undefined;
  return (
    <Box flexDirection="column">
      <Box>
        <Box width={2} flexShrink={0}>
          <Text {...theme.tone('accent')}>{selected ? SYMBOLS.cursor : ' '}</Text>
        </Box>
        <Box width={2} flexShrink={0}>
          <Text {...theme.tone(look.tone)}>{look.symbol}</Text>
        </Box>
        <Box width={cols.name} flexShrink={0}>
          <Text {...(selected ? theme.tone('selected') : {})} wrap="truncate-end">
            {order.domains.join(', ').length <= cols.name ? order.domains.join(', ') : namesSummary(order.domains)}
          </Text>
        </Box>
        <Box width={cols.ca} flexShrink={0} marginLeft={1}>
          <Text wrap="truncate-end">{order.caName}</Text>
        </Box>
        {cols.key > 0 ? (
          <Box width={cols.key} flexShrink={0} marginLeft={1}>
            <Text {...theme.tone('muted')}>{order.keyType}</Text>
          </Box>
        ) : null}
        <Box width={cols.state} flexShrink={0} marginLeft={1}>
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
            {`${SYMBOLS.hung} hung ${progress.hung.forText}, ${progress.hung.polls} polls · ${rowWidth(cols) < 80 ? 'w wait · s switch · c cancel' : 'w keep waiting · s switch CA · c cancel'}`}
          </Text>
        </Box>
      ) : null}
    </Box>
  );
}
