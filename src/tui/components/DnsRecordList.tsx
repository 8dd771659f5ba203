import { Box, Text } from 'ink';
import type { DnsProgress } from '../view-model/dns-progress.js';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS } from '../theme.js';

/** Lines the list takes (one per record plus one per detail), for the screen's layout. */
export function dnsRecordLines(progress: DnsProgress): number {
  return progress.rows.reduce((n, r) => n + (r.detail ? 2 : 1), 0);
}

/** One row per dns-01 record: published, propagation n/m servers, and what a lagging server answered. */
export function DnsRecordList({ progress }: { progress: DnsProgress }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      {progress.rows.map((r) => {
        const symbol = r.tone === 'ok' ? SYMBOLS.ok : r.tone === 'bad' ? SYMBOLS.bad : SYMBOLS.running;
        return (
          <Box key={`${r.domain} ${r.record}`} flexDirection="column">
            <Text wrap="truncate-end">
              <Text {...theme.tone(r.tone)}>{`  ${symbol} `}</Text>
              {r.domain}
              <Text {...theme.tone('muted')}>{`  ${r.record}  `}</Text>
              {r.published}
              {r.propagation ? <Text {...theme.tone(r.tone === 'ok' ? 'ok' : 'info')}>{`  ${r.propagation}`}</Text> : null}
            </Text>
            {r.detail ? (
              <Box paddingLeft={6}>
                <Text {...theme.tone(r.tone === 'bad' ? 'bad' : 'muted')} wrap="truncate-end">
                  {r.detail}
                </Text>
              </Box>
            ) : null}
          </Box>
        );
      })}
    </Box>
  );
}
