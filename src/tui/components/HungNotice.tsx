import { Box, Text } from 'ink';
import type { OrderView } from '../../engine/state.js';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS } from '../theme.js';
import { formatSpan } from '../../engine/core/duration.js';
import type { OrderProgress } from '../view-model/order-progress.js';

/**
 * A hung order, unmissable, with the ways out (field report 1: stuck in "processing"):
 *   ⚠ HUNG: processing at the CA for 5m00s, 12 polls (threshold 1m)
 *     w keep waiting · s re-issue at another CA · c cancel · r poll now
 */
export function HungNotice({ order, hung }: { order: OrderView; hung: NonNullable<OrderProgress['hung']> }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Text {...theme.tone('bad')} wrap="truncate-end">
        {`${SYMBOLS.hung} HUNG: processing at ${order.caName} for ${hung.forText}, ${hung.polls} polls (threshold ${formatSpan(order.policy.hungAfterMs)})`}
      </Text>
      <Text wrap="truncate-end">
        {'  '}
        <Text {...theme.tone('key')}>w</Text> keep waiting · <Text {...theme.tone('key')}>s</Text> re-issue at another CA ·{' '}
        <Text {...theme.tone('key')}>c</Text> cancel · <Text {...theme.tone('key')}>r</Text> poll now
      </Text>
    </Box>
  );
}
