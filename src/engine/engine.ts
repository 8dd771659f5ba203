import { randomUUID } from 'node:crypto';
import type { AddedDeployTarget, CaInfo, DeployOutcome, DeployTargetInput, EngineApi, IssueOutcome, IssueRequest } from './api.js';
import type { Clock } from './core/clock.js';
import { BadInputError, toErrorInfo } from './core/errors.js';
import type { DeployTargetInfo } from './events.js';
import type { PolicyOverride } from './policy.js';
import type { SessionRegistry } from './acme/session-registry.js';
import { listCas } from './ca/catalog.js';
import type { SolverPool } from './challenge/solver-pool.js';
import { EventHub } from './event-hub.js';
import type { runIssueJob } from './issue/issue-job.js';
import type { OrderControl } from './order/order-control.js';
import { listCertificates } from './store/cert-files.js';
import { withRenewalFailures } from './store/renewal-failures.js';
import { StoreWatcher } from './store/store-watcher.js';
import type { StatePaths } from './store/paths.js';
import { runCertificateDeploy } from './deploy-bridge.js';
import { addTargetChecked, listTargetInfos, removeTargetById, targetInfo } from './deploy-targets.js';

export interface EngineOptions {
  paths: StatePaths;
  clock: Clock;
  /** Sent to CAs as the User-Agent, e.g. "certdeck/0.1.0". */
  userAgent: string;
  random?: () => number;
  /** Per-CA policy overrides from the settings file, keyed by CA id. */
  caPolicies?: Record<string, PolicyOverride>;
  /** Run the certificate's deploy targets after each successful issuance. */
  deployAfterIssue?: boolean;
  /** Where a new deploy target's program is looked up (PATH) and its password variable checked. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** The ACME side of the engine: acme-client (with axios and its crypto), the sessions, the challenge servers. */
interface AcmeParts {
  sessions: SessionRegistry;
  solvers: SolverPool;
  runIssueJob: typeof runIssueJob;
}

/**
 * The facade every view talks to. It wires the parts (sessions, solvers, order runner, store, deploy) and owns
 * the running orders' controls, so operator actions are plain method calls.
 */
export class Engine implements EngineApi {
  private readonly hub = new EventHub();
  private acme: Promise<AcmeParts> | undefined;
  private readonly controls = new Map<string, OrderControl>();
  private readonly running = new Set<Promise<unknown>>();
  /** Running deploys and their certificate, so one certificate's deploy can be cancelled alone. */
  private readonly deployAborts = new Map<AbortController, string>();
  /** Deploy runs going on per certificate: its target list must not change under a run. */
  private readonly deploying = new Map<string, number>();
  /** The latest target-list edit per certificate; the next one waits for it, so two quick adds never lose one. */
  private readonly targetEdits = new Map<string, Promise<unknown>>();
  private closed = false;
  private readonly watchers = new Set<StoreWatcher>();
  /** Broken certificate directories already warned about, so a refresh does not repeat the warning. */
  private readonly reportedBroken = new Set<string>();

  constructor(private readonly opts: EngineOptions) {}

  /**
   * Loaded on the first issue, not at start-up: the ACME stack is the largest part of certdeck to load, and the
   * dashboard (or a deploy) should be on screen before it is needed.
   */
  private loadAcme(): Promise<AcmeParts> {
    this.acme ??= (async () => {
      const [{ installTransport }, { SessionRegistry }, { SolverPool }, { runIssueJob }] = await Promise.all([
        import('./acme/transport.js'),
        import('./acme/session-registry.js'),
        import('./challenge/solver-pool.js'),
        import('./issue/issue-job.js'),
      ]);
      installTransport(this.opts.userAgent);
      const sessions = new SessionRegistry({ paths: this.opts.paths, clock: this.opts.clock, emit: this.hub.emit });
      return { sessions, solvers: new SolverPool(), runIssueJob };
    })();
    return this.acme;
  }

  getSnapshot = () => this.hub.getSnapshot();
  subscribe = (listener: () => void) => this.hub.subscribe(listener);
  onEvent = (listener: Parameters<EventHub['onEvent']>[0]) => this.hub.onEvent(listener);

  listCas(): CaInfo[] {
    return listCas({ sandboxDir: this.opts.paths.sandboxDir, ...(this.opts.caPolicies ? { caPolicies: this.opts.caPolicies } : {}) });
  }

