import { Box, Text, useInput } from 'ink';
import { useNavigation } from '../context/navigation-context.js';
import { useTheme } from '../context/services-context.js';
import { SYMBOLS } from '../theme.js';

const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['↑ ↓  j k', 'move the selection (scroll in the log)'],
  ['enter', 'open: order detail, or the deploy view of a certificate'],
  ['esc', 'back, or close a prompt'],
  ['r', 'retry now: poll or resend at once instead of waiting'],
  ['w', 'keep waiting: push the current deadline out by one more phase'],
  ['c', 'cancel the order (asks first; cleans up challenges); in the deploy view, cancel the running deploy'],
  ['s', 'switch CA: abandon the order, re-issue it at another CA'],
  ['l', 'full log of the order (or the engine log)'],
  ['d', 'deploy view of the certificate; there R re-runs failed targets'],
  ['h', 'recorded history: past orders of the certificate and their full timelines (kept across restarts)'],
  ['a  x', 'in the deploy view: add a target, remove the selected one (asks first)'],
  ['e', 'renew the selected certificate: the new-order form, filled in with its names and CA'],
  ['D', 'doctor: check the certificate (or order) live: files, keys, DNS, CAA, the CA; what to do for each finding'],
  ['n', 'new order (the quick form; asks for an e-mail and the terms when the CA has no account yet)'],
  ['S', 'guided setup: checks, CA, account and terms, deploy, review with the equivalent commands'],
  ['R', 'refresh: re-read certificates and deploy results (changes by other certdeck runs also show within ~2 s)'],
  ['I', 'import certbot, acme.sh or lego certificates and accounts: preview what is found, then confirm'],
  ['q', 'quit (asks what to do with running orders)'],
  ['?', 'this help'],
];

/** The `?` overlay: every key, what the symbols mean and how to read a countdown. */
export function HelpOverlay() {
  const theme = useTheme();
  const { dispatch } = useNavigation();
  useInput((input, key) => {
    if (key.escape || input.includes('?') || input.includes('q')) dispatch({ type: 'close-overlay' });
  });
  return (
    <Box flexDirection="column">
      <Text {...theme.tone('title')}>Keys</Text>
      {KEYS.map(([k, what]) => (
        <Box key={k}>
          <Box width={13} flexShrink={0}>
            <Text {...theme.tone('key')}>{`  ${k}`}</Text>
          </Box>
          <Text wrap="truncate-end">{what}</Text>
        </Box>
      ))}
      <Text {...theme.tone('title')}>Symbols</Text>
      <Text wrap="truncate-end">{`  ${SYMBOLS.ok} valid, done   ${SYMBOLS.warn} due for renewal   ${SYMBOLS.running} running, renewing   ${SYMBOLS.cancelled} cancelled`}</Text>
      <Text wrap="truncate-end">{`  ${SYMBOLS.hung} hung, or renewal failed while still valid   ${SYMBOLS.bad} failed, expired`}</Text>
      <Text {...theme.tone('title')}>Countdowns</Text>
      <Box paddingLeft={2}>
        <Text wrap="wrap">
          "next poll in 8s (backoff 8s)" is certdeck’s own backoff; "(Retry-After 30s)" is the wait the CA asked for. An
          order processing longer than its policy allows is flagged hung.
        </Text>
      </Box>
    </Box>
  );
}
