import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS } from '../theme.js';

/** A labelled row of the issue form; the focused one is marked, and its problem is shown right under it. */
export function FormField({ label, focused, error, children }: { label: string; focused: boolean; error?: string; children: ReactNode }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Box>
        <Box width={2} flexShrink={0}>
          <Text {...theme.tone('accent')}>{focused ? SYMBOLS.cursor : ' '}</Text>
        </Box>
        <Box width={13} flexShrink={0}>
          <Text {...(focused ? theme.tone('selected') : theme.tone('muted'))}>{label}</Text>
        </Box>
        <Box flexGrow={1} flexShrink={1} flexDirection="column">
          {children}
        </Box>
      </Box>
      {error ? (
        <Box paddingLeft={15}>
          <Text {...theme.tone('bad')} wrap="truncate-end">
            {`${SYMBOLS.bad} ${error}`}
          </Text>
        </Box>
      ) : null}
    </Box>
  );
}
