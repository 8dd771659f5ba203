import { render as renderInk } from 'ink-testing-library';
import type { ReactElement } from 'react';
import type { Clock } from '../../src/engine/core/clock.js';
import type { EngineApi } from '../../src/engine/api.js';
import { App } from '../../src/tui/App.js';
import type { DomainValidator, TuiMode } from '../../src/tui/types.js';

/**
 * ink-testing-library with what it lacks (style-anchors: "relying on it alone: no act, no wait helper, fixed 100
 * columns"): a terminal size of our choosing (resizable), named keys, and `waitForFrame`, which polls the last
 * frame over short real delays until a predicate holds (Ink needs a turn or two of the event loop after input).
 */

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  shiftTab: '\u001B[Z',
  backspace: '\u007F',
  ctrlC: '\u0003',
} as const;

export interface TerminalSizeOptions {
  /** @default 100 */
  columns?: number;
  /** @default 30 */
  rows?: number;
}

export interface RenderedTui {
  lastFrame(): string;
  frames: string[];
  /** Writes raw input (a key from KEYS, a letter, or pasted text). */
  press(input: string): void;
  /** Types text one character at a time, as a person would. */
  type(text: string): Promise<void>;
  waitForFrame(predicate: (frame: string) => boolean, what?: string, timeoutMs?: number): Promise<string>;
  /** Waits until the frame contains `text`. */
  waitForText(text: string, timeoutMs?: number): Promise<string>;
  resize(columns: number, rows: number): void;
  unmount(): void;
}

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function renderTui(node: ReactElement, size: TerminalSizeOptions = {}): RenderedTui {
  const dims = { columns: size.columns ?? 100, rows: size.rows ?? 30 };
  // Mount nothing first, so the real tree's first render already sees the size set below.
  const ink = renderInk(<></>);
  Object.defineProperty(ink.stdout, 'columns', { configurable: true, get: () => dims.columns });
  Object.defineProperty(ink.stdout, 'rows', { configurable: true, get: () => dims.rows });
  ink.rerender(node);

  // On unmount Ink (debug mode) writes a lone newline and an empty flush barrier; the frame left on screen is the
  // one before them.
  const lastFrame = () => ink.frames.filter((f) => f !== '\n' && f !== '').at(-1) ?? '';
  const waitForFrame = async (predicate: (frame: string) => boolean, what = 'the expected frame', timeoutMs = 3000): Promise<string> => {
    const started = performance.now();
    for (;;) {
      const frame = lastFrame();
      if (predicate(frame)) return frame;
      if (performance.now() - started > timeoutMs) {
        throw new Error(`Timed out after ${timeoutMs}ms waiting for ${what}. Last frame:\n${frame}`);
      }
      await tick(5);
    }
  };
  return {
    lastFrame,
    frames: ink.frames,
    press: (input) => ink.stdin.write(input),
    async type(text) {
      for (const ch of text) {
        ink.stdin.write(ch);
        await tick(1);
      }
    },
    waitForFrame,
    waitForText: (text, timeoutMs) => waitForFrame((f) => f.includes(text), JSON.stringify(text), timeoutMs),
    resize(columns, rows) {
      dims.columns = columns;
      dims.rows = rows;
      ink.stdout.emit('resize');
    },
    unmount: () => ink.unmount(),
  };
}

/** Accepts names made of letters, digits, dots and hyphens; enough to drive the form's validation in tests. */
export const testValidateDomain: DomainValidator = (raw) => {
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  if (name.includes('_')) return { ok: false, reason: 'underscores are not allowed in host names' };
  if (!/^[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(name)) return { ok: false, reason: 'not a domain name' };
  return { ok: true, name };
};

export interface RenderedApp extends RenderedTui {
  /** The code the UI exited with, once it has. */
  exitCode(): number | undefined;
  waitForExit(timeoutMs?: number): Promise<number>;
}

/** The whole TUI (App) over an engine and a clock, as runTui would mount it, minus the real terminal. */
export function renderApp(
  engine: EngineApi,
  opts: { clock: Clock; mode?: TuiMode; color?: boolean; validateDomain?: DomainValidator } & TerminalSizeOptions,
): RenderedApp {
  let code: number | undefined;
  const rendered = renderTui(
    <App
      engine={engine}
      clock={opts.clock}
      mode={opts.mode ?? { kind: 'dashboard' }}
      validateDomain={opts.validateDomain ?? testValidateDomain}
      color={opts.color ?? true}
      onExit={(c) => {
        code = c;
      }}
    />,
    opts,
  );
  return {
    ...rendered,
    exitCode: () => code,
    async waitForExit(timeoutMs = 3000) {
      const started = performance.now();
      while (code === undefined) {
        if (performance.now() - started > timeoutMs) throw new Error(`UI did not exit within ${timeoutMs}ms. Last frame:\n${rendered.lastFrame()}`);
        await tick(5);
      }
      return code;
    },
  };
}
