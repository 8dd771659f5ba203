import { useEffect, useState } from 'react';
import type { Clock } from '../../engine/core/clock.js';

/**
 * The screen's one clock tick. Every countdown on a screen is derived from this single `now` (deadline - now), so
 * the screen re-renders once per second however many rows it shows, and a test moves all of them by advancing its
 * ManualClock. Ticks land on whole seconds of the clock so every countdown changes in the same frame.
 *
 * @param periodMs how often `now` moves. @default 1000
 */
export function useNow(clock: Clock, periodMs = 1000): number {
  const [now, setNow] = useState(() => clock.now());
  useEffect(() => {
    const stop = new AbortController();
    setNow(clock.now());
    const tick = async (): Promise<void> => {
      while (!stop.signal.aborted) {
        const delay = periodMs - (clock.now() % periodMs);
        try {
          await clock.sleep(delay === 0 ? periodMs : delay, stop.signal);
        } catch {
          return; // aborted: the screen went away
        }
        setNow(clock.now());
      }
    };
    void tick();
    return () => stop.abort();
  }, [clock, periodMs]);
  return now;
}
