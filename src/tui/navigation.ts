/**
 * Where the operator is: a stack of screens (Esc pops), at most one overlay (help, a confirmation, the CA picker,
 * the quit prompt), the dashboard's selection and a one-line message about the last action. A pure reducer, so the
 * key handling of every screen is a dispatch and nothing else.
 */

import type { RenewTarget } from './view-model/issue-form.js';

export type Route =
  | { screen: 'home' }
  | { screen: 'order'; orderId: string }
  /** The full timeline of one order, or the engine's own log when no order is given. */
  | { screen: 'log'; orderId?: string }
  | { screen: 'deploy'; certName: string }
  /** A certificate's recorded orders (kept across restarts), or with `orderId` one order's full recorded timeline. */
  | { screen: 'history'; certName: string; orderId?: string }
  /** The form that adds a deploy target to a certificate; a screen of its own so Esc leaves it like any other. */
  | { screen: 'deploy-add'; certName: string }
  /** The doctor's checks, live: for one certificate, or for everything when none is given. */
  | { screen: 'doctor'; certName?: string }
  /** Take over another client's (certbot, acme.sh, lego) certificates: preview, then confirm. */
  | { screen: 'import' }
  /** A new order; `renew` fills it in from a managed certificate (same names, same CA, same directory). */
  | { screen: 'issue-form'; renew?: RenewTarget }
  /** The guided setup: names, checks, CA, account, challenge, key, deploy, schedule, review, run. */
  | { screen: 'setup' };

export type Overlay =
  | { kind: 'help' }
  | { kind: 'confirm-cancel'; orderId: string }
  | { kind: 'switch-ca'; orderId: string }
  | { kind: 'confirm-remove-target'; certName: string; targetId: string; label: string }
  | { kind: 'confirm-cancel-deploy'; certName: string }
  | { kind: 'confirm-retry-early'; orderId: string }
  | { kind: 'quit'; exitCode: number };

export interface Flash {
  text: string;
  tone: 'ok' | 'warn' | 'bad' | 'info';
}

export interface NavigationState {
  stack: Route[];
  overlay?: Overlay;
  /** Key of the selected dashboard row (see dashboard-items.ts), and where it was, for when the row goes away. */
  selectedKey?: string;
  selectedIndex: number;
  flash?: Flash;
  /** Set while the UI is shutting down (stopping orders, waiting for a final result). */
  leaving?: string;
}

export type NavigationAction =
  | { type: 'open'; route: Route }
  | { type: 'back' }
  | { type: 'home' }
  | { type: 'overlay'; overlay: Overlay }
  | { type: 'close-overlay' }
  | { type: 'select'; key: string | undefined; index: number }
  /** Moves the selection by `delta` rows over `keys` (the rows as shown); ±Infinity jumps to an end. */
  | { type: 'move'; delta: number; keys: readonly string[] }
  | { type: 'flash'; flash: Flash }
  | { type: 'leaving'; message: string };

export const initialNavigation: NavigationState = { stack: [{ screen: 'home' }], selectedIndex: 0 };

export function currentRoute(state: NavigationState): Route {
  return state.stack[state.stack.length - 1] ?? { screen: 'home' };
}

export function navigationReducer(state: NavigationState, action: NavigationAction): NavigationState {
  switch (action.type) {
    case 'open': {
      const { flash: _f, overlay: _o, ...rest } = state;
      return { ...rest, stack: [...state.stack, action.route] };
    }
    case 'back': {
      if (state.overlay) {
        const { overlay: _o, ...rest } = state;
        return rest;
      }
      if (state.stack.length <= 1) return state;
      const { flash: _f, ...rest } = state;
      return { ...rest, stack: state.stack.slice(0, -1) };
    }
    case 'home': {
      const { flash: _f, overlay: _o, ...rest } = state;
      return { ...rest, stack: [{ screen: 'home' }] };
    }
    case 'overlay':
      return { ...state, overlay: action.overlay };
    case 'close-overlay': {
      const { overlay: _o, ...rest } = state;
      return rest;
    }
    case 'select':
      if (state.selectedKey === action.key && state.selectedIndex === action.index) return state;
      return { ...state, ...(action.key === undefined ? {} : { selectedKey: action.key }), selectedIndex: action.index };
    case 'move': {
      if (action.keys.length === 0) return state;
      const at = state.selectedKey === undefined ? -1 : action.keys.indexOf(state.selectedKey);
      const from = at >= 0 ? at : Math.min(state.selectedIndex, action.keys.length - 1);
      const index = Math.min(action.keys.length - 1, Math.max(0, from + action.delta));
      return { ...state, selectedKey: action.keys[index]!, selectedIndex: index };
    }
    case 'flash':
      return { ...state, flash: action.flash };
    case 'leaving': {
      const { overlay: _o, ...rest } = state;
      return { ...rest, leaving: action.message };
    }
  }
}
