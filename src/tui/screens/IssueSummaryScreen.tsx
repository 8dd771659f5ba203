import { Box, Text } from 'ink';
import { useEffect, useMemo } from 'react';
import { EXIT_CODES } from '../../engine/core/errors.js';
import type { DeployRunView, OrderView } from '../../engine/state.js';
import { deployLook } from '../components/DeployTargetRow.js';
import { deployRunLine, issueDeploys } from '../view-model/issue-deploys.js';
import { useSession } from '../context/session-context.js';
import { useServices } from '../context/services-context.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { SYMBOLS } from '../theme.js';
import { orderedOrders } from '../view-model/dashboard-items.js';
import { formatDate, formatTimeLeft } from '../../engine/core/duration.js';

const EXIT_WORDS = new Map<number, string>(Object.entries(EXIT_CODES).map(([word, code]) => [code, word]));

function OrderOutcome({ order }: { order: OrderView }) {
  const { theme } = useServices();
  const names = order.domains.join(', ');
  if (order.phase === 'done') {
    const cert = order.certificate;
    return (
      <Box flexDirection="column">
        <Text {...theme.tone('ok')}>{`${SYMBOLS.ok} ${names}: issued by ${order.caName}`}</Text>
        {cert ? (
          <Box paddingLeft={4}>
            <Text>{`valid until ${formatDate(cert.notAfter)} (${formatTimeLeft(cert.notAfter - cert.notBefore)}) · ${cert.dir}`}</Text>
          </Box>
        ) : null}
      </Box>
    );
  }
  const tone = order.phase === 'failed' ? 'bad' : 'muted';
  const symbol = order.phase === 'failed' ? SYMBOLS.bad : order.phase === 'abandoned' ? SYMBOLS.abandoned : SYMBOLS.cancelled;
  return (
    <Box flexDirection="column">
      <Text {...theme.tone(tone)}>{`${symbol} ${names} at ${order.caName}: ${order.phase}${order.reason ? ` (${order.reason})` : ''}`}</Text>
      {order.error ? (
        <Box paddingLeft={4}>
          <Text>{order.error.message}</Text>
        </Box>
      ) : null}
      {order.error?.hint ? (
        <Box paddingLeft={4}>
          <Text>{`what to do: ${order.error.hint}`}</Text>
        </Box>
      ) : null}
    </Box>
  );
}

/** The deploy after issuance: the run's outcome, then every target (a failed one with why), so none hides. */
function DeployOutcome({ run }: { run: DeployRunView }) {
  const { theme } = useServices();
  const tone = run.outcome === 'succeeded' ? 'ok' : run.outcome === undefined ? 'info' : 'bad';
  return (
    <Box flexDirection="column">
      <Text {...theme.tone(tone)}>{`${run.outcome === 'succeeded' ? SYMBOLS.ok : SYMBOLS.bad} ${deployRunLine(run)}`}</Text>
      {run.targets.map((t) => (
        <Box key={t.id} paddingLeft={4}>
          <Text {...theme.tone(deployLook(t.status).tone)}>{`${deployLook(t.status).symbol} ${t.id} (${t.label}): ${t.status}${t.reason ? ` - ${t.reason}` : ''}`}</Text>
        </Box>
      ))}
      {run.outcome && run.outcome !== 'succeeded' ? (
        <Box paddingLeft={4}>
          <Text>{`what to do: fix the target, then run: certdeck deploy ${run.certName} --only failed`}</Text>
        </Box>
      ) : null}
    </Box>
  );
}

/**
 * What `certdeck issue` leaves on the terminal when it is done: one entry per order it ran (the abandoned ones too,
 * with why) and the exit code. It is the last frame, kept on screen (and in the scrollback) after the UI exits, so
 * long lines wrap rather than lose their end: the reason, the error and what to do are the point of it.
 */
export function IssueSummaryScreen({ code }: { code: number }) {
  const { engine, theme } = useServices();
  const snapshot = useSnapshot(engine);
  const session = useSession();
  const orders = useMemo(() => orderedOrders(snapshot, session.followed).sort((a, b) => a.queuedAt - b.queuedAt), [snapshot, session.followed]);
  useEffect(() => {
    session.finish(code);
  }, [session, code]);
  return (
    <Box flexDirection="column">
      {orders.map((o) => (
        <OrderOutcome key={o.id} order={o} />
      ))}
      {issueDeploys(snapshot, orders).map((run) => (
        <DeployOutcome key={run.runId} run={run} />
      ))}
      {orders.length === 0
        ? // Nothing was ordered (--if-due and not due, or issued by the run we waited for): the engine said why.
          snapshot.log.map((l, i) => <Text key={i}>{l.message}</Text>)
        : null}
      <Text {...theme.tone(code === 0 ? 'ok' : 'bad')}>{`certdeck issue finished: exit ${code} (${EXIT_WORDS.get(code) ?? 'error'})`}</Text>
    </Box>
  );
}
