/**
 * Text that came from outside (a CA's problem detail, its terms-of-service URL, a name in an order, a hook's
 * output) is shown in a terminal and written to logs. An escape sequence there can clear the screen, retitle the
 * window or hide lines, and a newline can forge a line in a cron log. Everything that reaches a view or a log from
 * outside goes through `stripControl` first: escape sequences are dropped whole, line breaks and tabs become
 * spaces, other control characters (C0, DEL, C1) and bidirectional overrides are removed.
 */

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte escapes, and the 8-bit CSI/OSC introducers.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]|\u009b[0-?]*[ -/]*[@-~]|\u009d[^\u0007\u009c]*[\u0007\u009c]?/g;
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function stripControl(text: string): string {
  return text.replace(ESCAPES, '').replace(BREAKS, ' ').replace(CONTROLS, '');
}

/** A short, single-line, sanitised excerpt of a response body for an error message (never the whole body). */
export function excerpt(text: string, max = 120): string {
  const clean = stripControl(text).replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
