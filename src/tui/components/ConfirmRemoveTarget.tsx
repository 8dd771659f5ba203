import { ConfirmInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { errorText } from '../view-model/error-text.js';

/** "Remove deploy target reload (run systemctl reload nginx) from example.com? y/N": n, Esc or Enter keep it. */
export function ConfirmRemoveTarget({ certName, targetId, label }: { certName: string; targetId: string; label: string }) {
  const { engine, theme } = useServices();
  const { dispatch } = useNavigation();
  const keep = () => {
    dispatch({ type: 'close-overlay' });
    dispatch({ type: 'flash', flash: { text: `Kept deploy target ${targetId}.`, tone: 'info' } });
  };
  useInput((_input, key) => {
    if (key.escape) keep();
  });
  const remove = () => {
    dispatch({ type: 'close-overlay' });
    dispatch({ type: 'flash', flash: { text: `Removing ${targetId} from ${certName}…`, tone: 'info' } });
    // The list updates from the snapshot; only the outcome needs saying.
    engine.removeDeployTarget(certName, targetId).then(
      () => dispatch({ type: 'flash', flash: { text: `Removed deploy target ${targetId} from ${certName}.`, tone: 'ok' } }),
      (err: unknown) => dispatch({ type: 'flash', flash: { text: `Could not remove ${targetId}: ${errorText(err)}`, tone: 'bad' } }),
    );
  };
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text {...theme.tone('warn')}>Remove deploy target {targetId}</Text> ({label}) from {certName}?
      </Text>
      <Text {...theme.tone('muted')} wrap="truncate-end">
        Later deploys skip it; whatever it already wrote or ran stays as it is.
      </Text>
      <Box>
        <Text>y remove it · n keep it: </Text>
        <ConfirmInput defaultChoice="cancel" onConfirm={remove} onCancel={keep} />
      </Box>
    </Box>
  );
}
