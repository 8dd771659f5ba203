import { Box, Text } from 'ink';
import type { StateProblem } from '../../engine/state.js';
import { useTheme } from '../context/services-context.js';

/** How many problems are listed by name; the rest are counted (the log view has every one). */
export const STATE_PROBLEMS_SHOWN = 3;

/** Rows the block takes: a title, the problems shown, and a "more" line when some are not. */
export function stateProblemsHeight(count: number): number {
  if (count === 0) return 0;
  return 1 + Math.min(count, STATE_PROBLEMS_SHOWN) + (count > STATE_PROBLEMS_SHOWN ? 1 : 0);
}

/**
 * Files on disk certdeck could not read (a corrupt meta.json, a damaged cert.pem, an unreadable journal). They are
 * shown, not hidden: a certificate missing from the list would look like one certdeck never managed.
 */
export function StateProblems({ problems }: { problems: readonly StateProblem[] }) {
  const theme = useTheme();
  if (problems.length === 0) return null;
  const shown = problems.slice(0, STATE_PROBLEMS_SHOWN);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text {...theme.tone('bad')}>Unreadable state</Text>
        <Text {...theme.tone('muted')}> {problems.length} file{problems.length === 1 ? '' : 's'} · l for the log</Text>
      </Text>
      {shown.map((p) => (
        <Text key={p.file} wrap="truncate-end">
          <Text {...theme.tone('warn')}>{`  ⚠ ${p.certName}: `}</Text>
          <Text>{p.message}</Text>
        </Text>
      ))}
      {problems.length > shown.length ? <Text {...theme.tone('muted')}>{`  … ${problems.length - shown.length} more`}</Text> : null}
    </Box>
  );
}
