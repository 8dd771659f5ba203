/**
 * Column widths that depend on what is on screen. The CA column fits the longest CA name among the rows shown, up
 * to a cap that leaves the names column its room: a 100-column terminal should read "Local sandbox (Pebble)",
 * not "Local sandbo…", while one row's long name never pushes the columns of the others out of line.
 */

/** Narrowest CA column; also what 80-column terminals get at most. */
const CA_MIN = 10;
const CA_NARROW_MAX = 14;
const CA_ROOMY_MAX = 24;
/** From this width on there is room for a longer CA column. */
const ROOMY_COLUMNS = 96;

export function caColumnWidth(caNames: readonly string[], columns: number): number {
  const longest = caNames.reduce((max, name) => Math.max(max, [...name].length), 0);
  const cap = columns >= ROOMY_COLUMNS ? CA_ROOMY_MAX : CA_NARROW_MAX;
  return Math.max(CA_MIN, Math.min(cap, longest));
}

/** Label column of a choice list: the longest label, within bounds, so "Local sandbox B (second Pebble)" fits. */
export function choiceLabelWidth(labels: readonly string[]): number {
  const longest = labels.reduce((max, label) => Math.max(max, [...label].length), 0);
  return Math.max(20, Math.min(34, longest));
}
