import { Box, Text } from 'ink';
import { useTheme } from '../context/services-context.js';
import { formatClockTime } from '../../engine/core/duration.js';

/** The top line of every screen: where you are on the left, what is going on and the clock time on the right. */
export function Header({ title, status, now }: { title: string; status?: string; now: number }) {
  const theme = useTheme();
  return (
    <Box justifyContent="space-between" flexShrink={0}>
      <Box flexShrink={1} minWidth={10}>
        <Text {...theme.tone('title')} wrap="truncate-end">
          {title}
        </Text>
      </Box>
      <Box flexShrink={0} marginLeft={1}>
        {status ? <Text {...theme.tone('muted')}>{status} · </Text> : null}
        <Text {...theme.tone('muted')}>{formatClockTime(now)}</Text>
      </Box>
    </Box>
  );
}
