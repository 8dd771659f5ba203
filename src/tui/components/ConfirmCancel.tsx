import { ConfirmInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import type { OrderView } from '../../engine/state.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { describeOrder } from '../view-model/order-progress.js';
import { namesSummary } from '../view-model/text.js';

/**
 * "Cancel the order for example.com at ZeroSSL? y/N": n, Esc or Enter keep it; y cancels. Once the order was
 * finalized the CA is already issuing its certificate and there is nothing to cancel at the CA: the prompt says so
 * and offers to keep waiting or to stop now (the order stays in the journal and the next run downloads it).
 */
export function ConfirmCancel({ orderId, now }: { orderId: string; now: number }) {
  const { engine } = useServices();
  const order = useSnapshot(engine).orders[orderId];
  if (!order) return <Text>That order is gone.</Text>;
  return isIssuing(order) ? <StopIssuing order={order} now={now} /> : <ConfirmPlainCancel order={order} now={now} />;
}

/** After finalize: the CA issues the certificate whatever we do; only this run can stop. */
export function isIssuing(order: OrderView): boolean {
  return order.acmeStatus === 'processing' || order.acmeStatus === 'valid' || order.phase === 'processing' || order.phase === 'downloading' || order.phase === 'saving';
}

function ConfirmPlainCancel({ order, now }: { order: OrderView; now: number }) {
  const { engine, theme } = useServices();
  const { dispatch } = useNavigation();
  const keep = () => {
    dispatch({ type: 'close-overlay' });
    dispatch({ type: 'flash', flash: { text: 'Kept the order running.', tone: 'info' } });
  };
  useInput((_input, key) => {
    if (key.escape) keep();
  });
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
            engine.cancel(order.id, 'cancelled by the operator');
            dispatch({ type: 'close-overlay' });
            dispatch({ type: 'flash', flash: { text: `Cancelling the order for ${name}…`, tone: 'warn' } });
          }}
          onCancel={keep}
        />
      </Box>
    </Box>
  );
}

function StopIssuing({ order, now }: { order: OrderView; now: number }) {
  const { engine, theme } = useServices();
  const { dispatch } = useNavigation();
  const name = namesSummary(order.domains);
  useInput((input, key) => {
    if (key.escape || input === 'n' || input === 'w' || key.return) {
      dispatch({ type: 'close-overlay' });
      dispatch({ type: 'flash', flash: { text: `Waiting for ${order.caName} to issue ${name}.`, tone: 'info' } });
    } else if (input === 's') {
      engine.cancel(order.id, 'stopped by the operator');
      dispatch({ type: 'close-overlay' });
      dispatch({ type: 'flash', flash: { text: `Stopped; run the same order again later to download ${name} (it resumes, no new order).`, tone: 'warn' } });
    }
  });
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text {...theme.tone('warn')}>Already being issued by {order.caName}:</Text> {name} ({describeOrder(order, now).headline}).
      </Text>
      <Text {...theme.tone('muted')} wrap="truncate-end">
        Finalize was sent, so there is nothing to cancel at the CA. Stopping keeps the order: the next run downloads it.
      </Text>
      <Text>w keep waiting · s stop now, resume later · esc back</Text>
    </Box>
  );
}
