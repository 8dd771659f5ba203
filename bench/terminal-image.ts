/**
 * A terminal screen (tmux `capture-pane -p -e`: text with SGR colour sequences) drawn as a PNG with ImageMagick:
 * every cell at its own column, so the picture lines up exactly as the terminal did whatever the font's metrics.
 *
 *   await screenToPng(await term.captureWithColour(), 'assets/screenshots/dashboard.png', { columns: 100, rows: 30 });
 *
 * Needs ImageMagick's `convert` (apt-get install imagemagick) and the DejaVu Sans Mono font; `imageMagickAvailable()`
 * says whether both are there.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface Style {
  fg?: string;
  bg?: string;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
}

export interface Cell {
  char: string;
  style: Style;
}

/** A dark palette for the 16 ANSI colours (normal, then bright). */
const ANSI_16 = [
  '#3b4048', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#dcdfe4',
  '#5c6370', '#ff7b86', '#b5e890', '#ffd68a', '#7cc4ff', '#de9cf0', '#7fd4de', '#ffffff',
];
const DEFAULT_FG = '#d7dae0';
const DEFAULT_BG = '#1e2127';
const FONT = 'DejaVu-Sans-Mono';
const FONT_BOLD = 'DejaVu-Sans-Mono-Bold';

/** xterm's 256-colour table: 16 ANSI, a 6x6x6 cube, then 24 greys. */
function color256(n: number): string {
  if (n < 16) return ANSI_16[n]!;
  if (n < 232) {
    const v = n - 16;
    const level = (c: number) => (c === 0 ? 0 : 55 + c * 40);
    return rgb(level(Math.floor(v / 36)), level(Math.floor(v / 6) % 6), level(v % 6));
  }
  const grey = 8 + (n - 232) * 10;
  return rgb(grey, grey, grey);
}

function rgb(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((c) => Math.max(0, Math.min(255, c)).toString(16).padStart(2, '0')).join('')}`;
}

/** Halfway from `fg` to the background: how a terminal shows dim (SGR 2) text. */
function dimmed(fg: string): string {
  const parse = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const [a, b] = [parse(fg), parse(DEFAULT_BG)];
  return rgb(...(a.map((v, i) => Math.round((v + b[i]!) / 2)) as [number, number, number]));
}

function applySgr(style: Style, params: number[]): Style {
  const s = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p === 0) Object.assign(s, { fg: undefined, bg: undefined, bold: false, dim: false, italic: false, underline: false, inverse: false });
    else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 7) s.inverse = true;
    else if (p === 22) Object.assign(s, { bold: false, dim: false });
    else if (p === 23) s.italic = false;
    else if (p === 24) s.underline = false;
    else if (p === 27) s.inverse = false;
    else if (p >= 30 && p <= 37) s.fg = ANSI_16[p - 30];
    else if (p >= 90 && p <= 97) s.fg = ANSI_16[p - 90 + 8];
    else if (p >= 40 && p <= 47) s.bg = ANSI_16[p - 40];
    else if (p >= 100 && p <= 107) s.bg = ANSI_16[p - 100 + 8];
    else if (p === 39) s.fg = undefined;
    else if (p === 49) s.bg = undefined;
    else if (p === 38 || p === 48) {
      const mode = params[i + 1];
      let value: string | undefined;
      if (mode === 5) {
        value = color256(params[i + 2] ?? 0);
        i += 2;
      } else if (mode === 2) {
        value = rgb(params[i + 2] ?? 0, params[i + 3] ?? 0, params[i + 4] ?? 0);
        i += 4;
      }
      if (p === 38) s.fg = value;
      else s.bg = value;
    }
  }
  return s;
}

/** The screen as rows of cells. Only SGR sequences are expected (capture-pane -e emits nothing else). */
export function parseScreen(ansi: string, columns: number, rows: number): Cell[][] {
  const plain: Style = { bold: false, dim: false, italic: false, underline: false, inverse: false };
  const screen: Cell[][] = [];
  let style = plain;
  for (const line of ansi.replace(/\n$/, '').split('\n').slice(0, rows)) {
    const row: Cell[] = [];
    for (let i = 0; i < line.length; ) {
      const sgr = /^\u001B\[([\d;]*)m/.exec(line.slice(i, i + 32));
      if (sgr) {
        style = applySgr(style, sgr[1] === '' ? [0] : sgr[1]!.split(';').map(Number));
        i += sgr[0].length;
        continue;
      }
      const char = String.fromCodePoint(line.codePointAt(i)!);
      i += char.length;
      if (row.length < columns) row.push({ char, style });
    }
    screen.push(row);
  }
  while (screen.length < rows) screen.push([]);
  return screen;
}

/** MVG text needs its quote, backslash and percent (ImageMagick's own escapes) escaped. */
function mvgText(char: string): string {
  return `"${char.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
}

