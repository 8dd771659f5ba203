import { Box, Text } from 'ink';
import { useTheme } from '../context/services-context.js';

export interface KeyHint {
  key: string;
  label: string;
  /** Hidden when false: only keys that do something now are offered. @default true */
  enabled?: boolean;
}

/** "r retry now  w keep waiting  c cancel ..." wrapped over as many lines as the width needs. */
export function KeyHints({ hints }: { hints: readonly KeyHint[] }) {
  const theme = useTheme();
  return (
    <Box flexWrap="wrap" columnGap={2}>
      {hints
        .filter((h) => h.enabled !== false)
        .map((h) => (
          <Box key={`${h.key}-${h.label}`} flexShrink={0}>
            <Text {...theme.tone('key')}>{h.key}</Text>
            <Text> {h.label}</Text>
          </Box>
        ))}
    </Box>
  );
}
