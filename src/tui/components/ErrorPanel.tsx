import { Box, Text } from 'ink';
import type { ErrorInfo } from '../../engine/core/errors.js';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS } from '../theme.js';
import { formatSpan } from '../../engine/core/duration.js';

/** Lines the panel takes, for the screen's layout. */
export function errorPanelLines(error: ErrorInfo): number {
  return 1 + (error.hint ? 1 : 0) + (error.problemType ? 1 : 0) + Math.min(3, error.subproblems?.length ?? 0);
}

/**
 * What went wrong and what to do, with the CA's own words kept:
 *   ✖ rateLimited: too many certificates already issued for "example.com"
 *     hint: Let's Encrypt rate limit; the next try is possible at 14:05
 *     CA problem urn:ietf:params:acme:error:rateLimited · HTTP 429 · Retry-After 1h
 */
export function ErrorPanel({ error }: { error: ErrorInfo }) {
  const theme = useTheme();
  const facts = [
    error.problemType ? `CA problem ${error.problemType}` : '',
    error.status !== undefined ? `HTTP ${error.status}` : '',
    error.retryAfterMs !== undefined ? `Retry-After ${formatSpan(error.retryAfterMs)}` : '',
  ].filter(Boolean);
  return (
    <Box flexDirection="column">
      <Text {...theme.tone('bad')} wrap="truncate-end">
        {`${SYMBOLS.bad} ${error.message}`}
      </Text>
      {error.hint ? (
        <Text wrap="truncate-end">
          {'  '}
          <Text {...theme.tone('title')}>what to do:</Text> {error.hint}
        </Text>
      ) : null}
      {error.problemType ? (
        <Text {...theme.tone('muted')} wrap="truncate-end">
          {`  ${facts.join(' · ')}`}
        </Text>
      ) : null}
      {(error.subproblems ?? []).slice(0, 3).map((p, i) => (
        <Text key={i} {...theme.tone('muted')} wrap="truncate-end">
          {`  ${p.identifier ?? ''} ${p.type?.replace('urn:ietf:params:acme:error:', '') ?? ''}: ${p.detail ?? ''}`}
        </Text>
      ))}
    </Box>
  );
}
