import { useInput, type Key } from 'ink';
import { useNavigation } from '../context/navigation-context.js';
import { useSession } from '../context/session-context.js';

type KeyHandler = (input: string, key: Key) => void;

/**
 * Ink hands over a chunk of several characters as one input (a paste, or keys sent together by tmux or a fast
 * typist); for single-key commands each character counts on its own. Ctrl and Alt chords are not the plain letters
 * the screens bind (Ctrl+C arrives as "c" with ctrl set), so they are not passed on.
 */
export function eachKey(handler: KeyHandler): KeyHandler {
  return (input, key) => {
    if (key.ctrl || key.meta) return;
    const chars = [...input];
    if (chars.length <= 1) {
      handler(input, key);
      return;
    }
    // Inside a chunk, Enter and Tab are plain characters; give them back their meaning.
    for (const ch of chars) {
      if (ch === '\r' || ch === '\n') handler('', { ...key, return: true });
      else if (ch === '\t') handler('', { ...key, tab: true });
      else handler(ch, key);
    }
  };
}

/**
 * A screen's own keys, switched off while an overlay or prompt has the keyboard, while the UI is shutting down,
 * and once the final summary is up: one owner per key press.
 */
export function useScreenInput(handler: KeyHandler, enabled = true): void {
  const { nav } = useNavigation();
  const { finalCode } = useSession();
  useInput(eachKey(handler), {
    isActive: enabled && nav.overlay === undefined && nav.leaving === undefined && finalCode === undefined,
  });
}
