import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { throwIfAborted } from '../../core/clock.js';
import { CancelledError } from '../../core/errors.js';
import { stripControl } from '../../core/sanitize.js';
import type { CertBundle } from '../cert-bundle.js';
import { errnoCode } from '../../core/errno.js';
import { DeployTargetError } from '../errors.js';
import { killProcessGroup } from '../process-group.js';
import type { CommandTarget } from '../types.js';
import type { TargetContext } from './context.js';

/**
 * Runs a deploy hook: no shell (argv as given), CERTDECK_* variables describing the certificate, every output line
 * streamed to the log as it comes, and the exit code kept. On timeout or cancel the hook's whole process group is
 * killed (see process-group.ts) before the attempt counts as over.
 */

/** How long to wait for output pipes after the hook itself exited (a daemon it started may still hold them). */
const STDIO_GRACE_MS = 2_000;
const MAX_LINE = 2_000;
const STDERR_TAIL = 3;

export function hookEnvironment(bundle: CertBundle): Record<string, string> {
  return {
    CERTDECK_CERT_NAME: bundle.certName,
    CERTDECK_DOMAINS: bundle.domains.join(' '),
    CERTDECK_CERT_PATH: bundle.files.cert,
    CERTDECK_CHAIN_PATH: bundle.files.chain,
    CERTDECK_FULLCHAIN_PATH: bundle.files.fullchain,
    CERTDECK_KEY_PATH: bundle.files.key,
    // certbot's deploy-hook variables, so a reload script written for certbot runs unchanged.
    RENEWED_LINEAGE: bundle.dir,
    RENEWED_DOMAINS: bundle.domains.join(' '),
    // lego's (its run/renew hook), for the same reason.
    LEGO_CERT_DOMAIN: bundle.domains[0] ?? bundle.certName,
    LEGO_CERT_PATH: bundle.files.cert,
    LEGO_CERT_KEY_PATH: bundle.files.key,
    LEGO_CERT_PEM_PATH: bundle.files.fullchain,
  };
}

/**
 * The only variables a hook inherits from certdeck's own environment. Everything else (CERTDECK_EAB_HMAC_KEY,
 * cloud credentials, tokens a cron job exported) stays out: a hook is a separate program and gets what it needs
 * from the certificate variables and the env the target configured, nothing it could leak.
 */
export const INHERITED_HOOK_VARIABLES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'USER', 'LOGNAME', 'TMPDIR'] as const;

export function minimalEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of INHERITED_HOOK_VARIABLES) {
    const v = env[name];
    if (v !== undefined) out[name] = v;
  }
  out.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return out;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function streamLines(stream: Readable | null | undefined, onLine: (line: string) => void): (() => void) | undefined {
  if (!stream) return undefined;
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  // Made safe here, at the source, so the failure reason (the last stderr line) is as clean as the log.
  rl.on('line', (raw) => {
    const line = stripControl(raw);
    onLine(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line);
  });
  return () => rl.close();
}

export async function deployCommand(t: CommandTarget, ctx: TargetContext): Promise<void> {
  const [program, ...args] = t.argv as [string, ...string[]];
  throwIfAborted(ctx.signal);
  if (t.cwd !== undefined) {
    // spawn reports a missing cwd as ENOENT, which would read as "command not found".
    const ok = await stat(t.cwd).then((s) => s.isDirectory(), () => false);
    if (!ok) throw new DeployTargetError('missing-cwd', `working directory ${t.cwd} does not exist`);
  }
  const sub = execa(program, args, {
    detached: true,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    extendEnv: false,
    env: { ...minimalEnvironment(ctx.env), ...t.env, ...hookEnvironment(ctx.bundle) },
    ...(t.cwd === undefined ? {} : { cwd: t.cwd }),
  });
  const stderrTail: string[] = [];
  const closers = [
    streamLines(sub.stdout, (line) => ctx.log(line)),
    streamLines(sub.stderr, (line) => {
      ctx.log(line);
      if (line.trim() !== '') stderrTail.push(line.trim());
      if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
    }),
  ];
  const exited = new Promise<Exit>((resolve) => sub.once('exit', (code, signal) => resolve({ code, signal })));
  // execa's promise settles when the process and its pipes are done, or at once when the spawn itself failed.
  const settled = sub.then((r) => r);
  const aborted = new Promise<'aborted'>((resolve) => {
    if (ctx.signal.aborted) resolve('aborted');
    else ctx.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });

  const first = await Promise.race([exited, settled.then((r) => ({ spawnResult: r })), aborted]);
  try {
    if (typeof first === 'object' && 'spawnResult' in first && first.spawnResult.failed && first.spawnResult.exitCode === undefined && sub.pid === undefined) {
      const code = errnoCode(first.spawnResult);
      if (code === 'ENOENT') throw new DeployTargetError('command-not-found', `command not found: ${program}`, { hint: 'Install it, or give its full path in the target.' });
      if (code === 'EACCES') throw new DeployTargetError('command-not-executable', `command not executable: ${program} (permission denied)`, { hint: `chmod +x ${program}` });
      throw new DeployTargetError('spawn-failed', `cannot start ${program}: ${first.spawnResult.originalMessage ?? first.spawnResult.message}`);
    }
    if (first === 'aborted') {
      if (sub.pid !== undefined) await killProcessGroup(sub.pid, exited, t.killGraceMs, ctx.clock);
      await drain(settled, ctx, sub);
      const reason: unknown = ctx.signal.reason;
      throw reason instanceof Error ? reason : new CancelledError(typeof reason === 'string' ? reason : 'cancelled');
    }
    const exit = await exited;
    await drain(settled, ctx, sub);
    if (exit.code === 0) {
      ctx.log(`${program} exited with code 0`);
      return;
    }
    const tail = stderrTail.at(-1);
    const what = exit.code !== null ? `exit code ${exit.code}` : `killed by ${exit.signal ?? 'a signal'}`;
    throw new DeployTargetError('command-failed', `${program}: ${what}${tail ? `: ${tail}` : ''}`);
  } finally {
    for (const close of closers) close?.();
  }
}

/** Waits for the output pipes to close, but not for a background process that inherited them. */
async function drain(settled: Promise<unknown>, ctx: TargetContext, sub: { stdout: Readable | null; stderr: Readable | null }): Promise<void> {
  const done = new AbortController();
  const timedOut = await Promise.race([
    settled.then(() => false),
    ctx.clock.sleep(STDIO_GRACE_MS, done.signal).then(() => true, () => false),
  ]);
  done.abort();
  if (timedOut) {
    ctx.log('(the command exited, but a process it left behind still holds its output; not waiting for it)');
    sub.stdout?.destroy();
    sub.stderr?.destroy();
  }
}
