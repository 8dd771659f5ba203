import { Box, Text, useInput } from 'ink';
import { useMemo } from 'react';
import type { CaInfo } from '../../engine/api.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { eachKey } from '../hooks/use-screen-input.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { casInPickerOrder, isRunningSandboxCa, isSandboxCa } from '../view-model/ca-list.js';
import { choiceLabelWidth } from '../view-model/columns.js';
import { namesSummary } from '../view-model/text.js';
import { ChoiceList, type Choice } from './ChoiceList.js';
import { useKeyState } from '../hooks/use-key-state.js';

/** "EAB required · staging": what to know about a CA before choosing it. */
export function caChoice(ca: CaInfo): Choice {
  // A sandbox CA that is not running cannot take an order: say so before it is chosen, not after.
  const stopped = isSandboxCa(ca) && !isRunningSandboxCa(ca);
  const tags = [stopped ? 'not running' : '', ca.eabRequired ? 'EAB required' : '', ca.staging ? 'staging, untrusted' : ''].filter(Boolean);
  return { value: ca.id, label: ca.name, ...(tags.length ? { tag: tags.join(' · ') } : {}), tagTone: ca.eabRequired || stopped ? 'warn' : 'muted' };
}

/**
 * Switch CA: every catalog CA except the order's own (running sandbox CAs first), with what each needs (EAB) and the
 * notes for the one under the cursor. Enter re-issues the same request there; the abandoned order stays in the
 * history.
 */
export function CaPicker({ orderId }: { orderId: string }) {
  const { engine, theme } = useServices();
  const { dispatch } = useNavigation();
  const order = useSnapshot(engine).orders[orderId];
  const cas = useMemo(() => casInPickerOrder(engine.listCas()).filter((ca) => ca.id !== order?.caId), [engine, order?.caId]);
  const [focus, focusRef, setFocusNow] = useKeyState(0);
  const setFocus = (to: number) => setFocusNow(Math.min(cas.length - 1, Math.max(0, to)));
  useInput(eachKey((input, key) => {
    if (key.escape) dispatch({ type: 'close-overlay' });
    else if (key.downArrow || input === 'j') setFocus(focusRef.current + 1);
    else if (key.upArrow || input === 'k') setFocus(focusRef.current - 1);
    else if (key.return) {
      const ca = cas[focusRef.current];
      if (!ca || !order) return;
      engine.switchCa(orderId, ca.id);
      dispatch({ type: 'close-overlay' });
      dispatch({ type: 'flash', flash: { text: `Re-issuing ${namesSummary(order.domains)} at ${ca.name}…`, tone: 'info' } });
    }
  }));
  if (!order) return <Text>That order is gone.</Text>;
  if (cas.length === 0) {
    return (
      <Box flexDirection="column">
        <Text {...theme.tone('warn')}>No other CA in the catalog to switch to.</Text>
        <Text {...theme.tone('muted')}>esc close</Text>
      </Box>
    );
  }
  const focused = cas[focus];
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text {...theme.tone('title')}>Switch CA</Text> for {namesSummary(order.domains)} (now {order.caName}):
      </Text>
      <ChoiceList choices={cas.map(caChoice)} focus={focus} labelWidth={choiceLabelWidth(cas.map((ca) => ca.name))} />
      {focused && focused.notes.length > 0 ? (
        <Text {...theme.tone('muted')} wrap="truncate-end">
          {focused.notes.join(' ')}
        </Text>
      ) : null}
      <Text {...theme.tone('muted')}>↑↓ j k choose · enter switch · esc keep {order.caName}</Text>
    </Box>
  );
}
