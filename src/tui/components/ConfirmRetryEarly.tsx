import { ConfirmInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { caAskedWait } from '../view-model/order-progress.js';
import { formatClockTime, formatCountdown } from '../../engine/core/duration.js';
import { namesSummary } from '../view-model/text.js';

/**
 * r during a wait the CA asked for (429/503 with Retry-After): going early may only spend the rate limit, so say
 * when the CA asked to be contacted again and ask first.
 *   Let's Encrypt asked certdeck to wait until 14:05:30 (Retry-After, 25s from now).
 *   Poll example.com now anyway? y/N
 */
export function ConfirmRetryEarly({ orderId, now }: { orderId: string; now: number }) {
  const { engine, theme } = useServices();
  const { dispatch } = useNavigation();
  const order = useSnapshot(engine).orders[orderId];
  const asked = order ? caAskedWait(order, now) : undefined;
  const keep = () => {
    dispatch({ type: 'close-overlay' });
    dispatch({ type: 'flash', flash: { text: asked ? `Waiting as the CA asked, until ${formatClockTime(asked.until)}.` : 'Kept waiting.', tone: 'info' } });
  };
  useInput((_input, key) => {
    if (key.escape) keep();
  });
  if (!order || !asked) {
    // The wait ended meanwhile: nothing early about a retry now.
    return <Text {...theme.tone('muted')}>The CA's wait is over; press r again to retry now.</Text>;
  }
  const go = () => {
    engine.retryNow(orderId);
    dispatch({ type: 'close-overlay' });
    dispatch({ type: 'flash', flash: { text: `${asked.what === 'poll' ? 'Polling' : `Retrying ${asked.what} for`} ${namesSummary(order.domains)} now, before the CA's ${formatClockTime(asked.until)}.`, tone: 'warn' } });
  };
  return (
    <Box flexDirection="column">
      <Text wrap="wrap">
        <Text {...theme.tone('warn')}>{order.caName} asked certdeck to wait</Text>
        {` until ${formatClockTime(asked.until)} (Retry-After, ${formatCountdown(asked.until - now)} from now).`}
      </Text>
      <Text {...theme.tone('muted')} wrap="truncate-end">
        Going early can be refused again and count against the CA's rate limit.
      </Text>
      <Box>
        <Text>{`y ${asked.what === 'poll' ? 'poll' : 'retry'} now anyway · n wait: `}</Text>
        <ConfirmInput defaultChoice="cancel" onConfirm={go} onCancel={keep} />
      </Box>
    </Box>
  );
}
