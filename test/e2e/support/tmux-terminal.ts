/**
 * A real terminal for end-to-end tests: a program run in a detached tmux session on a tmux server of its own
 * (`-L <unique socket>`), so the test sees exactly what a person at a 100x30 xterm would see, types real keys, and
 * always leaves nothing behind (kill() ends the server, and with it the program).
 *
 *   const term = await TmuxTerminal.start([process.execPath, CLI, 'issue', 'a.test'], { env: { CERTDECK_HOME } });
 *   try {
 *     await term.waitForText('processing');
 *     await term.sendKeys('s');
 *     assert.equal(await term.exitCode(), 0);
 *   } finally {
 *     await term.kill();
 *   }
 *
 * The program runs under a fixed, minimal environment (not the test's: a stray NO_COLOR or CI must not change what
 * it draws). When it exits, a line `EXIT=<code>` is printed and `stty -a` is saved, then the pane stays open so the
 * screen it left behind can still be captured.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether tmux can be run here (tests skip otherwise). */
export function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface TmuxTerminalOptions {
  /** Extra environment for the program (on top of PATH, HOME, LANG and TERM). */
  env?: Record<string, string>;
  /** @default 100 */
  columns?: number;
  /** @default 30 */
  rows?: number;
  /** @default xterm-256color */
  term?: string;
  cwd?: string;
}

/** How long an expectation may take: generous, for a loaded 2-core CI machine. */
export const DEFAULT_WAIT_MS = 30_000;
const POLL_MS = 100;
const SESSION = 'e2e';

/** Wraps the program: the exit code on screen and the terminal modes saved once it ends, then the pane stays. */
const HOLD_SCRIPT = '"$@"; code=$?; printf "EXIT=%s\\n" "$code"; stty -a > "$E2E_STTY_FILE" 2>&1; exec sleep 600';

export class TmuxTerminal {
  /** Where tmux put the -L socket (it leaves the file behind after kill-server). */
  private socketPath: string | undefined;
  /** The tmux server and the pane's process group: ended by id if kill-server leaves them running. */
  private serverPid: number | undefined;
  private panePid: number | undefined;
  /** The environment the program runs with, as env(1) arguments. */
  private envArgs: string[] = [];

  private constructor(
    private readonly socket: string,
    private readonly dir: string,
  ) {}

