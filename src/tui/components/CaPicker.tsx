import { ConfirmInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useMemo, useState } from 'react';
import type { CaInfo } from '../../engine/api.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { eachKey } from '../hooks/use-screen-input.js';
import { useSnapshot } from '../hooks/use-snapshot.js';
import { casForSwitch, isRunningSandboxCa, isSandboxCa, isTestCa } from '../view-model/ca-list.js';
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
 * Switch CA: every catalog CA except the order's own, production and staging/test CAs in groups of their own (the
 * order's own kind first, so a production order never has a staging CA preselected), with what each needs (EAB)
 * and the notes for the one under the cursor. Enter asks first: the order is abandoned only once the new CA has
 * accepted the new one (the engine keeps it resumable until then), and y re-issues the same request there.
 */
export function CaPicker({ orderId }: { orderId: string }) {
  const { engine, theme } = useServices();
  const { dispatch } = useNavigation();
  const order = useSnapshot(engine).orders[orderId];
  const ownIsTest = useMemo(() => {
    const own = engine.listCas().find((ca) => ca.id === order?.caId);
    return own ? isTestCa(own) : false;
  }, [engine, order?.caId]);
  const entries = useMemo(() => (order ? casForSwitch(engine.listCas(), order, ownIsTest) : []), [engine, order, ownIsTest]);
  const cas = entries.map((e) => e.ca);
  const [focus, focusRef, setFocusNow] = useKeyState(0);
  const [confirming, setConfirming] = useState<CaInfo>();
  const setFocus = (to: number) => setFocusNow(Math.min(cas.length - 1, Math.max(0, to)));
  useInput(
    eachKey((input, key) => {
      if (key.escape) dispatch({ type: 'close-overlay' });
      else if (key.downArrow || input === 'j') setFocus(focusRef.current + 1);
      else if (key.upArrow || input === 'k') setFocus(focusRef.current - 1);
      else if (key.return) {
        const ca = cas[focusRef.current];
        if (ca && order) setConfirming(ca);
      }
    }),
    { isActive: confirming === undefined },
  );
  useInput(
    (_input, key) => {
      if (key.escape) setConfirming(undefined);
    },
    { isActive: confirming !== undefined },
  );
  if (!order) return <Text>That order is gone.</Text>;
  if (confirming) {
    const toTest = isTestCa(confirming) && !ownIsTest;
    const go = () => {
      engine.switchCa(orderId, confirming.id);
      dispatch({ type: 'close-overlay' });
      dispatch({ type: 'flash', flash: { text: `Re-issuing ${namesSummary(order.domains)} at ${confirming.name}…`, tone: 'info' } });
    };
    return (
      <Box flexDirection="column">
        <Text wrap="truncate-end">
          <Text {...theme.tone('warn')}>Switch {namesSummary(order.domains)}</Text> from {order.caName} to {confirming.name}?
        </Text>
        {toTest ? (
          <Text {...theme.tone('bad')} wrap="truncate-end">
            {confirming.name} is a staging/test CA: its certificates are not trusted by browsers.
          </Text>
        ) : null}
        <Text {...theme.tone('muted')} wrap="wrap">
          The {order.caName} order stays resumable until {confirming.name} accepts the new one.
        </Text>
        <Box>
          <Text>y switch · n keep {order.caName}: </Text>
          <ConfirmInput defaultChoice="cancel" onConfirm={go} onCancel={() => setConfirming(undefined)} />
        </Box>
      </Box>
    );
  }
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
      <ChoiceList choices={entries.map((e) => ({ ...caChoice(e.ca), group: e.group }))} focus={focus} visible={5} labelWidth={choiceLabelWidth(cas.map((ca) => ca.name))} />
      {focused && focused.notes.length > 0 ? (
        <Text {...theme.tone('muted')} wrap="truncate-end">
          {focused.notes.join(' ')}
        </Text>
      ) : null}
      <Text {...theme.tone('muted')}>↑↓ j k choose · enter switch (asks first) · esc keep {order.caName}</Text>
    </Box>
  );
}
