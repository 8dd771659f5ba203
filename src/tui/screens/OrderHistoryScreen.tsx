import { Box, Text } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import wrapAnsi from 'wrap-ansi';
import { describeHistoryRecord, summarizeOrders, type HistoryRecord, type OrderHistorySummary } from '../../engine/history-view.js';
import { Frame } from '../components/Frame.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { historyRows, orderSummaryText, TIME_COLUMN } from '../view-model/history-rows.js';
import { clampScroll, scrollTarget, scrollTo, visibleWindow } from '../view-model/visible-window.js';

/**
 * A certificate's recorded orders (they survive a restart), and with `orderId` one order's full timeline: every
 * phase, wait, retry and CA exchange, long lines wrapped, scrolled by row.
 *
 *   History · example.com                                14:03:07
 *   Orders 3 · enter shows a timeline
 *   › 2026-12-03 18:53  a1b2c3d4  Let's Encrypt  valid  42 events
 *
 *   History · example.com · a1b2c3d4 (valid)             14:03:07
 *   rows 1–20 of 57
 *   18:53:13  POST /order-plz → 201 · 180ms
 */
export function OrderHistoryScreen({ certName, orderId }: { certName: string; orderId?: string }) {
  const { engine, clock, theme } = useServices();
  const snapshot = useSnapshot(engine);
  const now = useNow(clock);
  const { dispatch } = useNavigation();
  const [records, setRecords] = useState<HistoryRecord[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState(Number.MAX_SAFE_INTEGER);
  const [view, setView] = useState({ offset: 0, follow: orderId !== undefined });
  const size = useRef({ rows: 0, height: 10 });

  // An order of this certificate running in this process changes its history: read it again when it moves.
  const liveKey = useMemo(
    () => snapshot.orderIds.map((id) => snapshot.orders[id]).filter((o) => o?.certName === certName).map((o) => `${o!.id}:${o!.updatedAt}`).join(','),
    [snapshot, certName],
  );
  useEffect(() => {
    let current = true;
    engine.readHistory(certName, orderId === undefined ? {} : { orderId }).then(
      (r) => {
        if (!current) return;
        setRecords(r);
        setError(undefined);
      },
      (err: unknown) => current && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      current = false;
    };
  }, [engine, certName, orderId, liveKey]);

  const orders: OrderHistorySummary[] = useMemo(() => (records && orderId === undefined ? summarizeOrders(records) : []), [records, orderId]);
  const summary = useMemo(() => (orderId !== undefined && records ? summarizeOrders(records)[0] : undefined), [records, orderId]);
  const lines = useMemo(() => (orderId !== undefined && records ? records.map(describeHistoryRecord) : []), [records, orderId]);
  const index = Math.min(selected, Math.max(0, orders.length - 1));

  useScreenInput((input, key) => {
    if (orderId === undefined) {
      const move = (d: number) => setSelected((s) => Math.min(Math.max(0, orders.length - 1), Math.max(0, Math.min(s, orders.length - 1) + d)));
      if (key.downArrow || input === 'j') move(1);
      else if (key.upArrow || input === 'k') move(-1);
      else if (key.home || input === 'g') setSelected(0);
      else if (key.end || input === 'G') setSelected(Number.MAX_SAFE_INTEGER);
      else if (key.return && orders[index]) dispatch({ type: 'open', route: { screen: 'history', certName, orderId: orders[index].orderId } });
      return;
    }
    const to = scrollTarget(input, key);
    if (to) setView((v) => scrollTo(v, to, size.current.rows, size.current.height));
  });

  const title = orderId === undefined ? `History · ${certName}` : `History · ${certName} · ${orderId}${summary ? ` (${summary.outcome ?? 'unfinished'})` : ''}`;
  const hints =
    orderId === undefined
      ? [
          { key: '↑↓', label: 'move' },
          { key: 'enter', label: 'timeline', enabled: orders.length > 0 },
          { key: 'esc', label: 'back' },
        ]
      : [
          { key: '↑↓ j k', label: 'scroll' },
          { key: 'pgup pgdn', label: 'page' },
          { key: 'g G', label: 'top/bottom' },
          { key: 'esc', label: 'back' },
        ];
  return (
    <Frame title={title} now={now} hints={hints}>
      {(bodyRows, columns) => {
        if (error) return <Text {...theme.tone('bad')} wrap="wrap">{`Could not read the history: ${error}`}</Text>;
        if (!records) return <Text {...theme.tone('muted')}>Reading the history…</Text>;
        if (orderId === undefined) {
          if (orders.length === 0) {
            return (
              <Box flexDirection="column">
                <Text>No recorded orders for {certName}.</Text>
                <Text {...theme.tone('muted')} wrap="wrap">
                  History is recorded from the first order certdeck runs for it on.
                </Text>
              </Box>
            );
          }
          const window = visibleWindow(orders.map(() => 1), index, Math.max(1, bodyRows - 1));
          return (
            <Box flexDirection="column">
              <Text {...theme.tone('title')} wrap="truncate-end">{`Orders ${orders.length}, oldest first · enter shows a timeline`}</Text>
              {orders.slice(window.start, window.end).map((o, i) => {
                const { text, tone } = orderSummaryText(o);
                const at = window.start + i;
                return (
                  <Text key={o.orderId} {...(tone === 'normal' ? {} : theme.tone(tone))} wrap="wrap">
                    {`${at === index ? '› ' : '  '}${text}`}
                  </Text>
                );
              })}
            </Box>
          );
        }
        const rows = historyRows(lines, columns - 2);
        // The next step stays on screen above the timeline, wrapped whole like every other line here.
        const hint = summary?.error?.hint ? wrapAnsi(`what to do: ${summary.error.hint}`, Math.max(10, columns - 2), { hard: true }).split('\n') : [];
        const height = Math.max(1, bodyRows - 1 - hint.length);
        size.current = { rows: rows.length, height };
        const start = view.follow ? Math.max(0, rows.length - height) : clampScroll(view.offset, rows.length, height);
        const shown = rows.slice(start, start + height);
        return (
          <Box flexDirection="column">
            <Text wrap="truncate-end">
              {`rows ${rows.length ? start + 1 : 0}–${start + shown.length} of ${rows.length}${summary ? ` · ${summary.caName} · ${summary.domains.join(', ')}` : ''}`}
            </Text>
            {hint.map((text, i) => (
              <Text key={`hint-${i}`} {...theme.tone('warn')}>
                {text}
              </Text>
            ))}
            {shown.map((row, i) => (
              <Box key={start + i}>
                <Box width={TIME_COLUMN} flexShrink={0}>
                  <Text {...theme.tone('muted')}>{row.time}</Text>
                </Box>
                <Text {...(row.tone === 'normal' ? {} : theme.tone(row.tone))} wrap="truncate-end">
                  {row.text}
                </Text>
              </Box>
            ))}
          </Box>
        );
      }}
    </Frame>
  );
}
