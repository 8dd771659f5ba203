import { Box, Text } from 'ink';
import type { DeployStatus } from '../../engine/events.js';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS, type Tone } from '../theme.js';
import type { DeployRow } from '../view-model/deploy-rows.js';
import { formatClockTime, formatDate, formatElapsed } from '../../engine/core/duration.js';

export function deployLook(status: DeployStatus): { symbol: string; tone: Tone } {
  switch (status) {
    case 'succeeded':
      return { symbol: SYMBOLS.ok, tone: 'ok' };
    case 'failed':
    case 'timed-out':
      return { symbol: SYMBOLS.bad, tone: 'bad' };
    case 'running':
      return { symbol: SYMBOLS.running, tone: 'info' };
    case 'cancelled':
      return { symbol: SYMBOLS.cancelled, tone: 'muted' };
    case 'skipped':
      return { symbol: '-', tone: 'muted' };
    case 'waiting':
      return { symbol: SYMBOLS.queued, tone: 'muted' };
  }
}

/** The column names over deploy target rows, laid out with the rows' own boxes so each sits over its column. */
export function DeployTargetHeader() {
  const theme = useTheme();
  return (
    <Box>
      <Box width={4} flexShrink={0} />
      <Box width={9} flexShrink={0}>
        <Text {...theme.tone('muted')}>KIND</Text>
      </Box>
      <Box flexGrow={1} flexShrink={1} flexBasis={20} minWidth={8}>
        <Text {...theme.tone('muted')}>TARGET</Text>
      </Box>
      <Box flexGrow={1} flexShrink={1} flexBasis={30} marginLeft={1} minWidth={10}>
        <Text {...theme.tone('muted')} wrap="truncate-end">
          LATEST RESULT
        </Text>
      </Box>
    </Box>
  );
}

/** "at 14:02:11", or "2026-04-01 14:02" when it was not today: when a result came about. */
export function resultTime(at: number, now: number): string {
  return formatDate(at) === formatDate(now) ? `at ${formatClockTime(at)}` : `on ${formatDate(at)} ${formatClockTime(at).slice(0, 5)}`;
}

/**
 * One deploy target and, under it, each domain it checks, each with its own result (field report 4). Every target
 * shows its latest result and when: this session's run, or the stored result of the last run of it by any process
 * (a cron renewal, `certdeck deploy`, before a restart):
 *   › ✖ command   reload nginx                 failed 1s at 14:02:13 · exit status 1 · attempt 2
 *   ◐ verify    TLS check on :443            running 4s
 *         ✔ example.com        succeeded
 *         ✖ www.example.com    failed: served the old certificate
 *   ✔ files     files -> /srv/certs          succeeded on 2026-04-01 09:12 (last run)
 *   · pfx       pfx -> /srv/app.pfx          never run
 */
export function DeployTargetRow({ row, selected, now }: { row: DeployRow; selected: boolean; now: number }) {
  const theme = useTheme();
  const target = row.run;
  const last = target ? undefined : row.last;
  const status = target?.status ?? last?.status;
  const look = status ? deployLook(status) : { symbol: SYMBOLS.dot, tone: 'muted' as const };
  const took = target?.startedAt === undefined ? '' : ` ${formatElapsed((target.endedAt ?? now) - target.startedAt)}`;
  const when = target?.endedAt !== undefined ? ` ${resultTime(target.endedAt, now)}` : '';
  const facts = target
    ? [`${target.status}${took}${when}`, target.reason ?? '', target.attempt && target.attempt > 1 ? `attempt ${target.attempt}` : ''].filter(Boolean)
    : last
      ? [`${last.status}${last.endedAt === undefined ? '' : ` ${resultTime(last.endedAt, now)}`} (last run)`, last.reason ?? ''].filter(Boolean)
      : ['never run'];
  const domains = target?.domains ?? last?.domains ?? [];
  return (
    <Box flexDirection="column">
      <Box>
        <Box width={2} flexShrink={0}>
          <Text {...theme.tone('accent')}>{selected ? SYMBOLS.cursor : ' '}</Text>
        </Box>
        <Box width={2} flexShrink={0}>
          <Text {...theme.tone(look.tone)}>{look.symbol}</Text>
        </Box>
        <Box width={9} flexShrink={0}>
          <Text {...theme.tone('muted')}>{row.kind}</Text>
        </Box>
        <Box flexGrow={1} flexShrink={1} flexBasis={20} minWidth={8}>
          <Text {...(selected ? theme.tone('selected') : {})} wrap="truncate-end">
            {row.label}
          </Text>
        </Box>
        <Box flexGrow={1} flexShrink={1} flexBasis={30} marginLeft={1} minWidth={10}>
          <Text {...theme.tone(look.tone)} wrap="truncate-end">
            {facts.join(' · ')}
          </Text>
        </Box>
      </Box>
      {domains.map((d) => {
        const dl = deployLook(d.status);
        return (
          <Box key={d.domain} paddingLeft={6}>
            <Box width={2} flexShrink={0}>
              <Text {...theme.tone(dl.tone)}>{dl.symbol}</Text>
            </Box>
            <Box flexBasis={24} flexShrink={1} minWidth={8}>
              <Text wrap="truncate-end">{d.domain}</Text>
            </Box>
            <Box flexGrow={1} flexShrink={1} marginLeft={1}>
              <Text {...theme.tone(dl.tone)} wrap="truncate-end">
                {d.reason ? `${d.status}: ${d.reason}` : d.status}
              </Text>
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}
