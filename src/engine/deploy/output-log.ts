import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { StatePaths } from '../store/paths.js';

/**
 * The full output of a target's last run, on disk and bounded: the event stream (and so the TUI and the reducer)
 * keeps only the last lines, and a hook that prints without end must cost neither memory nor the whole disk.
 * File: <deployDir>/output/<certName>/<targetId>.log, rewritten by every run, 0600 (hooks may print paths and
 * hostnames an operator would rather not share).
 */
export const OUTPUT_LOG_MAX_BYTES = 1024 * 1024;

export function outputLogPath(paths: StatePaths, certName: string, targetId: string): string {
  return path.join(paths.deployDir, 'output', certName, `${targetId}.log`);
}

export class BoundedOutputLog {
  private stream: WriteStream | undefined;
  private written = 0;
  private truncated = false;

  constructor(
    readonly file: string,
    private readonly maxBytes = OUTPUT_LOG_MAX_BYTES,
  ) {
    try {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      this.stream = createWriteStream(file, { flags: 'w', mode: 0o600 });
      // A full or read-only disk loses this copy of the output, never the deploy itself.
      this.stream.on('error', () => {
        this.stream = undefined;
      });
    } catch {
      this.stream = undefined;
    }
  }

  write(line: string): void {
    if (!this.stream || this.truncated) return;
    const text = `${line}\n`;
    const bytes = Buffer.byteLength(text);
    if (this.written + bytes > this.maxBytes) {
      this.truncated = true;
      this.stream.write(`[certdeck: output truncated after ${this.written} bytes]\n`);
      return;
    }
    this.written += bytes;
    this.stream.write(text);
  }

  close(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.end(() => resolve()));
  }
}
