/**
 * Text from a hook or a DNS server reaches events, logs and the terminal: C0/C1 control characters (escape
 * sequences included) are dropped first, so a hostile or confused script cannot move the cursor or recolour the TUI.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function stripControl(text: string): string {
  return text.replace(CONTROL, '');
}
