import { Box, Text } from 'ink';
import { useTheme } from '../context/services-context.js';
import { ROW_LEAD } from '../view-model/row-columns.js';

export interface HeaderColumn {
  label: string;
  /** 0 leaves the column out (as the rows do at this width). */
  width: number;
  /** The first column has no space before it; the others have one, as in the rows. */
  first?: boolean;
  alignRight?: boolean;
}

/**
 * The muted line of column names above a list, with the rows' own widths so each name sits over its column:
 *       NAME                 CA             EXPIRY    LEFT STATUS
 */
export function ColumnHeader({ columns }: { columns: readonly HeaderColumn[] }) {
  const theme = useTheme();
  return (
    <Box>
      <Box width={ROW_LEAD} flexShrink={0} />
      {columns
        .filter((c) => c.width > 0)
        .map((c) => (
          <Box key={c.label} width={c.width} flexShrink={0} marginLeft={c.first ? 0 : 1} {...(c.alignRight ? { justifyContent: 'flex-end' as const } : {})}>
            <Text {...theme.tone('muted')} wrap="truncate-end">
              {c.label}
            </Text>
          </Box>
        ))}
    </Box>
  );
}
