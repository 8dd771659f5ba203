import { Box, Text } from 'ink';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS } from '../theme.js';
import type { NameProblem } from '../view-model/issue-form.js';
import { truncate } from '../view-model/text.js';

/** How many bad names are listed one by one before "and N more". */
const LISTED = 3;
/** A long bad name is cut so its reason stays in sight. */
const RAW_WIDTH = 32;

/** Each bad name with its own reason, as typed: "✖ bad_name.com: underscores are not allowed in host names". */
export function NameProblems({ problems, names }: { problems: readonly NameProblem[]; names: readonly string[] }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" paddingLeft={15}>
      {names.length > 0 && problems.length === 0 ? (
        <Text {...theme.tone('ok')} wrap="truncate-end">
          {`${SYMBOLS.ok} ${names.length} name${names.length === 1 ? '' : 's'}: ${names.join(', ')}`}
        </Text>
      ) : null}
      {problems.slice(0, LISTED).map((p, i) => (
        <Text key={`${p.raw}-${i}`} {...theme.tone('bad')} wrap="truncate-end">
          {`${SYMBOLS.bad} ${truncate(p.raw, RAW_WIDTH)}: ${p.reason}`}
        </Text>
      ))}
      {problems.length > LISTED ? <Text {...theme.tone('bad')}>{`  and ${problems.length - LISTED} more`}</Text> : null}
    </Box>
  );
}
