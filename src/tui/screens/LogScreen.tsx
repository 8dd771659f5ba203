import { Box, Text } from 'ink';
import { useRef, useState } from 'react';
import { Frame } from '../components/Frame.js';
import { TimelineList } from '../components/TimelineList.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { formatClockTime } from '../../engine/core/duration.js';
import { describeTimelineEntry, type TimelineLine } from '../view-model/timeline.js';
import { clampScroll, scrollTarget, scrollTo } from '../view-model/visible-window.js';

/**
 * The full log, scrollable: an order's whole timeline, or the engine's own messages. It follows new lines while
 * scrolled to the bottom (like `tail -f`) and stays put once the operator scrolls up.
 *
 *   Log · api.example.org                      lines 20–41 of 41 · following
 *   14:01:02  POST /acme/new-order → 201 · 180ms
 *   ...
 */
export function LogScreen({ orderId }: { orderId?: string }) {
  const { engine, clock } = useServices();
  const snapshot = useSnapshot(engine);
  const now = useNow(clock);
  const [view, setView] = useState({ offset: 0, follow: true });
  // The latest sizes, for key presses that arrive before the next render.
  const size = useRef({ lines: 0, height: 10 });

  const order = orderId === undefined ? undefined : snapshot.orders[orderId];
  const lines: TimelineLine[] = order
    ? order.timeline.map(describeTimelineEntry)
    : snapshot.log.map((l) => ({
        time: formatClockTime(l.at),
        text: `${l.certName ? `${l.certName}: ` : ''}${l.message}`,
        tone: l.level === 'error' ? 'bad' : l.level === 'warn' ? 'warn' : l.level === 'debug' ? 'muted' : 'normal',
      }));
  size.current.lines = lines.length;

  useScreenInput((input, key) => {
    const to = scrollTarget(input, key);
    if (to) setView((v) => scrollTo(v, to, size.current.lines, size.current.height));
  });

  const title = order ? `Log · ${order.domains[0] ?? order.certName}` : 'Log · engine';
  const hints = [
    { key: '↑↓ j k', label: 'scroll' },
    { key: 'pgup pgdn', label: 'page' },
    { key: 'g G', label: 'top/bottom' },
    { key: 'esc', label: 'back' },
  ];
  return (
    <Frame title={title} now={now} hints={hints}>
      {(bodyRows) => {
        const height = Math.max(1, bodyRows - 1);
        size.current.height = height;
        const start = view.follow ? Math.max(0, lines.length - height) : clampScroll(view.offset, lines.length, height);
        const shown = lines.slice(start, start + height);
        return (
          <Box flexDirection="column">
            <Text wrap="truncate-end">
              {lines.length === 0
                ? 'Nothing logged in this session. Press h on a certificate or order for its recorded history.'
                : `lines ${start + 1}–${start + shown.length} of ${lines.length}${view.follow ? ' · following new lines' : ' · G to follow'}`}
            </Text>
            <TimelineList lines={shown} />
          </Box>
        );
      }}
    </Frame>
  );
}
