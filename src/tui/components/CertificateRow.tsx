import { Box, Text } from 'ink';
import type { CertificateSummary } from '../../engine/events.js';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS, type Tone } from '../theme.js';
import type { CertificateStatus, CertificateStatusKind } from '../view-model/certificate-status.js';
import { formatDate, formatTimeLeft } from '../../engine/core/duration.js';
import { ExpiryBar } from './ExpiryBar.js';
import type { HeaderColumn } from './ColumnHeader.js';
import { certificateColumns, type CertificateColumns } from '../view-model/row-columns.js';

const LOOK: Record<CertificateStatusKind, { symbol: string; tone: Tone; short: string }> = {
  valid: { symbol: SYMBOLS.ok, tone: 'ok', short: 'valid' },
  due: { symbol: SYMBOLS.warn, tone: 'warn', short: 'due' },
  renewing: { symbol: SYMBOLS.running, tone: 'info', short: 'renewing' },
  'renewal-failed': { symbol: SYMBOLS.hung, tone: 'warn', short: 'renew failed, valid' },
  expired: { symbol: SYMBOLS.bad, tone: 'bad', short: 'expired' },
};

/**
 * One managed certificate on one line, its columns sized by certificateColumns (shared with the header):
 *   › ✔ example.com +1        Let's Encrypt ████████░░  54d  valid
 * Wide terminals add every name covered and the expiry date; narrow ones leave out the bar.
 */
export function CertificateRow({
  certificate,
  status,
  caName,
  selected,
  wide,
  caWidth = wide ? 20 : 13,
  layout,
  detail,
}: {
  certificate: CertificateSummary;
  status: CertificateStatus;
  caName: string;
  selected: boolean;
  wide: boolean;
  /** Width of the CA column, the same for every row on screen (caColumnWidth). */
  caWidth?: number;
  /** Every column's width, shared with the header above the list; default: from `wide` alone. */
  layout?: CertificateColumns;
  /** A second line (the selected row's renewal plan: ARI window, next attempt), when there is one. */
  detail?: string;
}) {
  const theme = useTheme();
  const look = LOOK[status.kind];
  const cols = layout ?? certificateColumns(wide ? 120 : 80, caWidth, certificate.certName.length, true);
  const extra = certificate.domains.filter((d) => d !== certificate.certName);
  const name = cols.extra > 0 || extra.length === 0 ? certificate.certName : `${certificate.certName} +${extra.length}`;
  const row = (
    <Box>
      <Box width={2} flexShrink={0}>
        <Text {...theme.tone('accent')}>{selected ? SYMBOLS.cursor : ' '}</Text>
      </Box>
      <Box width={2} flexShrink={0}>
        <Text {...theme.tone(look.tone)}>{look.symbol}</Text>
      </Box>
      <Box width={cols.name} flexShrink={0}>
        <Text {...(selected ? theme.tone('selected') : {})} wrap="truncate-end">
          {name}
        </Text>
      </Box>
      {cols.extra > 0 ? (
        <Box width={cols.extra} flexShrink={0} marginLeft={1}>
          <Text {...theme.tone('muted')} wrap="truncate-end">
            {extra.length ? extra.join(', ') : '—'}
          </Text>
        </Box>
      ) : null}
      <Box width={cols.ca} flexShrink={0} marginLeft={1}>
        <Text wrap="truncate-end">{caName}</Text>
      </Box>
      {cols.bar > 0 ? (
        <Box width={cols.bar} flexShrink={0} marginLeft={1}>
          <ExpiryBar fraction={status.remainingFraction} width={cols.bar} tone={look.tone} />
        </Box>
      ) : null}
      <Box width={cols.left} flexShrink={0} marginLeft={1} justifyContent="flex-end">
        <Text {...theme.tone(look.tone)}>{formatTimeLeft(status.remainingMs)}</Text>
      </Box>
      {cols.date > 0 ? (
        <Box width={cols.date} flexShrink={0} marginLeft={1}>
          <Text {...theme.tone('muted')}>{formatDate(certificate.notAfter)}</Text>
        </Box>
      ) : null}
      <Box width={cols.status} flexShrink={0} marginLeft={1}>
        <Text {...theme.tone(look.tone)} wrap="truncate-end">
          {cols.status >= 28 ? status.label : look.short}
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

/** The header over certificate rows laid out with `cols`. */
export function certificateHeader(cols: CertificateColumns): HeaderColumn[] {
  return [
    { label: 'NAME', width: cols.name, first: true },
    { label: 'ALSO COVERS', width: cols.extra },
    { label: 'CA', width: cols.ca },
    { label: 'LIFETIME', width: cols.bar },
    { label: 'LEFT', width: cols.left, alignRight: true },
    { label: 'EXPIRES', width: cols.date },
    { label: 'STATUS', width: cols.status },
  ];
}
