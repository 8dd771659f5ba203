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

/** A scrolled text view: where it starts, and whether it sticks to the last line as lines arrive. */
export interface ScrollView {
  offset: number;
  follow: boolean;
}

/** The keys every scrolled text view answers; the subset of Ink's Key they read. */
interface ScrollKey {
  upArrow: boolean;
  downArrow: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home?: boolean;
  end?: boolean;
}

/**
 * Where a scroll key moves the top line (j/k and arrows a line, space/b and page keys a page, g/G and home/end the
 * ends), or undefined when the key is not a scroll key.
 */
export function scrollTarget(input: string, key: ScrollKey): ((top: number, height: number) => number) | undefined {
  if (key.downArrow || input === 'j') return (top) => top + 1;
  if (key.upArrow || input === 'k') return (top) => top - 1;
  if (key.pageDown || input === ' ') return (top, height) => top + height;
  if (key.pageUp || input === 'b') return (top, height) => top - height;
  if (key.home || input === 'g') return () => 0;
  if (key.end || input === 'G') return () => Number.MAX_SAFE_INTEGER;
  return undefined;
}

/** The view scrolled to `to`, clamped; scrolling to the last line follows new lines again. */
export function scrollTo(view: ScrollView, to: (top: number, height: number) => number, lineCount: number, height: number): ScrollView {
  const top = view.follow ? Math.max(0, lineCount - height) : clampScroll(view.offset, lineCount, height);
  const offset = clampScroll(to(top, height), lineCount, height);
  return { offset, follow: offset >= Math.max(0, lineCount - height) };
}