export interface ScreenImageOptions {
  columns: number;
  rows: number;
  /** @default 16 */
  fontSize?: number;
}

/** ImageMagick drawing commands for the screen, and the picture's size. */
export function screenToMvg(ansi: string, opts: ScreenImageOptions): { mvg: string; width: number; height: number } {
  const fontSize = opts.fontSize ?? 16;
  const cellW = Math.round(fontSize * 0.6021 * 100) / 100; // DejaVu Sans Mono advance: 1233/2048 em
  const cellH = Math.round(fontSize * 1.3);
  const pad = Math.round(fontSize);
  const width = Math.ceil(pad * 2 + cellW * opts.columns);
  const height = Math.ceil(pad * 2 + cellH * opts.rows);
  const out: string[] = [`viewbox 0 0 ${width} ${height}`, `fill "${DEFAULT_BG}"`, `rectangle 0,0 ${width},${height}`, `font-size ${fontSize}`];
  const screen = parseScreen(ansi, opts.columns, opts.rows);
  screen.forEach((row, y) => {
    row.forEach((cell, x) => {
      let fg = cell.style.fg ?? DEFAULT_FG;
      let bg = cell.style.bg;
      if (cell.style.inverse) [fg, bg] = [bg ?? DEFAULT_BG, fg];
      if (cell.style.dim) fg = dimmed(fg);
      const left = pad + x * cellW;
      const top = pad + y * cellH;
      if (bg) out.push(`fill "${bg}"`, `rectangle ${left.toFixed(2)},${top} ${(left + cellW).toFixed(2)},${top + cellH}`);
      if (cell.char !== ' ') {
        out.push(`font "${cell.style.bold ? FONT_BOLD : FONT}"`, `fill "${fg}"`, `text ${left.toFixed(2)},${top + Math.round(cellH * 0.78)} ${mvgText(cell.char)}`);
      }
      if (cell.style.underline) out.push(`fill "${fg}"`, `rectangle ${left.toFixed(2)},${top + cellH - 2} ${(left + cellW).toFixed(2)},${top + cellH - 1}`);
    });
  });
  return { mvg: `${out.join('\n')}\n`, width, height };
}

/** Whether `convert` is the real ImageMagick and knows the font. */
export function imageMagickAvailable(): boolean {
  try {
    const version = execFileSync('convert', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    if (!version.includes('ImageMagick')) return false;
    return execFileSync('convert', ['-list', 'font'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes(`Font: ${FONT}`);
  } catch {
    return false;
  }
}

export async function screenToPng(ansi: string, file: string, opts: ScreenImageOptions): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-shot-'));
  try {
    const { mvg, width, height } = screenToMvg(ansi, opts);
    const mvgFile = path.join(dir, 'screen.mvg');
    await writeFile(mvgFile, mvg);
    // -strip: no timestamps in the file, so an unchanged screen gives an unchanged PNG.
    await run('convert', ['-size', `${width}x${height}`, `mvg:${mvgFile}`, '-strip', '-depth', '8', '-define', 'png:exclude-chunks=date,time', file], { maxBuffer: 16 * 1024 * 1024 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
