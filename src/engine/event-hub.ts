import type { EngineEvent } from './events.js';
import { emptySnapshot, reduce, type Snapshot } from './state.js';

/**
 * Folds events into the snapshot and tells listeners. Event listeners (reporters) hear every event at once;
 * snapshot subscribers (views) are told once per burst, after the current microtask queue drains, so a flurry of
 * CA exchanges becomes one render.
 */
export class EventHub {
  private snapshot: Snapshot = emptySnapshot;
  private readonly eventListeners = new Set<(e: EngineEvent) => void>();
  private readonly snapshotListeners = new Set<() => void>();
  private notifyQueued = false;

  emit = (event: EngineEvent): void => {
    this.snapshot = reduce(this.snapshot, event);
    for (const l of this.eventListeners) l(event);
    if (!this.notifyQueued && this.snapshotListeners.size) {
      this.notifyQueued = true;
      queueMicrotask(() => {
        this.notifyQueued = false;
        for (const l of this.snapshotListeners) l();
      });
    }
  };

  getSnapshot = (): Snapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  };

  onEvent = (listener: (e: EngineEvent) => void): (() => void) => {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  };
}
