import { Box, Text } from 'ink';
import { useTheme } from '../../context/services-context.js';
import type { Tone } from '../../theme.js';
import { scrollWindow, wrapText } from '../../view-model/wrap.js';

/** A paragraph of a scrolled text view, wrapped to the width as a whole (never cut). */
export interface TextBlock {
  text: string;
  tone?: Tone;
  /** Spaces before every wrapped line. */
  indent?: number;
}

/** Wraps blocks to `width` columns: one entry per terminal row. */
export function blockRows(blocks: readonly TextBlock[], width: number): Array<{ text: string; tone?: Tone }> {
  const rows: Array<{ text: string; tone?: Tone }> = [];
  for (const b of blocks) {
    const pad = ' '.repeat(b.indent ?? 0);
    for (const line of wrapText(b.text, width - pad.length)) rows.push({ text: pad + line, ...(b.tone ? { tone: b.tone } : {}) });
  }
  return rows;
}

/**
 * Text taller than the room it has: shows `height` rows from `offset`, with "↑ N more" / "↓ N more" markers so a
 * small terminal (60x15) still reaches every line (↑↓ / pgup pgdn scroll; the parent owns the keys).
 */
export function ScrollText({ blocks, width, height, offset }: { blocks: readonly TextBlock[]; width: number; height: number; offset: number }) {
  const theme = useTheme();
  const rows = blockRows(blocks, width);
  const fits = rows.length <= height;
  const view = scrollWindow(rows, offset, fits ? height : Math.max(1, height - 1));
  return (
    <Box flexDirection="column">
      {view.shown.map((r, i) => (
        <Text key={i} {...(r.tone ? theme.tone(r.tone) : {})}>
          {r.text === '' ? ' ' : r.text}
        </Text>
      ))}
      {fits ? null : (
        <Text {...theme.tone('muted')}>{`${view.above ? `↑ ${view.above} more` : ''}${view.above && view.below ? '  ' : ''}${view.below ? `↓ ${view.below} more` : ''}  (↑↓ scroll)`}</Text>
      )}
    </Box>
  );
}