  /**
   * Reads the certificates on disk into the snapshot (the dashboard's list). Only what changed is announced, and a
   * certificate gone from disk is removed, so a refresh after another process's run shows exactly what it did.
   */
  async loadCertificates(): Promise<void> {
    const listing = await listCertificates(this.opts.paths);
    const known = this.hub.getSnapshot().certificates;
    const onDisk = new Set<string>();
    for (const certificate of await withRenewalFailures(this.opts.paths, listing.certificates)) {
      onDisk.add(certificate.certName);
      if (JSON.stringify(known[certificate.certName]) === JSON.stringify(certificate)) continue;
      this.hub.emit({ type: 'certificate:known', at: this.opts.clock.now(), certificate });
    }
    for (const b of listing.broken) {
      onDisk.add(b.certName);
      if (!this.reportedBroken.has(`${b.certName}:${b.message}`)) {
        this.reportedBroken.add(`${b.certName}:${b.message}`);
        this.hub.emit({ type: 'log', at: this.opts.clock.now(), level: 'warn', certName: b.certName, message: `${b.file}: ${b.message}` });
      }
    }
    for (const certName of Object.keys(known)) {
      if (!onDisk.has(certName)) this.hub.emit({ type: 'certificate:removed', at: this.opts.clock.now(), certName });
    }
  }

  async refresh(): Promise<void> {
    await this.loadCertificates();
    // Only the lists a view has asked for: they are the ones on screen.
    for (const certName of Object.keys(this.hub.getSnapshot().deployTargets)) {
      await this.listDeployTargets(certName).catch(() => undefined);
    }
  }

  watchStore(opts: { pollMs?: number } = {}): () => void {
    const { paths, clock } = this.opts;
    const watcher = new StoreWatcher({
      dirs: [paths.liveDir, paths.journalDir, paths.deployDir],
      clock,
      ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
      onChange: () => this.refresh(),
      onError: (err) => this.hub.emit({ type: 'log', at: clock.now(), level: 'warn', message: `could not re-read the state home: ${toErrorInfo(err).message}` }),
    });
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
      void watcher.close();
    };
  }

  issue(request: IssueRequest, signal?: AbortSignal): Promise<IssueOutcome> {
    return this.track(this.runIssue(request, signal));
  }

  private async runIssue(request: IssueRequest, signal?: AbortSignal): Promise<IssueOutcome> {
    const { sessions, solvers, runIssueJob } = await this.loadAcme();
    return runIssueJob(
      {
        paths: this.opts.paths,
        clock: this.opts.clock,
        emit: this.hub.emit,
        sessions,
        solvers,
        controls: this.controls,
        newId: () => randomUUID().slice(0, 8),
        ...(this.opts.caPolicies ? { caPolicies: this.opts.caPolicies } : {}),
        ...(this.opts.random ? { random: this.opts.random } : {}),
        ...(this.opts.deployAfterIssue ? { afterSave: (certName: string) => this.deployAfterIssue(certName) } : {}),
      },
      request,
      signal,
    );
  }

