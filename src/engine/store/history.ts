import { appendFileSync, chmodSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HistoryRecord } from '../history-view.js';
import { assertCertName } from '../names.js';
import { errnoCode, storageError } from './atomic.js';
import type { StatePaths } from './paths.js';

/**
 * The order history: every event and CA exchange of every order of a certificate, one JSON object per line in
 * `history/<certName>.ndjson` (0600, directory 0700), so an operator can read what the CA said after a restart, a
 * crash or a cron run. Appends are synchronous: a line is on disk before the next event happens, so even a SIGKILL
 * leaves the timeline up to that moment. Bounded: past MAX_BYTES the file is rewritten with the last ORDERS_KEPT
 * orders (fewer if those alone are too big), so it never grows without end.
 *
 * Callers pass records already cleaned of secrets and control characters (history-record.ts).
 */

export type { HistoryRecord };

/** Size at which a history file is compacted. */
export const HISTORY_MAX_BYTES = 2 * 1024 * 1024;
/** Orders a compaction keeps (the newest ones, whole). */
export const HISTORY_ORDERS_KEPT = 20;

export function historyFile(paths: StatePaths, certName: string): string {
  return path.join(paths.historyDir, `${assertCertName(certName)}.ndjson`);
}

/** Appends one record now (synchronously); compacts the file first when it holds too much. */
export class HistoryWriter {
  private readonly files = new Map<string, { size: number; orders: Set<string> }>();

  constructor(
    private readonly paths: StatePaths,
    private readonly limits: { maxBytes: number; ordersKept: number } = { maxBytes: HISTORY_MAX_BYTES, ordersKept: HISTORY_ORDERS_KEPT },
  ) {}

  append(record: HistoryRecord): void {
    const file = historyFile(this.paths, record.certName);
    const line = `${JSON.stringify(record)}\n`;
    let state = this.files.get(file);
    if (state === undefined) {
      try {
        mkdirSync(this.paths.historyDir, { recursive: true, mode: 0o700 });
      } catch (err) {
        throw storageError(err, this.paths.historyDir, 'create');
      }
      state = { size: sizeOf(file), orders: new Set(ordersIn(file)) };
    }
    const newOrder = 'orderId' in record && record.orderId !== undefined && !state.orders.has(record.orderId) ? record.orderId : undefined;
    if (state.size + line.length > this.limits.maxBytes || (newOrder !== undefined && state.orders.size >= this.limits.ordersKept)) {
      // Room for the new order: keep one fewer than the limit when a new one starts.
      state = compactSync(file, { ...this.limits, ordersKept: newOrder !== undefined ? this.limits.ordersKept - 1 : this.limits.ordersKept });
    }
    try {
      appendFileSync(file, line, { mode: 0o600 });
      // appendFile's mode applies only to a file it creates: one left by hand or an older version is tightened too.
      if (state.size === 0) chmodSync(file, 0o600);
    } catch (err) {
      throw storageError(err, file, 'write');
    }
    if (newOrder !== undefined) state.orders.add(newOrder);
    this.files.set(file, { size: state.size + Buffer.byteLength(line), orders: state.orders });
  }
}

function ordersIn(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw storageError(err, file, 'read');
  }
  return [...new Set(parseHistory(text).flatMap((r) => ('orderId' in r && r.orderId !== undefined ? [r.orderId] : [])))];
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 0;
    throw storageError(err, file, 'read');
  }
}

/**
 * Keeps the newest orders whole (and the certificate-level lines since the oldest kept one) within half the size
 * limit, so compaction is rare. Returns the new size. Written atomically: a reader sees the old file or the new one.
 */
function compactSync(file: string, limits: { maxBytes: number; ordersKept: number }): { size: number; orders: Set<string> } {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const orderOf = (line: string): string | undefined => {
    try {
      return (JSON.parse(line) as { orderId?: string }).orderId;
    } catch {
      return undefined;
    }
  };
  const orders: string[] = [];
  for (const line of lines) {
    const id = orderOf(line);
    if (id !== undefined && !orders.includes(id)) orders.push(id);
  }
  let kept = orders.slice(-Math.max(1, limits.ordersKept));
  let out = keepOrders(lines, kept, orderOf);
  while (kept.length > 1 && Buffer.byteLength(out) > limits.maxBytes / 2) {
    kept = kept.slice(1);
    out = keepOrders(lines, kept, orderOf);
  }
  if (Buffer.byteLength(out) > limits.maxBytes / 2) out = tail(out, limits.maxBytes / 2);
  writeSyncAtomic(file, out);
  return { size: Buffer.byteLength(out), orders: new Set(kept) };
}

function keepOrders(lines: string[], kept: string[], orderOf: (line: string) => string | undefined): string {
  const keep = new Set(kept);
  const first = lines.findIndex((l) => {
    const id = orderOf(l);
    return id !== undefined && keep.has(id);
  });
  const out = lines.filter((l, i) => {
    const id = orderOf(l);
    return id === undefined ? first >= 0 && i >= first : keep.has(id);
  });
  return out.length ? `${out.join('\n')}\n` : '';
}

/** The last whole lines of `text` that fit in `bytes` (one order alone larger than the limit). */
function tail(text: string, bytes: number): string {
  const lines = text.split('\n').filter(Boolean);
  const out: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    size += Buffer.byteLength(lines[i]!) + 1;
    if (size > bytes) break;
    out.unshift(lines[i]!);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function writeSyncAtomic(file: string, text: string): void {
  // Compaction is rare and small (MAX_BYTES); doing it synchronously keeps appends strictly ordered after it.
  const temp = `${file}.${process.pid}.compact`;
  appendFileSync(temp, text, { mode: 0o600, flag: 'w' });
  renameSyncSafe(temp, file);
}

function renameSyncSafe(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    throw storageError(err, to, 'write');
  }
}

/** Every record in a certificate's history, oldest first; lines that do not parse are skipped. */
export async function readHistoryFile(paths: StatePaths, certName: string): Promise<HistoryRecord[]> {
  const file = historyFile(paths, certName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw storageError(err, file, 'read');
  }
  return parseHistory(text);
}

export function parseHistory(text: string): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as Partial<HistoryRecord>;
      if (r && typeof r === 'object' && typeof r.type === 'string' && typeof r.at === 'number' && typeof r.certName === 'string') out.push(r as HistoryRecord);
    } catch {
      // a torn last line (a crash mid-append) or a hand edit: skip it, keep the rest
    }
  }
  return out;
}

/** Size and identity of the history file, for a follower to notice appends and compactions. */
export async function historyFileState(paths: StatePaths, certName: string): Promise<{ size: number; ino: number } | undefined> {
  try {
    const s = await stat(historyFile(paths, certName));
    return { size: s.size, ino: s.ino };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw storageError(err, historyFile(paths, certName), 'read');
  }
}

/** Certificates that have a history file. */
export async function listHistoryNames(paths: StatePaths): Promise<string[]> {
  try {
    return (await readdir(paths.historyDir)).filter((f) => f.endsWith('.ndjson') && !f.startsWith('.')).map((f) => f.slice(0, -'.ndjson'.length)).sort();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw storageError(err, paths.historyDir, 'read');
  }
}
