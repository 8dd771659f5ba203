import { randomUUID } from 'node:crypto';
import type { DeployOutcome } from '../api.js';
import type { Clock } from '../core/clock.js';
import { toErrorInfo } from '../core/errors.js';
import { stripControl } from '../core/sanitize.js';
import type { DeployStatus, EngineEvent } from '../events.js';
import { nextDelay, DEFAULT_POLICY } from '../policy.js';
import { describeLockOwner } from '../store/lock.js';
import { FileLocker } from '../store/file-storage.js';
import type { Locker } from '../store/storage.js';
import type { StatePaths } from '../store/paths.js';
import { loadCertBundle, type CertBundle } from './cert-bundle.js';
import { verifyHostKeys } from './host-spec.js';
import { selectTargets } from './select-targets.js';
import { loadResults, loadTargets, mergeResults, saveResults } from './target-store.js';
import { formatSpan } from '../core/duration.js';
import { BoundedOutputLog, outputLogPath } from './output-log.js';
import { cancelReason, runAttempt } from './run-attempt.js';
import { verifyHosts } from './targets/verify.js';
import { MAX_BACKOFF_MS, type DeployTarget, type LastResultsFile, type TargetResult } from './types.js';

/**
 * Runs a certificate's deploy pipeline: targets in order, each with its own attempts, timeout and result, reported
 * live as deploy:* events. One target's failure never rewrites another's result; a failed target only stops the
 * ones after it when it says so (continueOnFailure: false). Cancelling (signal) kills a running hook's process
 * tree and marks the rest cancelled. Each target's result is saved so `--only failed` can retry from another process.
 *
 * Problems that stop the run before any target could start (no such certificate, a broken targets file, an unknown
 * `--only` id) throw an EngineError instead of emitting events.
 */
export interface RunDeployOptions {
  paths: StatePaths;
  /** Serializes deploys of one certificate. @default lock files under `paths` */
  locker?: Locker;
  certName: string;
  /** The targets to consider; defaults to the certificate's targets file. */
  targets?: readonly DeployTarget[];
  /** Target ids to run, and/or "failed" for every target whose last run did not succeed. Default: all. */
  only?: readonly string[];
  clock: Clock;
  emit: (e: EngineEvent) => void;
  signal?: AbortSignal;
  /** Run id source. @default crypto.randomUUID */
  newId?: () => string;
  /** Environment for hook commands and PFX password variables. @default process.env */
  env?: NodeJS.ProcessEnv;
}

type FinalStatus = Exclude<DeployStatus, 'waiting' | 'running'>;

/**
 * Runs one deploy of a certificate. Two runs of the same certificate (a cron renewal's deploy and an operator's
 * `certdeck deploy`) would restart the same services twice over and overwrite each other's results, so a run
 * queues behind one already going (a lock per certificate, apart from the ordering lock), saying so once.
 */
export async function runDeploy(opts: RunDeployOptions): Promise<DeployOutcome> {
  const { paths, certName, clock, emit } = opts;
  const signal = opts.signal ?? new AbortController().signal;
  let said = false;
  const lock = await (opts.locker ?? new FileLocker(paths)).lock(certName, {
    purpose: 'deploy',
    wait: true,
    clock,
    signal,
    onWait: (owner) => {
      if (said) return;
      said = true;
      emit({ type: 'log', at: clock.now(), level: 'info', certName, message: `Waiting for the deploy of ${certName} already running (${describeLockOwner(owner)}).` });
    },
  });
  try {
    return await runDeployLocked(opts, signal);
  } finally {
    await lock.release();
  }
}

async function runDeployLocked(opts: RunDeployOptions, signal: AbortSignal): Promise<DeployOutcome> {
  const { paths, certName, clock, emit } = opts;
  const all = opts.targets ?? (await loadTargets(paths, certName)).targets;
  const needsResults = opts.only?.includes('failed') ?? false;
  const previous = needsResults ? await loadResults(paths, certName) : undefined;
  const selected = selectTargets(certName, all, opts.only, previous);
  const bundle = await loadCertBundle(paths, certName);

  const runId = (opts.newId ?? randomUUID)();
  const domainsOf = (t: DeployTarget): string[] | undefined => (t.kind === 'verify' ? verifyHostKeys(verifyHosts(t, bundle.domains)) : undefined);
  const startedAt = clock.now();
  emit({
    type: 'deploy:started',
    at: startedAt,
    runId,
    certName,
    targets: selected.map((t) => {
      const domains = domainsOf(t);
      return { id: t.id, kind: t.kind, label: t.label, ...(domains ? { domains } : {}) };
    }),
  });

  const results: Record<string, TargetResult> = {};
  let blockedBy: DeployTarget | undefined;
  for (const target of selected) {
    const ended = (status: FinalStatus, reason: string): void => {
      const at = clock.now();
      for (const domain of domainsOf(target) ?? []) emit({ type: 'deploy:target', at, runId, targetId: target.id, domain, status, reason });
      emit({ type: 'deploy:target', at, runId, targetId: target.id, status, reason });
      results[target.id] = { status, reason, runId, endedAt: at, ...(domainsOf(target) ? { domains: domainsOf(target)!.map((domain) => ({ domain, status, reason })) } : {}) };
    };
    if (signal.aborted) ended('cancelled', `not started: ${cancelReason(signal)}`);
    else if (blockedBy) ended('skipped', `skipped: ${blockedBy.id} failed and stops later targets (continueOnFailure: false)`);
    else {
      const output = new BoundedOutputLog(outputLogPath(paths, certName, target.id));
      try {
        results[target.id] = await runTarget(target, { runId, bundle, clock, emit, signal, env: opts.env ?? process.env, domains: domainsOf(target) ?? [], output });
      } finally {
        await output.close();
      }
      const status = results[target.id]!.status;
      if ((status === 'failed' || status === 'timed-out') && !target.continueOnFailure) blockedBy = target;
    }
  }

  const statuses = selected.map((t) => results[t.id]!.status);
  const count = (...s: DeployStatus[]): number => statuses.filter((x) => s.includes(x)).length;
  const succeeded = count('succeeded');
  const failed = count('failed', 'timed-out');
  // The event has no cancelled count: targets that never got to an outcome (skipped or cancelled) count as skipped.
  const skipped = count('skipped', 'cancelled');
  const outcome: DeployOutcome['outcome'] =
    count('cancelled') > 0 ? 'cancelled' : failed === 0 ? 'succeeded' : succeeded === 0 ? 'failed' : 'partial';
  const endedAt = clock.now();
  emit({ type: 'deploy:finished', at: endedAt, runId, certName, succeeded, failed, skipped, outcome });

  await recordResults(opts, all, { runId, startedAt, endedAt, outcome }, results);
  const targets = selected.map((t) => {
    const r = results[t.id]!;
    return {
      id: t.id,
      kind: t.kind,
      label: t.label,
      status: r.status,
      ...(r.reason === undefined ? {} : { reason: r.reason }),
      ...(r.attempt === undefined ? {} : { attempt: r.attempt }),
      ...(r.domains ? { domains: r.domains } : {}),
    };
  });
  return { runId, certName, outcome, succeeded, failed, skipped, targets };
}

