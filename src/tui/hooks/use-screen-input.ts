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
  useInput(
    (input, key) => {
      // Ctrl and Alt chords are not the plain letters the screens bind (Ctrl+C is "c" with ctrl set).
      if (key.ctrl || key.meta) return;
      handler(input, key);
    },
    { isActive: enabled && nav.overlay === undefined && nav.leaving === undefined && finalCode === undefined },
  );
}
