import { Box, Text, useBoxMetrics, type DOMElement } from 'ink';
import { useRef, type ReactNode } from 'react';
import { useNavigation } from '../context/navigation-context.js';
import { useTheme } from '../context/services-context.js';
import { MIN_COLUMNS, MIN_ROWS, useTerminalSize } from '../hooks/use-terminal-size.js';
import { FlashLine } from './FlashLine.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { KeyHints, type KeyHint } from './KeyHints.js';
import { OverlayHost } from './OverlayHost.js';

const HELP_HINTS: readonly KeyHint[] = [{ key: 'esc ? q', label: 'close help' }];

/**
 * The frame every screen sits in, one line shorter than the terminal so Ink never has to scroll (which is what
 * makes full-screen terminal UIs flicker):
 *
 *   certdeck · dashboard                         1 running · 14:03:07
 *   <body: exactly the rows that are left, measured, never more>
 *   <flash message>
 *   <key hints, or the open prompt: cancel? / switch CA / quit>
 *
 * The body is a function of its measured height, so lists can keep the selected row in view.
 */
export function Frame({
  title,
  status,
  now,
  hints,
  children,
}: {
  title: string;
  status?: string;
  now: number;
  hints: readonly KeyHint[];
  children: (bodyRows: number, bodyColumns: number) => ReactNode;
}) {
  const { columns, rows, tooSmall, actual } = useTerminalSize();
  const { nav } = useNavigation();
  const theme = useTheme();
  const bodyRef = useRef<DOMElement>(null);
  const metrics = useBoxMetrics(bodyRef);
  // Before the first layout pass, estimate (header + two hint lines) so the first frame is already right.
  const bodyRows = metrics.hasMeasured ? metrics.height : Math.max(1, rows - 4);
  const overlay = nav.overlay;
  const help = overlay?.kind === 'help';
  if (tooSmall) {
    // Drawn within the real size, so nothing scrolls and nothing is left behind when the window grows again.
    return (
      <Box flexDirection="column" width={Math.max(1, actual.columns)} height={Math.max(1, actual.rows - 1)} overflow="hidden">
        <Text {...theme.tone('warn')} wrap="wrap">
          {`Terminal too small (${actual.columns}x${actual.rows}): certdeck needs at least ${MIN_COLUMNS}x${MIN_ROWS}. Enlarge it; q quits.`}
        </Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={columns} height={rows - 1}>
      <Header title={title} {...(status === undefined ? {} : { status })} now={now} />
      <Box ref={bodyRef} flexDirection="column" flexGrow={1} flexShrink={1} overflow="hidden">
        {help ? <HelpOverlay /> : children(bodyRows, columns)}
      </Box>
      <Box flexDirection="column" flexShrink={0}>
        {nav.leaving ? (
          <Text {...theme.tone('info')} wrap="truncate-end">
            {nav.leaving}
          </Text>
        ) : overlay && !help ? (
          <OverlayHost overlay={overlay} now={now} />
        ) : (
          <>
            {nav.flash ? <FlashLine flash={nav.flash} /> : null}
            <KeyHints hints={help ? HELP_HINTS : hints} />
          </>
        )}
      </Box>
    </Box>
  );
}
