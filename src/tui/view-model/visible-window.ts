/**
 * Which items of a list fit on screen so that the selected one is visible. Items may be taller than one line
 * (an order row is two), so the window is chosen by height, keeping the selection roughly in view as it moves.
 */
export interface VisibleWindow {
  start: number;
  /** Exclusive. */
  end: number;
}

export function visibleWindow(heights: readonly number[], selected: number, capacity: number): VisibleWindow {
  return visibleWindowBy(heights.length, (i) => heights[i] ?? 1, selected, capacity);
}

/**
 * visibleWindow over `count` items whose heights are asked for one by one: only the items near the selection (and
 * at most a screenful from the top) are measured, so a list of thousands costs what a screenful does.
 */
export function visibleWindowBy(count: number, heightOf: (index: number) => number, selected: number, capacity: number): VisibleWindow {
  if (count === 0) return { start: 0, end: 0 };
  let total = 0;
  for (let i = 0; i < count && total <= capacity; i++) total += heightOf(i);
  if (total <= capacity) return { start: 0, end: count };
  const sel = Math.min(Math.max(0, selected), count - 1);
  let start = sel;
  let end = sel + 1;
  let used = heightOf(sel);
  // Grow downwards first so the next items are in sight, then upwards to use the space that is left.
  while (end < count && used + heightOf(end) <= capacity && end - sel < 2) used += heightOf(end++);
  while (start > 0 && used + heightOf(start - 1) <= capacity) used += heightOf(--start);
  while (end < count && used + heightOf(end) <= capacity) used += heightOf(end++);
  return { start, end };
}

/** Start offset of a scrolled text view, clamped so the view never scrolls past its last line. */
export function clampScroll(offset: number, lineCount: number, height: number): number {
  return Math.max(0, Math.min(offset, Math.max(0, lineCount - height)));
}