  /** Starts `command` (an argument array, run without a shell) in a new detached session. */
  static async start(command: string[], opts: TmuxTerminalOptions = {}): Promise<TmuxTerminal> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-tmux-'));
    const socket = `certdeck-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
    const term = new TmuxTerminal(socket, dir);
    try {
      // No status line, so the pane is the whole 100x30; no user configuration.
      await writeFile(path.join(dir, 'tmux.conf'), 'set -g status off\nset -g history-limit 2000\n');
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? dir,
        LANG: 'C.UTF-8',
        TERM: opts.term ?? 'xterm-256color',
        E2E_STTY_FILE: term.sttyFile,
        ...opts.env,
      };
      term.envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
      await term.tmux(
        'new-session', '-d', '-s', SESSION,
        '-x', String(opts.columns ?? 100), '-y', String(opts.rows ?? 30),
        ...(opts.cwd ? ['-c', opts.cwd] : []),
        ...term.paneCommand(command),
      );
      // Every byte the program writes, escape sequences included (the screen alone cannot show a hidden cursor
      // that was never shown again, or output drawn and then erased).
      await term.tmux('pipe-pane', '-o', '-t', SESSION, `cat >> '${term.rawFile}'`);
      const [serverPid, panePid, socketPath] = (await term.display('#{pid} #{pane_pid} #{socket_path}')).split(' ');
      term.serverPid = Number(serverPid) || undefined;
      term.panePid = Number(panePid) || undefined;
      term.socketPath = socketPath;
      return term;
    } catch (err) {
      await term.kill();
      throw err;
    }
  }

  private paneCommand(command: string[]): string[] {
    return ['/usr/bin/env', '-i', ...this.envArgs, 'sh', '-c', HOLD_SCRIPT, 'sh', ...command];
  }

  /**
   * Replaces whatever runs in the pane with `command` (same environment), on the already running tmux server:
   * for timing a program's start without the server's.
   */
  async respawn(command: string[]): Promise<void> {
    await this.tmux('respawn-pane', '-k', '-t', SESSION, ...this.paneCommand(command));
    this.panePid = Number(await this.display('#{pane_pid}')) || this.panePid;
  }

  /** The pid of the program in the pane (the child of the wrapping shell), once it runs. */
  async programPid(): Promise<number | undefined> {
    if (this.panePid === undefined) return undefined;
    const children = await readFile(`/proc/${this.panePid}/task/${this.panePid}/children`, 'utf8').catch(() => '');
    const first = Number(children.trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : undefined;
  }

  private get rawFile(): string {
    return path.join(this.dir, 'raw-output');
  }

  private get sttyFile(): string {
    return path.join(this.dir, 'stty-after-exit');
  }

  private async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-u', '-L', this.socket, '-f', path.join(this.dir, 'tmux.conf'), ...args], { encoding: 'utf8' });
    return stdout;
  }

  /** The screen as text, one line per row (trailing blanks trimmed by tmux). */
  async capture(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-t', SESSION);
  }

  /** The screen with colours and attributes as escape sequences. */
  async captureWithColour(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-e', '-t', SESSION);
  }

  /** tmux key names ('Enter', 'Escape', 'Down') or single characters, one send each, as keystrokes. */
  async sendKeys(...keys: string[]): Promise<void> {
    for (const key of keys) await this.tmux('send-keys', '-t', SESSION, key);
  }

  /** Literal text, as if typed. */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', SESSION, '-l', text);
  }

  /** A tmux format about the pane, e.g. '#{cursor_flag}' (1 when the cursor is visible), '#{alternate_on}'. */
  async display(format: string): Promise<string> {
    return (await this.tmux('display-message', '-p', '-t', SESSION, format)).trim();
  }

  /**
   * Polls the screen until `check` returns something other than undefined or false, and returns that. Fails with
   * the last screen after `timeoutMs`.
   */
  async waitFor<T>(check: (screen: string) => T | undefined | false, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    const started = performance.now();
    let screen = '';
    for (;;) {
      screen = await this.capture();
      const result = check(screen);
      if (result !== undefined && result !== false) return result;
      if (performance.now() - started > timeoutMs) {
        throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}. Screen:\n${screen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Waits until the screen shows `text`, and returns that screen. */
  waitForText(text: string | RegExp, timeoutMs?: number): Promise<string> {
    const found = (screen: string) => (typeof text === 'string' ? screen.includes(text) : text.test(screen));
    return this.waitFor((s) => (found(s) ? s : undefined), typeof text === 'string' ? JSON.stringify(text) : String(text), timeoutMs);
  }

  /** Waits for the program to end and returns its exit code. */
  async exitCode(timeoutMs?: number): Promise<number> {
    return this.waitFor((s) => {
      const m = /^EXIT=(\d+)$/m.exec(s);
      return m ? Number(m[1]) : undefined;
    }, 'the program to exit', timeoutMs);
  }

  /** `stty -a` as it was right after the program exited (read after exitCode()). */
  async sttyAfterExit(timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    const started = performance.now();
    for (;;) {
      const text = await readFile(this.sttyFile, 'utf8').catch(() => '');
      if (text.includes('speed')) return text;
      if (performance.now() - started > timeoutMs) throw new Error('stty -a was not saved after the program exited');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Everything the program wrote so far, raw. */
  async rawOutput(): Promise<string> {
    return readFile(this.rawFile, 'utf8').catch(() => '');
  }

  /** Ends the tmux server (and the program in it) and removes the temp files. Safe to call twice. */
  async kill(): Promise<void> {
    await run('tmux', ['-L', this.socket, 'kill-server']).catch(() => undefined);
    // kill-server hangs up the pane, which ends the program; make sure, by id, that nothing of ours survives it.
    if (this.panePid !== undefined) await endProcess(-this.panePid);
    if (this.serverPid !== undefined) await endProcess(this.serverPid);
    if (this.socketPath) await rm(this.socketPath, { force: true });
    await rm(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits up to a second for `pid` (a negative pid: a process group) to go, then SIGKILLs it. */
async function endProcess(pid: number): Promise<void> {
  for (let waited = 0; alive(pid) && waited < 1000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone in between
    }
  }
}

/** The screen line that contains `marker`. */
export function lineWith(screen: string, marker: string | RegExp): string | undefined {
  return screen.split('\n').find((l) => (typeof marker === 'string' ? l.includes(marker) : marker.test(l)));
}

/** Whether the terminal is back in cooked mode with echo (a TUI that crashed or forgot leaves -icanon -echo). */
export function cookedWithEcho(sttyA: string): boolean {
  const flags = new Set(sttyA.split(/[\s;]+/));
  return flags.has('icanon') && flags.has('echo') && !flags.has('-icanon') && !flags.has('-echo');
}
