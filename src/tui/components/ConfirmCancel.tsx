import { ConfirmInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { describeOrder } from '../view-model/order-progress.js';
import { namesSummary } from '../view-model/text.js';

/** "Cancel the order for example.com at ZeroSSL? y/N": n, Esc or Enter keep it; y cancels. */
export function ConfirmCancel({ orderId, now }: { orderId: string; now: number }) {
  const { engine, theme } = useServices();
  const { dispatch } = useNavigation();
  const order = useSnapshot(engine).orders[orderId];
  const keep = () => {
    dispatch({ type: 'close-overlay' });
    dispatch({ type: 'flash', flash: { text: 'Kept the order running.', tone: 'info' } });
  };
  useInput((_input, key) => {
    if (key.escape) keep();
  });
  if (!order) return <Text>That order is gone.</Text>;
  const name = namesSummary(order.domains);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text {...theme.tone('warn')}>Cancel the order for {name}</Text> at {order.caName}? It is {describeOrder(order, now).headline}.
      </Text>
      <Text {...theme.tone('muted')} wrap="truncate-end">
        Its challenge files and pending authorizations are cleaned up.
      </Text>
      <Box>
        <Text>y cancel it · n keep it: </Text>
        <ConfirmInput
          defaultChoice="cancel"
          onConfirm={() => {
            engine.cancel(orderId, 'cancelled by the operator');
            dispatch({ type: 'close-overlay' });
            dispatch({ type: 'flash', flash: { text: `Cancelling the order for ${name}…`, tone: 'warn' } });
          }}
          onCancel={keep}
        />
      </Box>
    </Box>
  );
}
