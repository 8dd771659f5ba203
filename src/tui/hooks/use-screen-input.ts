import { useInput, type Key } from 'ink';
import { useNavigation } from '../context/navigation-context.js';
import { useSession } from '../context/session-context.js';

/**
 * A screen's own keys, switched off while an overlay or prompt has the keyboard, while the UI is shutting down,
 * and once the final summary is up: one owner per key press.
 */
export function useScreenInput(handler: (input: string, key: Key) => void, enabled = true): void {
  const { nav } = useNavigation();
  const { finalCode } = useSession();
  useInput(handler, { isActive: enabled && nav.overlay === undefined && nav.leaving === undefined && finalCode === undefined });
}
