import { Box, Text } from 'ink';
import type { AuthzView } from '../../engine/state.js';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS, type Tone } from '../theme.js';

function look(status: string): { symbol: string; tone: Tone } {
  if (status === 'valid') return { symbol: SYMBOLS.ok, tone: 'ok' };
  if (status === 'invalid' || status === 'revoked' || status === 'expired' || status === 'deactivated') return { symbol: SYMBOLS.bad, tone: 'bad' };
  if (status === 'processing') return { symbol: SYMBOLS.running, tone: 'info' };
  return { symbol: SYMBOLS.queued, tone: 'muted' };
}

/** Lines the list takes for these authorizations (one each, plus one per error), for the screen's layout. */
export function authorizationLines(authorizations: readonly AuthzView[]): number {
  return authorizations.reduce((n, a) => n + (a.error ? 2 : 1), 0);
}

/**
 *   ✔ example.com          valid     http-01 valid
 *   ✖ www.example.com      invalid   http-01 invalid
 *       connection refused while fetching http://www.example.com/.well-known/acme-challenge/...
 */
export function AuthorizationList({ authorizations }: { authorizations: readonly AuthzView[] }) {
  const theme = useTheme();
  if (authorizations.length === 0) return <Text {...theme.tone('muted')}>  none yet (the CA lists them once the order exists)</Text>;
  return (
    <Box flexDirection="column">
      {authorizations.map((a) => {
        const authz = look(a.status);
        const challenge = a.challengeStatus ? look(a.challengeStatus) : undefined;
        return (
          <Box key={a.url} flexDirection="column">
            <Box>
              <Box width={4} flexShrink={0}>
                <Text {...theme.tone(authz.tone)}>{`  ${authz.symbol}`}</Text>
              </Box>
              <Box flexGrow={1} flexShrink={1} flexBasis={20} minWidth={8}>
                <Text wrap="truncate-end">{a.domain}</Text>
              </Box>
              <Box width={12} flexShrink={0} marginLeft={1}>
                <Text {...theme.tone(authz.tone)}>{a.status}</Text>
              </Box>
              <Box width={26} flexShrink={0}>
                <Text {...theme.tone(challenge?.tone ?? 'muted')} wrap="truncate-end">
                  {a.challengeType ? `${a.challengeType} ${a.challengeStatus ?? ''}` : 'no challenge yet'}
                </Text>
              </Box>
            </Box>
            {a.error ? (
              <Box paddingLeft={6}>
                <Text {...theme.tone('bad')} wrap="truncate-end">
                  {a.error}
                </Text>
              </Box>
            ) : null}
          </Box>
        );
      })}
    </Box>
  );
}
