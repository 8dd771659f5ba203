import { useCallback, useSyncExternalStore } from 'react';
import type { EngineApi } from '../../engine/api.js';
import type { Snapshot } from '../../engine/state.js';

type Subscribe = (listener: () => void) => () => void;

/**
 * Collapses a burst of change notifications (an order poll emits several events back to back) into one call on
 * the next turn of the event loop, and tells every listener in that one call. Each useSyncExternalStore listener
 * schedules its own synchronous re-render, and React renders those together only when they are scheduled in the
 * same task: a separate deferred call per listener (the screen, the session, an open prompt) made one snapshot
 * change cost one frame per subscriber (bench/tui.ts).
 */
export function coalesce(subscribe: Subscribe): Subscribe {
  const listeners = new Set<() => void>();
  let unsubscribe: (() => void) | undefined;
  let pending = false;
  const notifyAll = () => {
    pending = false;
    for (const listener of [...listeners]) if (listeners.has(listener)) listener();
  };
  return (listener) => {
    listeners.add(listener);
    unsubscribe ??= subscribe(() => {
      if (pending) return;
      pending = true;
      setImmediate(notifyAll);
    });
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) {
        unsubscribe?.();
        unsubscribe = undefined;
      }
    };
  };
}

/** One coalesced subscription per engine, shared by every component that reads the snapshot. */
const sharedSubscriptions = new WeakMap<EngineApi, Subscribe>();

function sharedSubscribe(engine: EngineApi): Subscribe {
  let subscribe = sharedSubscriptions.get(engine);
  if (!subscribe) {
    subscribe = coalesce((listener) => engine.subscribe(listener));
    sharedSubscriptions.set(engine, subscribe);
  }
  return subscribe;
}

/** The engine's snapshot, re-read whenever the engine says it changed. Views read it and nothing else. */
export function useSnapshot(engine: EngineApi): Snapshot {
  const getSnapshot = useCallback(() => engine.getSnapshot(), [engine]);
  return useSyncExternalStore(sharedSubscribe(engine), getSnapshot, getSnapshot);
}
