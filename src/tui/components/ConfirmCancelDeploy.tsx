import { ConfirmInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';

/**
 * "Cancel the deploy of example.com? y/N": a target half-way through (a reload, a copy) is stopped where it is, so
 * this asks first. n, Esc or Enter let the run go on.
 */
export function ConfirmCancelDeploy({ certName }: { certName: string }) {
  const { engine, theme } = useServices();
  const { dispatch } = useNavigation();
  const keep = () => {
    dispatch({ type: 'close-overlay' });
    dispatch({ type: 'flash', flash: { text: `The deploy of ${certName} goes on.`, tone: 'info' } });
  };
  useInput((_input, key) => {
    if (key.escape) keep();
  });
  const cancel = () => {
    dispatch({ type: 'close-overlay' });
    const found = engine.cancelDeploy(certName, 'cancelled by the operator');
    dispatch({
      type: 'flash',
      flash: found
        ? { text: `Cancelling the deploy of ${certName}: the running target is stopped, the rest will not start.`, tone: 'info' }
        : { text: `The deploy of ${certName} had already ended.`, tone: 'warn' },
    });
  };
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text {...theme.tone('warn')}>Cancel the deploy of {certName}?</Text>
      </Text>
      <Text {...theme.tone('muted')} wrap="truncate-end">
        The running target's process (and its children) is killed and marked cancelled; later targets do not start.
      </Text>
      <Box>
        <Text>y cancel it · n let it run: </Text>
        <ConfirmInput defaultChoice="cancel" onConfirm={cancel} onCancel={keep} />
      </Box>
    </Box>
  );
}
