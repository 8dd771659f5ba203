import { useInput } from 'ink';
import { EXIT_CODES } from '../../engine/core/errors.js';
import { useNavigation } from '../context/navigation-context.js';
import { useSession } from '../context/session-context.js';
import { currentRoute } from '../navigation.js';
import { eachKey } from './use-screen-input.js';

/**
 * Keys that mean the same everywhere: Esc back, ? help, n new order, S guided setup, q quit, Ctrl+C quit with 130. Letters are off
 * while a form (new order, add deploy target) has the keyboard (they are text there); Esc and Ctrl+C always work.
 * The quit prompt handles its own Ctrl+C (a second press means "leave them and quit").
 */
export function useGlobalKeys(): void {
  const { nav, dispatch } = useNavigation();
  const session = useSession();
  const route = currentRoute(nav);
  const inForm = route.screen === 'issue-form' || route.screen === 'deploy-add';
  // The setup owns Esc (one step back, not out) and its letters (text fields, a to agree, q where nothing is typed).
  const inSetup = route.screen === 'setup';
  const done = session.finalCode !== undefined || nav.leaving !== undefined;
  const quitPromptOpen = nav.overlay?.kind === 'quit';
  const letters = eachKey((input) => {
    if (input === '?') dispatch({ type: 'overlay', overlay: { kind: 'help' } });
    else if (input === 'q') session.requestQuit(session.mode.kind === 'issue' && session.runningIds.length > 0 ? EXIT_CODES.cancelled : EXIT_CODES.ok);
    else if (input === 'n' && session.mode.kind === 'dashboard') dispatch({ type: 'open', route: { screen: 'issue-form' } });
    // The guided setup (checks, account and terms, deploy, review) for a further certificate.
    else if (input === 'S' && session.mode.kind === 'dashboard') dispatch({ type: 'open', route: { screen: 'setup' } });
  });
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') session.requestQuit(EXIT_CODES.cancelled);
      else if (nav.overlay) return; // the overlay owns every other key
      else if (inSetup) return;
      else if (key.escape) dispatch({ type: 'back' });
      else if (!inForm) letters(input, key);
    },
    { isActive: !done && !quitPromptOpen },
  );
}
