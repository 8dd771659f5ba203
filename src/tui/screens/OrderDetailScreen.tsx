import { Box, Text } from 'ink';
import { AuthorizationList, authorizationLines } from '../components/AuthorizationList.js';
import { ErrorPanel, errorPanelLines } from '../components/ErrorPanel.js';
import { Frame } from '../components/Frame.js';
import { HungNotice } from '../components/HungNotice.js';
import { orderDetailLine } from '../components/OrderRow.js';
import { PolicyPanel } from '../components/PolicyPanel.js';
import { SectionTitle } from '../components/SectionTitle.js';
import { TimelineList } from '../components/TimelineList.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { orderHints, useOrderKeys } from '../hooks/use-order-keys.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { SYMBOLS, type Tone } from '../theme.js';
import { describeOrder } from '../view-model/order-progress.js';
import { describeTimelineEntry } from '../view-model/timeline.js';
import { urlPath } from '../view-model/text.js';

const CHALLENGE_WORDS = { 'http-01-standalone': 'standalone http-01', 'http-01-webroot': 'webroot http-01' } as const;

/**
 * One order in full: what it is, where it stands, the policy bounding its waits, its authorizations, the error and
 * what to do, and as much of its timeline (every transition and CA exchange) as fits; `l` shows all of it.
 *
 *   Order · api.example.org                                  14:03:07
 *   api.example.org · ZeroSSL · ec-p256 · standalone http-01
 *   ◐ processing 4m12s · ACME processing · /acme/order/123
 *   next poll in 8s (backoff 8s) · poll 3 · gives up in 1m48s
 *   Policy deadlines authorization 2m · processing 2m · ...
 *   Authorizations
 *     ✔ api.example.org     valid     http-01 valid
 *   Timeline 12 of 40 · l shows all
 *   14:01:02  POST /acme/finalize/1 → 200 · 140ms
 */
export function OrderDetailScreen({ orderId }: { orderId: string }) {
  const { engine, clock, theme } = useServices();
  const snapshot = useSnapshot(engine);
  const now = useNow(clock);
  const order = snapshot.orders[orderId];
  const orderKeys = useOrderKeys();
  const { dispatch } = useNavigation();
  useScreenInput((input) => {
    if (input === 'D' && order) dispatch({ type: 'open', route: { screen: 'doctor', certName: order.certName } });
    else orderKeys(input, order);
  });
  const hints = [...orderHints(order), { key: 'D', label: 'doctor', enabled: order !== undefined }, { key: 'esc', label: 'back' }, { key: '?', label: 'help' }];
  if (!order) {
    return (
      <Frame title="Order" now={now} hints={hints}>
        {() => <Text>This order is no longer in the snapshot.</Text>}
      </Frame>
    );
  }
  const progress = describeOrder(order, now);
  const detail = orderDetailLine(progress);
  const symbol = progress.hung ? SYMBOLS.hung : progress.tone === 'ok' ? SYMBOLS.ok : progress.tone === 'bad' ? SYMBOLS.bad : progress.tone === 'muted' ? SYMBOLS.cancelled : SYMBOLS.running;
  const tone: Tone = progress.hung || progress.tone === 'hung' ? 'bad' : progress.tone === 'running' ? 'info' : progress.tone;
  const statusFacts = [
    order.acmeStatus ? `ACME ${order.acmeStatus}` : 'no order at the CA yet',
    order.orderUrl ? urlPath(order.orderUrl) : '',
    order.resumed ? 'resumed from the journal' : '',
    order.replaces ? `re-issue of ${order.replaces}` : '',
    order.replacedBy ? `replaced by ${order.replacedBy}` : '',
  ].filter(Boolean);
  const timeline = order.timeline.map(describeTimelineEntry);
  return (
    <Frame title={`Order · ${order.domains[0] ?? order.certName}`} status={order.phase} now={now} hints={hints}>
      {(bodyRows, columns) => {
        const policyLines = 2 + (order.wait ? 1 : 0) + (columns < 120 ? 1 : 0);
        const used =
          2 +
          (detail ? 1 : 0) +
          (progress.hung ? 2 : 0) +
          (order.error ? errorPanelLines(order.error) : 0) +
          policyLines +
          1 +
          Math.max(1, authorizationLines(order.authorizations)) +
          1;
        const room = Math.max(0, bodyRows - used);
        const shown = timeline.slice(Math.max(0, timeline.length - room));
        return (
          <Box flexDirection="column">
            <Text wrap="truncate-end">
              {order.domains.join(', ')} <Text {...theme.tone('muted')}>· {order.caName} · {order.keyType} · {CHALLENGE_WORDS[order.challenge]}</Text>
            </Text>
            <Text wrap="truncate-end">
              <Text {...theme.tone(tone)}>{`${symbol} ${progress.headline}`}</Text>
              <Text {...theme.tone('muted')}> · {statusFacts.join(' · ')}</Text>
            </Text>
            {detail ? (
              <Text {...theme.tone(progress.tone === 'bad' ? 'bad' : 'info')} wrap="truncate-end">
                {detail}
              </Text>
            ) : null}
            {progress.hung ? <HungNotice order={order} hung={progress.hung} /> : null}
            {order.error ? <ErrorPanel error={order.error} /> : null}
            <PolicyPanel order={order} now={now} />
            <SectionTitle title="Authorizations" note={String(order.authorizations.length)} />
            <AuthorizationList authorizations={order.authorizations} />
            <SectionTitle title="Timeline" note={`last ${shown.length} of ${timeline.length} · l shows all`} />
            <TimelineList lines={shown} />
          </Box>
        );
      }}
    </Frame>
  );
}
