import { useCallback } from 'react';
import type { OrderView } from '../../engine/state.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { formatSpan } from '../../engine/core/duration.js';
import { caAskedWait, orderAbilities } from '../view-model/order-progress.js';
import { namesSummary } from '../view-model/text.js';

/**
 * The order action keys, the same on every screen that shows an order: r retry now, w keep waiting, c cancel (asks),
 * s switch CA (picker), l log, d deploy view, h recorded history. Returns a handler that says whether it used the key. Each action is
 * one engine call; what happens next shows up in the snapshot. The order is passed per key press, so a key typed
 * right after a move acts on the row the move selected, even before the screen has re-rendered.
 */
export function useOrderKeys(): (input: string, order: OrderView | undefined) => boolean {
  const { engine, clock } = useServices();
  const { dispatch } = useNavigation();
  return useCallback(
    (input: string, order: OrderView | undefined) => {
      if (!order) return false;
      const can = orderAbilities(order);
      const name = namesSummary(order.domains);
      const refuse = (text: string) => dispatch({ type: 'flash', flash: { text, tone: 'warn' } });
      switch (input) {
        case 'r':
          if (!can.retryNow) refuse(`Nothing to retry: ${name} is ${order.phase === 'done' ? 'done' : `not waiting (${order.phase})`}.`);
          // The CA asked for this wait (Retry-After): say until when, and ask before going early.
          else if (caAskedWait(order, clock.now())) dispatch({ type: 'overlay', overlay: { kind: 'confirm-retry-early', orderId: order.id } });
          else {
            engine.retryNow(order.id);
            dispatch({ type: 'flash', flash: { text: order.retry ? `Retrying ${order.retry.operation} for ${name} now.` : `Polling ${name} now.`, tone: 'info' } });
          }
          return true;
        case 'w':
          if (!can.keepWaiting || !order.wait) refuse(`${name} is not waiting on the CA.`);
          else {
            engine.keepWaiting(order.id);
            const extra = formatSpan(order.policy.deadlines[order.wait.phase]);
            dispatch({ type: 'flash', flash: { text: `Keeping on: ${order.wait.phase} deadline for ${name} pushed out by ${extra}.`, tone: 'info' } });
          }
          return true;
        case 'c':
          if (!can.cancel) refuse(`${name} has already ended (${order.phase}).`);
          else dispatch({ type: 'overlay', overlay: { kind: 'confirm-cancel', orderId: order.id } });
          return true;
        case 's':
          if (!can.switchCa) refuse(`${name} is ${order.phase}; there is nothing to re-issue.`);
          else dispatch({ type: 'overlay', overlay: { kind: 'switch-ca', orderId: order.id } });
          return true;
        case 'l':
          dispatch({ type: 'open', route: { screen: 'log', orderId: order.id } });
          return true;
        case 'd':
          dispatch({ type: 'open', route: { screen: 'deploy', certName: order.certName } });
          return true;
        case 'h':
          dispatch({ type: 'open', route: { screen: 'history', certName: order.certName, orderId: order.id } });
          return true;
        default:
          return false;
      }
    },
    [engine, clock, dispatch],
  );
}

/** Key hints for the order keys, offering only what the order can do now. */
export function orderHints(order: OrderView | undefined) {
  const can = order ? orderAbilities(order) : { retryNow: false, keepWaiting: false, cancel: false, switchCa: false };
  return [
    { key: 'r', label: 'retry now', enabled: can.retryNow },
    { key: 'w', label: 'keep waiting', enabled: can.keepWaiting },
    { key: 'c', label: 'cancel', enabled: can.cancel },
    { key: 's', label: 'switch CA', enabled: can.switchCa },
    { key: 'l', label: 'log', enabled: order !== undefined },
    { key: 'd', label: 'deploy', enabled: order !== undefined },
    { key: 'h', label: 'history', enabled: order !== undefined },
  ];
}
