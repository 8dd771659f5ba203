import { Text } from 'ink';
import { useTheme } from '../context/services-context.js';
import type { Tone } from '../theme.js';
import { SYMBOLS } from '../theme.js';

/** "██████░░": the share of the certificate's lifetime still left. */
export function ExpiryBar({ fraction, width, tone }: { fraction: number; width: number; tone: Tone }) {
  const theme = useTheme();
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return (
    <Text>
      <Text {...theme.tone(tone)}>{SYMBOLS.barFull.repeat(filled)}</Text>
      <Text {...theme.tone('muted')}>{SYMBOLS.barEmpty.repeat(width - filled)}</Text>
    </Text>
  );
}
