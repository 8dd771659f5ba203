import type { Clock } from '../core/clock.js';
import type { DeployStatus } from '../events.js';
import type { CertBundle } from './cert-bundle.js';
import { DeployTargetError } from './errors.js';
import { formatSpan } from '../core/duration.js';
import { deployCommand } from './targets/command.js';
import type { TargetContext } from './targets/context.js';
import { deployFiles } from './targets/files.js';
import { deployPfx } from './targets/pfx.js';
import { deployVerify } from './targets/verify.js';
import type { DeployTarget } from './types.js';

/**
 * One attempt of one target, bounded: the runner's timeout aborts the attempt's signal, the executor stops (a hook's
 * process tree is killed), and only then does the attempt count as timed out, so "timed-out" in the summary means
 * nothing of that attempt is still running. Verify paces itself against `deadlineAt` and gets no outer timer.
 */

export interface AttemptDeps {
  bundle: CertBundle;
  clock: Clock;
  runSignal: AbortSignal;
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  domain(domain: string, status: DeployStatus, reason?: string): void;
}

export interface AttemptResult {
  status: 'succeeded' | 'failed' | 'timed-out' | 'cancelled';
  reason?: string;
}

/** The operator's words for a cancel ("interrupted by SIGINT"), or just "cancelled". */
export function cancelReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (typeof r === 'string' && r !== '') return r;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  if (r instanceof Error && r.message !== '' && r.message !== 'This operation was aborted') return r.message;
  return 'cancelled';
}

/** How long an aborted executor gets to finish cleaning up before the attempt is given up on anyway. */
function settleAfterAbortMs(t: DeployTarget): number {
  return t.kind === 'command' ? t.killGraceMs + 5_000 : 2_000;
}

function execute(t: DeployTarget, ctx: TargetContext): Promise<void> {
  switch (t.kind) {
    case 'files':
      return deployFiles(t, ctx);
    case 'command':
      return deployCommand(t, ctx);
    case 'pfx':
      return deployPfx(t, ctx);
    case 'verify':
      return deployVerify(t, ctx);
  }
}

export async function runAttempt(t: DeployTarget, deps: AttemptDeps): Promise<AttemptResult> {
  const { clock, runSignal } = deps;
  const attempt = new AbortController();
  let timedOut = false;
  const onRunAbort = (): void => attempt.abort(runSignal.reason);
  if (runSignal.aborted) onRunAbort();
  else runSignal.addEventListener('abort', onRunAbort, { once: true });

  const timers = new AbortController();
  if (t.kind !== 'verify') {
    clock.sleep(t.timeoutMs, timers.signal).then(
      () => {
        timedOut = true;
        attempt.abort(new DeployTargetError('timeout', `timed out after ${formatSpan(t.timeoutMs)}`, { timedOut: true }));
      },
      () => undefined,
    );
  }
  const aborted = new Promise<void>((resolve) => attempt.signal.addEventListener('abort', () => resolve(), { once: true }));
  const run = execute(t, { bundle: deps.bundle, clock, signal: attempt.signal, deadlineAt: clock.now() + t.timeoutMs, env: deps.env, log: deps.log, domain: deps.domain });
  try {
    await Promise.race([
      run,
      // An executor stuck in a call that ignores the signal (a hung NFS write) must not hold the whole run.
      aborted.then(() => clock.sleep(settleAfterAbortMs(t), timers.signal)).then(() => {
        throw new Error('did not stop after being aborted');
      }),
    ]);
    return { status: 'succeeded' };
  } catch (err) {
    if (timedOut) {
      return { status: 'timed-out', reason: `timed out after ${formatSpan(t.timeoutMs)}${t.kind === 'command' ? '; its process tree was killed' : ''}` };
    }
    if (runSignal.aborted) {
      const why = cancelReason(runSignal);
      return { status: 'cancelled', reason: t.kind === 'command' ? `${why}; its process tree was killed` : why };
    }
    return { status: 'failed', reason: err instanceof Error ? err.message : String(err) };
  } finally {
    timers.abort();
    runSignal.removeEventListener('abort', onRunAbort);
    // A run that lost the race above still settles later; nothing may come of its rejection.
    run.catch(() => undefined);
  }
}
