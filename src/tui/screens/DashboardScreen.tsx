import { Box, Text } from 'ink';
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import type { StorageInfo } from '../../engine/api.js';
import type { OrderView } from '../../engine/state.js';
import { CertificateRow, certificateHeader } from '../components/CertificateRow.js';
import { ColumnHeader } from '../components/ColumnHeader.js';
import { certificateColumns, orderColumns } from '../view-model/row-columns.js';
import { Frame } from '../components/Frame.js';
import { OrderRow, orderHeader, orderRowHeightAt } from '../components/OrderRow.js';
import { SectionTitle } from '../components/SectionTitle.js';
import { StateProblems, stateProblemsHeight } from '../components/StateProblems.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { orderHints, useOrderKeys } from '../hooks/use-order-keys.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { certificateStatus } from '../view-model/certificate-status.js';
import { caColumnWidth } from '../view-model/columns.js';
import { dashboardItems, selectedIndex, type DashboardItem } from '../view-model/dashboard-items.js';
import { describeOrder, isRunning } from '../view-model/order-progress.js';
import { visibleWindowBy } from '../view-model/visible-window.js';
import { errorText } from '../view-model/error-text.js';
import { renewalDetail } from '../view-model/renewal-detail.js';

const ORDER_KEYS = new Set(['r', 'w', 'c', 's']);

/**
 * The home screen: managed certificates (soonest to expire first) and active/recent orders, one cursor over both.
 *
 *   certdeck                                          1 running · 14:03:07
 *   Certificates 2
 *   › ✔ example.com +1      Let's Encrypt ████████░░   54d valid
 *     ◐ api.example.org     ZeroSSL       █░░░░░░░░░    6d renewing
 *   Orders 1 running · 3 finished
 *     ◐ api.example.org     ZeroSSL        processing 4m12s
 *         next poll in 8s (backoff 8s) · poll 3 · gives up in 1m48s
 *   ↑↓ move  enter open  r retry now  w keep waiting  c cancel ...
 */
