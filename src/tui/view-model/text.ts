/**
 * Small text helpers for fixed-width layouts. Widths count UTF-16 code units, which is right for the ASCII and
 * single-width symbols the TUI prints; Ink itself wraps and truncates what goes inside a sized Box.
 */

/** Cuts `text` to `width` columns, ending with "…" when something was cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  if (width === 1) return '…';
  return `${text.slice(0, width - 1)}…`;
}

/** Keeps the end of a path or URL, which is the part that tells two apart: "…/acme/order/123". */
export function truncateStart(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  if (width === 1) return '…';
  return `…${text.slice(text.length - width + 1)}`;
}

/** "example.com", "example.com +2": the first name and how many more the certificate covers. */
export function namesSummary(domains: readonly string[]): string {
  const [first, ...rest] = domains;
  if (first === undefined) return '(no names)';
  return rest.length === 0 ? first : `${first} +${rest.length}`;
}

/** The path of a URL (what differs between ACME requests), or the text as given when it is not a URL. */
export function urlPath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

/** Escape sequences that set colours and text attributes (SGR), which NO_COLOR asks us not to send. */
// eslint-disable-next-line no-control-regex
const SGR = /\u001B\[[\d;:]*m/g;
// eslint-disable-next-line no-control-regex
const INVERSE_CELL = /\u001B\[7m([^\u001B]*)\u001B\[27m/g;

/**
 * Text without colours or attributes. An input widget marks its cursor by inverting a cell; without attributes a
 * cursor on an empty cell would vanish, so it becomes "_".
 */
export function stripStyles(text: string): string {
  return text.replace(INVERSE_CELL, (_m, cell: string) => (cell === ' ' ? '_' : cell)).replace(SGR, '');
}
