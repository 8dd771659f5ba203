/**
 * Column widths of the dashboard's certificate and order rows, worked out from the terminal's width, so the rows
 * and their column headers line up, names get the room that is there (not a fixed 17 characters at 120 columns),
 * and no two columns ever touch ("Let's Encrypt (staging)ec-p256"). A width of 0 means the column is left out at
 * this terminal width. Every column but the name has one space before it.
 */

/** Cursor and status symbol, two cells each. */
export const ROW_LEAD = 4;

export interface CertificateColumns {
  name: number;
  /** The other names covered (wide terminals only). */
  extra: number;
  ca: number;
  bar: number;
  left: number;
  date: number;
  status: number;
}

export interface OrderColumns {
  name: number;
  ca: number;
  key: number;
  state: number;
}

const MIN_NAME = 12;
const MIN_EXTRA = 12;

export function certificateColumns(columns: number, caWidth: number, longestName: number, anyExtra: boolean): CertificateColumns {
  const wide = columns >= 110;
  const bar = columns >= 80 ? 8 : 0;
  const date = wide ? 10 : 0;
  const status = wide ? 28 : columns >= 80 ? 20 : 19;
  const left = 5;
  const fixed = ROW_LEAD + (caWidth + 1) + (bar ? bar + 1 : 0) + (left + 1) + (date ? date + 1 : 0) + (status + 1);
  const rest = Math.max(MIN_NAME, columns - fixed);
  // The other names get a column only when the certificate names fit whole beside it: a cut name is worse than
  // "example.com +2".
  const name = Math.max(MIN_NAME, longestName);
  if (wide && anyExtra && rest >= name + 1 + MIN_EXTRA) {
    return { name, extra: rest - name - 1, ca: caWidth, bar, left, date, status };
  }
  return { name: rest, extra: 0, ca: caWidth, bar, left, date, status };
}

export function orderColumns(columns: number, caWidth: number): OrderColumns {
  const key = columns >= 110 ? 8 : 0;
  const state = 24;
  const fixed = ROW_LEAD + (caWidth + 1) + (key ? key + 1 : 0) + (state + 1);
  return { name: Math.max(MIN_NAME, columns - fixed), ca: caWidth, key, state };
}