export function DashboardScreen() {
  const { engine, clock, theme } = useServices();
  const snapshot = useSnapshot(engine);
  const now = useNow(clock);
  const { nav, dispatch } = useNavigation();
  const { wide, columns } = useTerminalSize();

  const items = useMemo(() => dashboardItems(snapshot), [snapshot]);
  const problems = useMemo(() => Object.values(snapshot.stateProblems).sort((a, b) => a.certName.localeCompare(b.certName) || a.file.localeCompare(b.file)), [snapshot]);
  const caNames = useMemo(() => new Map(engine.listCas().map((ca) => [ca.id, ca.name])), [engine]);
  const orders = useMemo(() => snapshot.orderIds.map((id) => snapshot.orders[id]).filter((o) => o !== undefined), [snapshot]);
  // A certificate's status looks at its own orders only: with thousands of orders, not every order for every row.
  const ordersByCert = useMemo(() => {
    const byCert = new Map<string, OrderView[]>();
    for (const o of orders) {
      const list = byCert.get(o.certName);
      if (list) list.push(o);
      else byCert.set(o.certName, [o]);
    }
    return byCert;
  }, [orders]);
  const index = selectedIndex(items, nav.selectedKey, nav.selectedIndex);
  const selected: DashboardItem | undefined = items[index];

  // Keep the remembered selection in step with rows appearing and going away.
  useEffect(() => {
    if (selected && (selected.key !== nav.selectedKey || index !== nav.selectedIndex)) dispatch({ type: 'select', key: selected.key, index });
  }, [selected, index, nav.selectedKey, nav.selectedIndex, dispatch]);

  const selectedOrder = selected?.kind === 'order' ? selected.order : undefined;
  const selectedCertName = selected?.kind === 'certificate' ? selected.certificate.certName : selectedOrder?.certName;
  const orderKeys = useOrderKeys();
  // The row keys act on: moved at once by j/k, so keys typed ahead of the next render hit the right row.
  const cursor = useRef(index);
  cursor.current = index;

  useScreenInput((input, key) => {
    const move = (delta: number) => {
      cursor.current = Math.min(items.length - 1, Math.max(0, cursor.current + delta));
      dispatch({ type: 'move', delta, keys: items.map((i) => i.key) });
    };
    const row = items[cursor.current];
    const rowOrder = row?.kind === 'order' ? row.order : undefined;
    const rowCertName = row?.kind === 'certificate' ? row.certificate.certName : rowOrder?.certName;
    if (key.downArrow || input === 'j') move(1);
    else if (key.upArrow || input === 'k') move(-1);
    else if (key.home || input === 'g') move(-Infinity);
    else if (key.end || input === 'G') move(Infinity);
    else if (key.return && row) {
      if (row.kind === 'order') dispatch({ type: 'open', route: { screen: 'order', orderId: row.order.id } });
      else dispatch({ type: 'open', route: { screen: 'deploy', certName: row.certificate.certName } });
    } else if (input === 'd' && rowCertName !== undefined) dispatch({ type: 'open', route: { screen: 'deploy', certName: rowCertName } });
    else if (input === 'h' && row?.kind === 'certificate') dispatch({ type: 'open', route: { screen: 'history', certName: row.certificate.certName } });
    else if (input === 'l' && !rowOrder) dispatch({ type: 'open', route: { screen: 'log' } });
    else if (input === 'I') dispatch({ type: 'open', route: { screen: 'import' } });
    else if (input === 'D') dispatch({ type: 'open', route: rowCertName === undefined ? { screen: 'doctor' } : { screen: 'doctor', certName: rowCertName } });
    else if (input === 'R') {
      // Other processes' changes arrive by themselves (the engine watches the store); this is for the impatient.
      engine.refresh().then(
        () => dispatch({ type: 'flash', flash: { text: `Re-read the state home: ${Object.keys(engine.getSnapshot().certificates).length} certificate(s).`, tone: 'ok' } }),
        (err: unknown) => dispatch({ type: 'flash', flash: { text: `Could not re-read the state home: ${errorText(err)}`, tone: 'bad' } }),
      );
    } else if (input === 'e' && row?.kind === 'certificate') {
      const { certName, domains, caId } = row.certificate;
      dispatch({ type: 'open', route: { screen: 'issue-form', renew: { certName, domains, caId } } });
    }
    else if (!orderKeys(input, rowOrder) && rowOrder === undefined && ORDER_KEYS.has(input)) {
      dispatch({ type: 'flash', flash: { text: `${input} acts on an order: move down to one under Orders.`, tone: 'warn' } });
    }
  });

  const running = orders.filter(isRunning).length;
  const certCount = items.filter((i) => i.kind === 'certificate').length;
  const orderCount = items.length - certCount;
  const hints = [
    { key: '↑↓', label: 'move' },
    { key: 'enter', label: selected?.kind === 'certificate' ? 'deploy view' : 'open', enabled: selected !== undefined },
    ...orderHints(selectedOrder).map((h) =>
      h.key === 'd' || h.key === 'h' ? { ...h, enabled: selectedCertName !== undefined } : h.key === 'l' ? { ...h, enabled: true } : h,
    ),
    { key: 'e', label: 'renew', enabled: selected?.kind === 'certificate' },
    { key: 'D', label: 'doctor' },
    { key: 'I', label: 'import' },
    { key: 'n', label: 'new order' },
    { key: 'R', label: 'refresh' },
    { key: '?', label: 'help' },
    { key: 'q', label: 'quit' },
  ];

  return (
    <Frame title={storageTitle(engine.storageInfo())} status={running ? `${running} running` : 'idle'} now={now} hints={hints}>
      {(bodyRows) => {
        const problemBlock = <StateProblems key="problems" problems={problems} />;
        if (items.length === 0) {
          return (
            <Box flexDirection="column">
              {problemBlock}
              <Text>No certificates or orders yet.</Text>
              <Text {...theme.tone('muted')}>Press n to request a certificate.</Text>
              <Text {...theme.tone('muted')}>Press S for the guided setup (checks, account, deploy, renewal).</Text>
            </Box>
          );
        }
        // Only the rows on screen are described: a tick costs the same with 20 orders or 2000 (bench/tui.ts).
        const heightOf = (i: number) => {
          const item = items[i];
          if (item?.kind === 'certificate') return item.key === selected?.key && renewalDetail(item.certificate, now) ? 2 : 1;
          return item?.kind === 'order' ? orderRowHeightAt(item.order, now) : 1;
        };
        // Two section titles with their column headers, plus one line for "more" marks when the list does not fit.
        const window = visibleWindowBy(items.length, heightOf, index, Math.max(1, bodyRows - 5 - stateProblemsHeight(problems.length)));
        const shown = items.slice(window.start, window.end);
        const hiddenBelow = items.length - window.end;
        const more = window.start ? ` · ${window.start} more above` : '';
        const caName = (item: DashboardItem) => (item.kind === 'order' ? item.order.caName : (caNames.get(item.certificate.caId) ?? item.certificate.caId));
        // One CA column width for every row on screen, so the rows line up.
        const caWidth = caColumnWidth(shown.map(caName), columns);
        const shownCerts = shown.flatMap((item) => (item.kind === 'certificate' ? [item.certificate] : []));
        const certLayout = certificateColumns(
          columns,
          caWidth,
          shownCerts.reduce((max, c) => Math.max(max, c.certName.length), 0),
          shownCerts.some((c) => c.domains.some((d) => d !== c.certName)),
        );
        const orderLayout = orderColumns(columns, caWidth);
        const rows: ReactNode[] = problems.length ? [problemBlock] : [];
        if (certCount === 0) rows.push(<SectionTitle key="certs-none" title="Certificates" note="none managed yet" />);
        shown.forEach((item, i) => {
          if (i === 0 || shown[i - 1]?.kind !== item.kind) {
            rows.push(
              item.kind === 'certificate' ? (
                <SectionTitle key="certs" title="Certificates" note={`${certCount}${more}`} />
              ) : (
                <SectionTitle key="orders" title="Orders" note={`${running} running · ${orderCount - running} finished${i === 0 ? more : ''}`} />
              ),
              <ColumnHeader key={`${item.kind}-header`} columns={item.kind === 'certificate' ? certificateHeader(certLayout) : orderHeader(orderLayout)} />,
            );
          }
          const isSelected = item.key === selected?.key;
          rows.push(
            item.kind === 'certificate' ? (
              <CertificateRow
                key={item.key}
                certificate={item.certificate}
                status={certificateStatus(item.certificate, ordersByCert.get(item.certificate.certName) ?? [], now)}
                caName={caName(item)}
                selected={isSelected}
                wide={wide}
                caWidth={caWidth}
                layout={certLayout}
                {...(isSelected ? { detail: renewalDetail(item.certificate, now) } : {})}
              />
            ) : (
              <OrderRow key={item.key} order={item.order} progress={describeOrder(item.order, now)} selected={isSelected} wide={wide} caWidth={caWidth} now={now} layout={orderLayout} />
            ),
          );
        });
        if (hiddenBelow) rows.push(<Text key="more" {...theme.tone('muted')}>{`  ↓ ${hiddenBelow} more`}</Text>);
        return <Box flexDirection="column">{rows}</Box>;
      }}
    </Frame>
  );
}

/** In a fleet the header says which shared storage this dashboard shows; alone on files it is just "certdeck". */
function storageTitle(s: StorageInfo): string {
  return s.kind === 'file' ? 'certdeck' : `certdeck · ${s.location}`;
}
