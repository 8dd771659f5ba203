import { useWindowSize } from 'ink';

/** Smallest layout the screens are designed for; below it they still render, just cut off. */
export const MIN_COLUMNS = 40;
export const MIN_ROWS = 12;

/** Width at which screens add columns (dates, issuers, full name lists) instead of only stretching. */
export const WIDE_COLUMNS = 110;

export interface TerminalSize {
  columns: number;
  rows: number;
  wide: boolean;
}

/** The terminal's size, following resizes. */
export function useTerminalSize(): TerminalSize {
  const { columns, rows } = useWindowSize();
  const c = Math.max(MIN_COLUMNS, columns);
  return { columns: c, rows: Math.max(MIN_ROWS, rows), wide: c >= WIDE_COLUMNS };
}
