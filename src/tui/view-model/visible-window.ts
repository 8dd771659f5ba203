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
  const count = heights.length;
  if (count === 0) return { start: 0, end: 0 };
  const total = heights.reduce((a, b) => a + b, 0);
  if (total <= capacity) return { start: 0, end: count };
  const sel = Math.min(Math.max(0, selected), count - 1);
  let start = sel;
  let end = sel + 1;
  let used = heights[sel] ?? 1;
  // Grow downwards first so the next items are in sight, then upwards to use the space that is left.
  while (end < count && used + (heights[end] ?? 1) <= capacity && end - sel < 2) used += heights[end++] ?? 1;
  while (start > 0 && used + (heights[start - 1] ?? 1) <= capacity) used += heights[--start] ?? 1;
  while (end < count && used + (heights[end] ?? 1) <= capacity) used += heights[end++] ?? 1;
  return { start, end };
}

/** Start offset of a scrolled text view, clamped so the view never scrolls past its last line. */
export function clampScroll(offset: number, lineCount: number, height: number): number {
  return Math.max(0, Math.min(offset, Math.max(0, lineCount - height)));
}
