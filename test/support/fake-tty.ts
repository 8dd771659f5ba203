import { EventEmitter } from 'node:events';

/**
 * A terminal as Ink sees one, without a terminal: a TTY stdout with a size, and a raw-mode stdin text can be typed
 * into. Used by the TUI tests that call runTui itself and by bench/tui.ts.
 */
export class FakeTtyOut extends EventEmitter {
  readonly isTTY = true;
  readonly writable = true;
  /** Everything written, unless created with `keep: false` (a long benchmark only counts bytes). */
  output = '';
  bytes = 0;

  constructor(
    public columns = 80,
    public rows = 24,
    private readonly keep = true,
  ) {
    super();
  }

  write(chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    this.bytes += Buffer.byteLength(text);
    if (this.keep) this.output += text;
    const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }
}

export class FakeTtyIn extends EventEmitter {
  readonly isTTY = true;
  rawMode = false;
  private readonly pending: string[] = [];

  setRawMode(on: boolean): this {
    this.rawMode = on;
    return this;
  }
  setEncoding(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): string | null {
    return this.pending.shift() ?? null;
  }

  type(text: string): void {
    this.pending.push(text);
    this.emit('readable');
  }
}
