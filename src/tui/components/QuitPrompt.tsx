import { Box, Text, useInput } from 'ink';
import { useNavigation } from '../context/navigation-context.js';
import { useSession } from '../context/session-context.js';
import { useServices } from '../context/services-context.js';
import { eachKey } from '../hooks/use-screen-input.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { namesSummary } from '../view-model/text.js';

/**
 * Quitting while orders run: cancel them, or leave them to resume (the engine stops them and keeps their journal,
 * and the next run picks each up where it was, without a new order at the CA). A second Ctrl+C means "leave":
 * the safe choice, since nothing is lost.
 */
export function QuitPrompt({ exitCode }: { exitCode: number }) {
  const { engine, theme } = useServices();
  const session = useSession();
  const { dispatch } = useNavigation();
  const choose = eachKey((input) => {
    if (input === 'c') session.quitCancelling(exitCode);
    else if (input === 'l') session.quitLeaving(exitCode);
    else if (input === 'n') dispatch({ type: 'close-overlay' });
  });
  useInput((input, key) => {
    // Ctrl+C arrives as "c" with ctrl set: test for it first, or it would cancel the orders.
    if (key.ctrl && input === 'c') session.quitLeaving(exitCode);
    else if (key.escape) dispatch({ type: 'close-overlay' });
    else choose(input, key);
  });
  const snapshot = useSnapshot(engine);
  const names = session.runningIds.map((id) => snapshot.orders[id]).map((o) => (o ? namesSummary(o.domains) : '?'));
  const count = names.length;
  return (
    <Box flexDirection="column">
      <Text {...theme.tone('warn')} wrap="truncate-end">
        {count} order{count === 1 ? ' is' : 's are'} still running: {names.join(', ')}
      </Text>
      <Text wrap="truncate-end">
        <Text {...theme.tone('key')}>c</Text> cancel {count === 1 ? 'it' : 'them'} and quit
      </Text>
      <Text wrap="truncate-end">
        <Text {...theme.tone('key')}>l</Text> leave {count === 1 ? 'it' : 'them'}: stop now, resume on the next run, and quit
      </Text>
      <Text wrap="truncate-end">
        <Text {...theme.tone('key')}>esc</Text> stay
      </Text>
    </Box>
  );
}
