import { Box, Text } from 'ink';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS, type Tone } from '../theme.js';

export interface Choice {
  value: string;
  label: string;
  /** Short fact shown after the label, e.g. "EAB required". */
  tag?: string;
  tagTone?: Tone;
  /** Heading of the group this choice belongs to; shown above the first choice of each group. */
  group?: string;
}

/**
 * A vertical list of choices with a cursor, scrolled to keep the cursor in view. Keys belong to the parent (the
 * form moves between fields with the same keys), so this only draws.
 *
 *   › Let's Encrypt
 *     ZeroSSL                      EAB required
 */
export function ChoiceList({ choices, focus, visible = 6, labelWidth = 28 }: { choices: readonly Choice[]; focus: number; visible?: number; labelWidth?: number }) {
  const theme = useTheme();
  const start = Math.min(Math.max(0, focus - visible + 1), Math.max(0, choices.length - visible));
  const shown = choices.slice(start, start + visible);
  return (
    <Box flexDirection="column">
      {start > 0 ? <Text {...theme.tone('muted')}>{`  ↑ ${start} more`}</Text> : null}
      {shown.map((c, i) => {
        const selected = start + i === focus;
        const heading = c.group !== undefined && (i === 0 || shown[i - 1]?.group !== c.group) ? c.group : undefined;
        return (
          <Box key={c.value} flexDirection="column">
            {heading ? (
              <Text {...theme.tone('title')} wrap="truncate-end">
                {heading}
              </Text>
            ) : null}
          <Box>
            <Box width={2} flexShrink={0}>
              <Text {...theme.tone('accent')}>{selected ? SYMBOLS.cursor : ' '}</Text>
            </Box>
            <Box width={labelWidth} flexShrink={1}>
              <Text {...(selected ? theme.tone('selected') : {})} wrap="truncate-end">
                {c.label}
              </Text>
            </Box>
            {c.tag ? (
              <Box flexShrink={1} marginLeft={1}>
                <Text {...theme.tone(c.tagTone ?? 'muted')} wrap="truncate-end">
                  {c.tag}
                </Text>
              </Box>
            ) : null}
          </Box>
          </Box>
        );
      })}
      {start + visible < choices.length ? <Text {...theme.tone('muted')}>{`  ↓ ${choices.length - start - visible} more`}</Text> : null}
    </Box>
  );
}
