import { defaultTheme, extendTheme, type Theme as UiTheme } from '@inkjs/ui';

/**
 * Colours and symbols in one place. Every status has a symbol and a word as well as a colour, so nothing is told
 * by colour alone; with NO_COLOR (https://no-color.org) the palette is empty and no styling is sent at all.
 */

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted' | 'accent' | 'title' | 'key' | 'selected';

export interface TextStyle {
  color?: string;
  bold?: boolean;
  dimColor?: boolean;
}

export interface Theme {
  color: boolean;
  /** Props for an Ink <Text> in this tone. */
  tone(tone: Tone): TextStyle;
  /** Theme for @inkjs/ui widgets, without colours under NO_COLOR. */
  ui: UiTheme;
}

const PALETTE: Record<Tone, TextStyle> = {
  ok: { color: 'green' },
  warn: { color: 'yellow' },
  bad: { color: 'red' },
  info: { color: 'cyan' },
  muted: { dimColor: true },
  accent: { color: 'magenta' },
  title: { bold: true },
  key: { color: 'cyan', bold: true },
  selected: { bold: true },
};

export const SYMBOLS = {
  cursor: '›',
  queued: '○',
  running: '◐',
  hung: '⚠',
  ok: '✔',
  bad: '✖',
  warn: '!',
  cancelled: '⊘',
  abandoned: '↷',
  barFull: '█',
  barEmpty: '░',
  dot: '·',
} as const;

const plain = (): Record<string, unknown> => ({});

const MONOCHROME_UI: UiTheme = extendTheme(defaultTheme, {
  components: {
    Select: {
      styles: { selectedIndicator: plain, focusIndicator: plain, label: plain, highlightedText: plain },
    },
    ConfirmInput: { styles: { input: plain } },
  },
});

export function createTheme(color: boolean): Theme {
  return {
    color,
    tone: color ? (t) => PALETTE[t] : () => ({}),
    ui: color ? defaultTheme : MONOCHROME_UI,
  };
}

/**
 * NO_COLOR turns colour off when it is set to anything but the empty string (no-color.org); FORCE_COLOR=0 too,
 * as chalk reads it.
 */
export function colorAllowed(env: Record<string, string | undefined>): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] === '0' || env['FORCE_COLOR'] === 'false') return false;
  return true;
}