async function recordResults(
  opts: RunDeployOptions,
  all: readonly DeployTarget[],
  run: NonNullable<LastResultsFile['lastRun']>,
  results: Record<string, TargetResult>,
): Promise<void> {
  try {
    const prev = await loadResults(opts.paths, opts.certName).catch(() => ({ version: 1 as const, certName: opts.certName, targets: {} }));
    await saveResults(opts.paths, mergeResults(prev, run, results, all.map((t) => t.id)));
  } catch (err) {
    // The deploy itself happened; only `--only failed` loses its memory of this run, so say so and carry on.
    opts.emit({ type: 'log', at: opts.clock.now(), level: 'warn', certName: opts.certName, message: `could not save deploy results: ${toErrorInfo(err).message}` });
  }
}

interface TargetRunContext {
  runId: string;
  bundle: CertBundle;
  clock: Clock;
  emit: (e: EngineEvent) => void;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  domains: string[];
  /** Where the target's whole output goes (bounded); events carry it too, but views keep only the last lines. */
  output: BoundedOutputLog;
}

/** All attempts of one target; returns its final result (never throws). */
async function runTarget(target: DeployTarget, c: TargetRunContext): Promise<TargetResult> {
  const { runId, clock, emit } = c;
  const log = (raw: string): void => {
    const line = stripControl(raw);
    c.output.write(line);
    emit({ type: 'deploy:log', at: clock.now(), runId, targetId: target.id, line });
  };
  const domainStatus = new Map<string, { status: DeployStatus; reason?: string }>();
  const startedAt = clock.now();
  const attempts = 1 + target.retries.count;
  const backoff = { ...DEFAULT_POLICY, floorMs: target.retries.backoffMs, capMs: Math.max(target.retries.backoffMs, MAX_BACKOFF_MS), factor: 2, jitter: 0 };
  let last: { status: FinalStatus; reason?: string } = { status: 'failed', reason: 'did not run' };
  let attempt = 1;
  for (; attempt <= attempts; attempt++) {
    emit({ type: 'deploy:target', at: clock.now(), runId, targetId: target.id, status: 'running', attempt });
    last = await runAttempt(target, {
      bundle: c.bundle,
      clock,
      runSignal: c.signal,
      env: c.env,
      log,
      domain: (domain, status, reason) => {
        domainStatus.set(domain, { status, ...(reason === undefined ? {} : { reason }) });
        emit({ type: 'deploy:target', at: clock.now(), runId, targetId: target.id, domain, status, ...(reason === undefined ? {} : { reason }), attempt });
      },
    });
    if (last.status === 'succeeded' || last.status === 'cancelled' || attempt === attempts) break;
    const delay = nextDelay(backoff, attempt, undefined).delayMs;
    log(`attempt ${attempt} of ${attempts} ${last.status}: ${last.reason ?? ''}; retrying in ${formatSpan(delay)}`);
    try {
      await clock.sleep(delay, c.signal);
    } catch {
      last = { status: 'cancelled', reason: `${cancelReason(c.signal)} while waiting to retry` };
      break;
    }
  }
  const at = clock.now();
  // Names a verify target never reached a verdict for (cancelled, timed out) get the target's outcome, so no
  // name is left showing "running" after the run ended.
  for (const domain of c.domains) {
    const s = domainStatus.get(domain)?.status;
    if (s === undefined || s === 'waiting' || s === 'running') {
      domainStatus.set(domain, { status: last.status, ...(last.reason === undefined ? {} : { reason: last.reason }) });
      emit({ type: 'deploy:target', at, runId, targetId: target.id, domain, status: last.status, ...(last.reason === undefined ? {} : { reason: last.reason }) });
    }
  }
  emit({ type: 'deploy:target', at, runId, targetId: target.id, status: last.status, ...(last.reason === undefined ? {} : { reason: last.reason }), attempt: Math.min(attempt, attempts) });
  return {
    status: last.status,
    ...(last.reason === undefined ? {} : { reason: last.reason }),
    attempt: Math.min(attempt, attempts),
    runId,
    startedAt,
    endedAt: at,
    ...(c.domains.length ? { domains: c.domains.map((domain) => ({ domain, ...(domainStatus.get(domain) ?? { status: last.status }) })) } : {}),
  };
}
