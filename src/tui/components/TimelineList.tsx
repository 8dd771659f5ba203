import { Box, Text } from 'ink';
import { useTheme } from '../context/services-context.js';
import type { TimelineLine } from '../view-model/timeline.js';

/** Timeline lines, time first: "14:01:02  POST /acme/finalize/1 → 200 · 140ms". */
export function TimelineList({ lines }: { lines: readonly TimelineLine[] }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Box key={i}>
          <Box width={10} flexShrink={0}>
            <Text {...theme.tone('muted')}>{line.time}</Text>
          </Box>
          <Text {...(line.tone === 'normal' ? {} : theme.tone(line.tone))} wrap="truncate-end">
            {line.text}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
