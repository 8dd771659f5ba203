import { Box, Text } from 'ink';
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { AuthorizationList, authorizationLines } from '../components/AuthorizationList.js';
import { DnsRecordList, dnsRecordLines } from '../components/DnsRecordList.js';
import { describeDnsProgress } from '../view-model/dns-progress.js';
import { Frame } from '../components/Frame.js';
import { HungNotice } from '../components/HungNotice.js';
import { OrderRow, orderHeader, orderRowHeight } from '../components/OrderRow.js';
import { ColumnHeader } from '../components/ColumnHeader.js';
import { orderColumns } from '../view-model/row-columns.js';
import { SectionTitle } from '../components/SectionTitle.js';
import { TimelineList } from '../components/TimelineList.js';
import { useNavigation } from '../context/navigation-context.js';
import { useSession } from '../context/session-context.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { orderHints, useOrderKeys } from '../hooks/use-order-keys.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { caColumnWidth } from '../view-model/columns.js';
import { orderedOrders, selectedIndex } from '../view-model/dashboard-items.js';
import { describeOrder } from '../view-model/order-progress.js';
import { deployRunLine, isDeployRunning, issueDeploys } from '../view-model/issue-deploys.js';
import { DeployTargetRow } from '../components/DeployTargetRow.js';
import { isTerminal } from '../../engine/state.js';
import { namesSummary } from '../view-model/text.js';
import { describeTimelineEntry } from '../view-model/timeline.js';

/**
 * `certdeck issue` on a terminal: the orders that command runs (a switch of CA or a fallback adds the new order
 * below the old one), the selected order's authorizations and its latest exchanges, with the same action keys as
 * the dashboard.
 *
 *   certdeck issue · example.com +1                             14:03:07
 *   Orders
 *   › ◐ example.com +1        Let's Encrypt   processing 12s
 *         next poll in 2s (backoff 2s) · poll 2 · gives up in 1m48s
 *   Authorizations
 *     ✔ example.com           valid       http-01 valid
 *   Latest
 *   14:03:05  POST /acme/order/1 → 200 · 12ms
 */
export function IssueScreen() {
  const { engine, clock, theme } = useServices();
  const snapshot = useSnapshot(engine);
  const now = useNow(clock);
  const session = useSession();
  const { nav, dispatch } = useNavigation();
  const { wide, columns } = useTerminalSize();
  const orders = useMemo(() => orderedOrders(snapshot, session.followed), [snapshot, session.followed]);
  const items = useMemo(() => orders.map((o) => ({ key: `order:${o.id}`, order: o })), [orders]);
  const index = selectedIndex(items, nav.selectedKey, nav.selectedIndex);
  const selected = items[index]?.order;
  const orderKeys = useOrderKeys();
  // Moved at once by j/k, so keys typed ahead of the next render act on the row the move selected.
  const cursor = useRef(index);
  cursor.current = index;

  useEffect(() => {
    const item = items[index];
    if (item && (item.key !== nav.selectedKey || index !== nav.selectedIndex)) dispatch({ type: 'select', key: item.key, index });
  }, [items, index, nav.selectedKey, nav.selectedIndex, dispatch]);

  const deploys = useMemo(() => issueDeploys(snapshot, orders), [snapshot, orders]);
  const runningDeploy = deploys.find(isDeployRunning);

  useScreenInput((input, key) => {
    const delta = key.downArrow || input === 'j' ? 1 : key.upArrow || input === 'k' ? -1 : 0;
    const row = items[cursor.current]?.order;
    if (delta !== 0) {
      cursor.current = Math.min(items.length - 1, Math.max(0, cursor.current + delta));
      dispatch({ type: 'move', delta, keys: items.map((i) => i.key) });
    } else if (key.return && row) dispatch({ type: 'open', route: { screen: 'order', orderId: row.id } });
    // Once the certificate is saved, what is still running is its deploy: c cancels that (asks first).
    else if (input === 'c' && runningDeploy && row && isTerminal(row.phase)) dispatch({ type: 'overlay', overlay: { kind: 'confirm-cancel-deploy', certName: runningDeploy.certName } });
    else orderKeys(input, row);
  });

  const first = orders[orders.length - 1] ?? orders[0];
  const title = `certdeck issue${first ? ` · ${namesSummary(first.domains)}` : ''}`;
  const deployCancel = runningDeploy !== undefined && selected !== undefined && isTerminal(selected.phase);
  const hints = [
    { key: '↑↓', label: 'move', enabled: items.length > 1 },
    { key: 'enter', label: 'detail', enabled: selected !== undefined },
    ...orderHints(selected).map((h) => (h.key === 'c' && deployCancel ? { key: 'c', label: 'cancel deploy', enabled: true } : h)),
    { key: '?', label: 'help' },
    { key: 'q', label: 'quit' },
  ];
  const status = session.runningIds.length ? `${session.runningIds.length} running` : runningDeploy ? 'deploying' : 'finishing';
  return (
    <Frame title={title} status={status} now={now} hints={hints}>
      {(bodyRows) => {
        if (!selected) return <Text {...theme.tone('muted')}>Starting the order…</Text>;
        const progress = describeOrder(selected, now);
        const caWidth = caColumnWidth(items.map((item) => item.order.caName), columns);
        const layout = orderColumns(columns, caWidth);
        const rows: ReactNode[] = [<SectionTitle key="orders" title="Orders" />, <ColumnHeader key="orders-header" columns={orderHeader(layout)} />];
        let used = 2;
        for (const [i, item] of items.entries()) {
          const p = i === index ? progress : describeOrder(item.order, now);
          used += orderRowHeight(p);
          rows.push(<OrderRow key={item.key} order={item.order} progress={p} selected={i === index} wide={wide} caWidth={caWidth} now={now} layout={layout} />);
        }
        if (progress.hung) {
          rows.push(<HungNotice key="hung" order={selected} hung={progress.hung} />);
          used += 2;
        }
        // The deploy after issuance, per target and per name, as it runs: the run is not over until it is.
        for (const run of deploys) {
          rows.push(
            <SectionTitle key={`deploy-${run.runId}`} title="Deploy" note={deployRunLine(run)} />,
            ...run.targets.map((t) => <DeployTargetRow key={`deploy-${run.runId}-${t.id}`} row={{ id: t.id, kind: t.kind, label: t.label, run: t }} selected={false} now={now} />),
          );
          used += 1 + run.targets.reduce((n, t) => n + 1 + t.domains.length, 0);
        }
        rows.push(<SectionTitle key="authz" title="Authorizations" />, <AuthorizationList key="authz-list" authorizations={selected.authorizations} />);
        used += 1 + Math.max(1, authorizationLines(selected.authorizations));
        const dns = describeDnsProgress(selected, now);
        if (dns) {
          rows.push(<SectionTitle key="dns" title="DNS records" note={dns.summary} />, <DnsRecordList key="dns-list" progress={dns} />);
          used += 1 + dnsRecordLines(dns);
        }
        const room = Math.max(0, bodyRows - used - 1);
        if (room > 0) {
          const lines = selected.timeline.map(describeTimelineEntry);
          rows.push(<SectionTitle key="latest" title="Latest" note="enter shows everything" />, <TimelineList key="timeline" lines={lines.slice(Math.max(0, lines.length - room))} />);
        }
        return <Box flexDirection="column">{rows}</Box>;
      }}
    </Frame>
  );
}
