import { useWindowSize } from 'ink';

/**
 * Smallest terminal the screens are laid out for (every screen readable from 60x15 to 200x50). Below it the frame
 * shows a "terminal too small" notice instead of a screen that overflows and leaves stale lines behind.
 */
export const MIN_COLUMNS = 60;
export const MIN_ROWS = 15;

/** Width at which screens add columns (dates, issuers, full name lists) instead of only stretching. */
export const WIDE_COLUMNS = 110;

export interface TerminalSize {
  /** At least MIN_COLUMNS: what screens lay out for. */
  columns: number;
  /** At least MIN_ROWS. */
  rows: number;
  wide: boolean;
  /** The terminal as it really is, and whether that is below the minimum. */
  actual: { columns: number; rows: number };
  tooSmall: boolean;
}

/** The terminal's size, following resizes. */
export function useTerminalSize(): TerminalSize {
  const { columns, rows } = useWindowSize();
  const c = Math.max(MIN_COLUMNS, columns);
  return {
    columns: c,
    rows: Math.max(MIN_ROWS, rows),
    wide: c >= WIDE_COLUMNS,
    actual: { columns, rows },
    tooSmall: columns < MIN_COLUMNS || rows < MIN_ROWS,
  };
}
