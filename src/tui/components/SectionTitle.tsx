import { Text } from 'ink';
import { useTheme } from '../context/services-context.js';

export function SectionTitle({ title, note }: { title: string; note?: string }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end">
      <Text {...theme.tone('title')}>{title}</Text>
      {note ? <Text {...theme.tone('muted')}> {note}</Text> : null}
    </Text>
  );
}
