import { Text } from 'ink';
import { useTheme } from '../context/services-context.js';
import type { Flash } from '../navigation.js';

/** What the last action did ("Polling example.com now"), so a key press never goes unanswered. */
export function FlashLine({ flash }: { flash: Flash }) {
  const theme = useTheme();
  return (
    <Text {...theme.tone(flash.tone)} wrap="truncate-end">
      {flash.text}
    </Text>
  );
}
