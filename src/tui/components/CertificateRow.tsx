import { Box, Text } from 'ink';
import type { CertificateSummary } from '../../engine/events.js';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS, type Tone } from '../theme.js';
import type { CertificateStatus, CertificateStatusKind } from '../view-model/certificate-status.js';
import { formatDate, formatTimeLeft } from '../view-model/duration.js';
import { ExpiryBar } from './ExpiryBar.js';

const LOOK: Record<CertificateStatusKind, { symbol: string; tone: Tone; short: string }> = {
  valid: { symbol: SYMBOLS.ok, tone: 'ok', short: 'valid' },
  due: { symbol: SYMBOLS.warn, tone: 'warn', short: 'due' },
  renewing: { symbol: SYMBOLS.running, tone: 'info', short: 'renewing' },
  'renewal-failed': { symbol: SYMBOLS.hung, tone: 'warn', short: 'renew failed, valid' },
  expired: { symbol: SYMBOLS.bad, tone: 'bad', short: 'expired' },
};

/**
 * One managed certificate on one line:
 *   › ✔ example.com +1        Let's Encrypt ████████░░  54d  valid
 * Wide terminals add every name covered and the expiry date.
 */
export function CertificateRow({
  certificate,
  status,
  caName,
  selected,
  wide,
  caWidth = wide ? 20 : 13,
  detail,
}: {
  certificate: CertificateSummary;
  status: CertificateStatus;
  caName: string;
  selected: boolean;
  wide: boolean;
  /** Width of the CA column, the same for every row on screen (caColumnWidth). */
  caWidth?: number;
  /** A second line (the selected row's renewal plan: ARI window, next attempt), when there is one. */
  detail?: string;
}) {
  const theme = useTheme();
  const look = LOOK[status.kind];
  const extra = certificate.domains.filter((d) => d !== certificate.certName);
  const name = wide || extra.length === 0 ? certificate.certName : `${certificate.certName} +${extra.length}`;
  const row = (
    <Box>
      <Box width={2} flexShrink={0}>
        <Text {...theme.tone('accent')}>{selected ? SYMBOLS.cursor : ' '}</Text>
      </Box>
      <Box width={2} flexShrink={0}>
        <Text {...theme.tone(look.tone)}>{look.symbol}</Text>
      </Box>
      <Box flexGrow={1} flexShrink={1} flexBasis={wide ? 24 : 20} minWidth={8}>
        <Text {...(selected ? theme.tone('selected') : {})} wrap="truncate-end">
          {name}
        </Text>
      </Box>
      {wide ? (
        <Box flexGrow={2} flexShrink={1} flexBasis={24} marginLeft={1} minWidth={6}>
          <Text {...theme.tone('muted')} wrap="truncate-end">
            {extra.length ? extra.join(', ') : '—'}
          </Text>
        </Box>
      ) : null}
      <Box width={caWidth} flexShrink={0} marginLeft={1}>
        <Text wrap="truncate-end">{caName}</Text>
      </Box>
      <Box width={9} flexShrink={0} marginLeft={1}>
        <ExpiryBar fraction={status.remainingFraction} width={8} tone={look.tone} />
      </Box>
      <Box width={6} flexShrink={0} justifyContent="flex-end">
        <Text {...theme.tone(look.tone)}>{formatTimeLeft(status.remainingMs)}</Text>
      </Box>
      {wide ? (
        <Box width={11} flexShrink={0} marginLeft={1}>
          <Text {...theme.tone('muted')}>{formatDate(certificate.notAfter)}</Text>
        </Box>
      ) : null}
      <Box width={wide ? 28 : 20} flexShrink={0} marginLeft={1}>
        <Text {...theme.tone(look.tone)} wrap="truncate-end">
          {wide ? status.label : look.short}
        </Text>
      </Box>
    </Box>
  );
  if (!detail) return row;
  return (
    <Box flexDirection="column">
      {row}
      <Box paddingLeft={4}>
        <Text {...theme.tone('muted')} wrap="truncate-end">
          {detail}
        </Text>
      </Box>
    </Box>
  );
}
