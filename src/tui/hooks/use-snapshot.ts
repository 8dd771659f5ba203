import { useCallback, useMemo, useSyncExternalStore } from 'react';
import type { EngineApi } from '../../engine/api.js';
import type { Snapshot } from '../../engine/state.js';

type Subscribe = (listener: () => void) => () => void;

/**
 * Collapses a burst of change notifications (an order poll emits several events back to back) into one call on
 * the next turn of the event loop, so a burst costs one render, not one per event.
 */
export function coalesce(subscribe: Subscribe): Subscribe {
  return (listener) => {
    let pending = false;
    let active = true;
    const unsubscribe = subscribe(() => {
      if (pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        if (active) listener();
      });
    });
    return () => {
      active = false;
      unsubscribe();
    };
  };
}

/** The engine's snapshot, re-read whenever the engine says it changed. Views read it and nothing else. */
export function useSnapshot(engine: EngineApi): Snapshot {
  const subscribe = useMemo(() => coalesce((listener) => engine.subscribe(listener)), [engine]);
  const getSnapshot = useCallback(() => engine.getSnapshot(), [engine]);
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