  /** Issues several requests, at most `concurrency` at a time. */
  async issueMany(requests: IssueRequest[], concurrency: number, signal?: AbortSignal): Promise<IssueOutcome[]> {
    const results: IssueOutcome[] = new Array(requests.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const i = next++;
        results[i] = await this.issue(requests[i]!, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, requests.length)) }, worker));
    return results;
  }

  cancel(orderId: string, reason = 'cancelled by the operator'): void {
    this.controls.get(orderId)?.stop({ kind: 'cancel', reason });
  }

  retryNow(orderId: string): void {
    this.controls.get(orderId)?.retryNow();
  }

  keepWaiting(orderId: string, extraMs?: number): void {
    const control = this.controls.get(orderId);
    const order = this.hub.getSnapshot().orders[orderId];
    if (!control || !order || control.phase === undefined) return;
    const deadlineAt = control.extend(extraMs ?? order.policy.deadlines[control.phase]);
    if (deadlineAt !== undefined) this.hub.emit({ type: 'wait:extended', at: this.opts.clock.now(), orderId, phase: control.phase, deadlineAt });
  }

  switchCa(orderId: string, caId: string): void {
    this.controls.get(orderId)?.stop({ kind: 'switch', caId, reason: `switching to ${caId}` });
  }

  deploy(certName: string, opts: { only?: string[] } = {}): Promise<DeployOutcome> {
    return this.track(this.runDeploy(certName, opts));
  }

  private async runDeploy(certName: string, opts: { only?: string[]; afterIssue?: boolean }): Promise<DeployOutcome> {
    const abort = new AbortController();
    this.deployAborts.set(abort, certName);
    this.deploying.set(certName, (this.deploying.get(certName) ?? 0) + 1);
    try {
      return await runCertificateDeploy({ paths: this.opts.paths, clock: this.opts.clock, emit: this.hub.emit, certName, signal: abort.signal, ...opts });
    } finally {
      this.deployAborts.delete(abort);
      const left = (this.deploying.get(certName) ?? 1) - 1;
      if (left > 0) this.deploying.set(certName, left);
      else this.deploying.delete(certName);
      // A view showing this certificate's targets gets their stored results (the run's, merged with earlier ones).
      if (this.hub.getSnapshot().deployTargets[certName]) await this.listDeployTargets(certName).catch(() => undefined);
    }
  }

  /**
   * The deploy after an issuance never throws: the certificate is saved whatever happens here, so a run that cannot
   * start (a broken targets file) becomes a failed deploy in the issue outcome (exit 3), not a failed order.
   */
  private async deployAfterIssue(certName: string): Promise<DeployOutcome> {
    try {
      return await this.runDeploy(certName, { afterIssue: true });
    } catch (err) {
      const error = toErrorInfo(err);
      this.hub.emit({ type: 'log', at: this.opts.clock.now(), level: 'error', certName, message: `deploy after issuance did not run: ${error.message}` });
      return { runId: 'not-started', certName, outcome: 'failed', succeeded: 0, failed: 0, skipped: 0, targets: [], error };
    }
  }

  cancelDeploy(certName: string, reason = 'cancelled by the operator'): boolean {
    let found = false;
    for (const [abort, name] of this.deployAborts) {
      if (name !== certName) continue;
      found = true;
      abort.abort(reason);
    }
    return found;
  }

  async listDeployTargets(certName: string): Promise<DeployTargetInfo[]> {
    const targets = await listTargetInfos(this.opts.paths, certName);
    this.hub.emit({ type: 'deploy:targets', at: this.opts.clock.now(), certName, targets });
    return targets;
  }

  addDeployTarget(certName: string, input: DeployTargetInput): Promise<AddedDeployTarget> {
    return this.editTargets(certName, async () => {
      const { target, warnings } = await addTargetChecked(this.opts.paths, certName, input, this.opts.env ?? process.env);
      return { target: targetInfo(target), warnings };
    });
  }

  removeDeployTarget(certName: string, targetId: string): Promise<DeployTargetInfo> {
    return this.editTargets(certName, async () => targetInfo(await removeTargetById(this.opts.paths, certName, targetId)));
  }

  /** One edit of a certificate's target list at a time; refused during its deploy; the snapshot gets the new list. */
  private editTargets<T>(certName: string, edit: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.deploying.has(certName)) {
        throw new BadInputError('deploy-running', `${certName} is being deployed right now; change its targets once the run has finished`);
      }
      const result = await edit();
      // The edit is saved; a failed re-read only leaves the view's list stale, it must not report the edit as failed.
      await this.listDeployTargets(certName).catch(() => undefined);
      return result;
    };
    const next = (this.targetEdits.get(certName) ?? Promise.resolve()).then(run, run);
    this.targetEdits.set(certName, next);
    void next.finally(() => {
      if (this.targetEdits.get(certName) === next) this.targetEdits.delete(certName);
    }).catch(() => undefined);
    return this.track(next);
  }

  /**
   * Stops everything still running and waits for it to clean up (challenge answers, child processes). Orders are
   * suspended, not cancelled: their journals stay, so the next run resumes them without a new order at the CA.
   */
  async close(reason = 'certdeck stopped'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.watchers].map((w) => w.close()));
    this.watchers.clear();
    for (const control of this.controls.values()) control.stop({ kind: 'suspend', reason });
    for (const abort of this.deployAborts.keys()) abort.abort(reason);
    await Promise.allSettled([...this.running]);
    await this.acme?.then((acme) => acme.sessions.close(), () => undefined);
  }

  /** Waits for running work without cancelling it. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    void p.finally(() => this.running.delete(p)).catch(() => undefined);
    return p;
  }
}
