import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type {
  CaProfile,
  AccountInfo,
  AccountInput,
  AddedDeployTarget,
  CaDirectoryInfo,
  CaInfo,
  CertificateListingResult,
  DeployOutcome,
  DeployTarget,
  DeployTargetDetails,
  DeployTargetInput,
  DiagnoseOptions,
  DiagnoseReport,
  EngineApi,
  IssueDefaults,
  IssueOutcome,
  IssueRequest,
  PreflightOptions,
  PreflightReport,
  StoredRequestInfo,
} from './api.js';
import type { Clock } from './core/clock.js';
import { BadInputError, toErrorInfo } from './core/errors.js';
import { stripControl } from './core/sanitize.js';
import type { DeployTargetInfo } from './events.js';
import type { SessionRegistry } from './acme/session-registry.js';
import { listCas, resolveCa, type ResolvedCa } from './ca/catalog.js';
import { addAccount, deactivateAccount, listAccountInfos, showAccountInfo, type AccountDeps } from './accounts.js';
import { certificateStatus } from './renew/index.js';
import type { SettingsData } from './store/settings.js';
import { readStoredRequest } from './store/stored-request.js';
import type { SolverPool } from './challenge/solver-pool.js';
import { EventHub } from './event-hub.js';
import type { runIssueJob } from './issue/issue-job.js';
import type { OrderControl } from './order/order-control.js';
import { preflightIssue } from './issue/preflight.js';
import { listCertificates, readCertificate, type CertificateMeta } from './store/cert-files.js';
import { unreadableJournals, withRenewalFailures, withRenewalPlans } from './renew/failures.js';
import { listHistoryNames, readHistoryFile } from './store/history.js';
import { HistoryRecorder } from './history/history-recorder.js';
import { followHistory, type FollowEnd, type FollowOptions } from './history/follow-history.js';
import { summarizeOrders, type HistoryRecord, type OrderHistorySummary } from './history-view.js';
import { assertCertName } from './names.js';
import { StoreWatcher } from './store/store-watcher.js';
import { renewalPlan, type RenewOptions, type RenewResult } from './renew/index.js';
import type { RenewalPlan } from './events.js';
import { readRenewalState } from './store/renewal-state.js';
import type { StatePaths } from './store/paths.js';
import { FileLocker, FileStorage } from './store/file-storage.js';
import type { Locker, Storage, StorageInfo } from './store/storage.js';
import { sharedAnswers } from './store/shared-answers.js';
import { isShared, listSharedCertificates, materializeCertificate, type MaterializeResult } from './store/shared-certificates.js';

/** What `sync` did for one certificate of the shared storage. */
export interface SyncResult {
  certName: string;
  outcome: MaterializeResult | 'failed';
  /** Why, for a failed one (the watch goes on with the next change). */
  error?: string;
  /** The deploy run's outcome when the certificate changed and it has targets. */
  deploy?: DeployOutcome['outcome'];
}
import { runCertificateDeploy } from './deploy-bridge.js';
import { addTargetChecked, addTargetSpec, describeTargets, listTargetInfos, redactTarget, removeTargetById, targetInfo } from './deploy-targets.js';
import type { NotificationsApi } from './api.js';
import { notifierInfo, type NotifierInput } from './notify/config.js';
import { NotificationDispatcher } from './notify/dispatcher.js';
import { addNotifier, loadNotifiers, removeNotifier } from './notify/store.js';
import type { DeliveryResult, NotifierInfo } from './notify/types.js';
import type { ImportClient, ImportOptions, ImportPlan, ImportResult } from './import/types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface EngineOptions {
  paths: StatePaths;
  /** Where shared state (accounts, stored requests, journals) lives. @default the files under `paths` */
  storage?: Storage;
  /** What serializes work on one certificate across processes (and nodes). @default lock files under `paths` */
  locker?: Locker;
  clock: Clock;
  /** Sent to CAs as the User-Agent, e.g. "certdeck/0.1.0". */
  userAgent: string;
  random?: () => number;
  /**
   * The operator's settings (config.json), read once by the composition root: defaults for new orders, per-CA wait
   * policies, per-certificate settings. Every order uses them, wherever it was started. @default {}
   */
  settings?: SettingsData;
  /** Run the certificate's deploy targets after each successful issuance. */
  deployAfterIssue?: boolean;
  /** Environment of deploy hooks and PFX password variables, and where a new target's program is looked up. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Write each certificate's order history under the state home (history/). @default true */
  history?: boolean;
  /** How long one request to a CA may go unanswered before it counts as lost. @default 30 s (transport.ts) */
  requestTimeoutMs?: number;
  /**
   * The time an issued certificate must be valid at before it is installed. Real time by default, apart from
   * `clock`: a test that fakes the scheduling clock still gets real certificates from a real CA.
   */
  validityClock?: Clock;
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
export class Engine implements EngineApi, NotificationsApi {
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
  private readonly notifications: NotificationDispatcher;
  private readonly history: HistoryRecorder | undefined;
  private readonly settings: SettingsData;
  private readonly watchers = new Set<StoreWatcher>();
  /** Broken certificate directories already warned about, so a refresh does not repeat the warning. */
  private readonly reportedBroken = new Set<string>();
  private readonly storage: Storage;
  private readonly locker: Locker;

  constructor(private readonly opts: EngineOptions) {
    this.settings = opts.settings ?? {};
    this.storage = opts.storage ?? new FileStorage(opts.paths);
    this.locker = opts.locker ?? new FileLocker(opts.paths);
    if (opts.history !== false) {
      const recorder = new HistoryRecorder(opts.paths, (message) => this.hub.emit({ type: 'log', at: opts.clock.now(), level: 'warn', message }));
      this.history = recorder;
      // First listener: a record is on disk before any reporter prints the event (a kill right after loses nothing).
      this.hub.onEvent(recorder.record);
    }
    this.notifications = new NotificationDispatcher({
      paths: opts.paths,
      clock: opts.clock,
      emit: this.hub.emit,
      env: opts.env ?? process.env,
      userAgent: opts.userAgent,
      random: opts.random ?? Math.random,
    });
    // The engine's own events drive notifications; tracked, so close() and idle() wait for the deliveries.
    this.hub.onEvent((e) => {
      const delivery = this.notifications.handle(e);
      if (delivery) void this.track(delivery);
    });
  }

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
      const sessions = new SessionRegistry({
        storage: this.storage,
        clock: this.opts.clock,
        emit: this.hub.emit,
        ...(this.opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: this.opts.requestTimeoutMs } : {}),
      });
      return { sessions, solvers: new SolverPool(isShared(this.storage) ? sharedAnswers(this.storage) : undefined), runIssueJob };
    })();
    return this.acme;
  }

  /** Where this engine keeps certificates, accounts and journals (CERTDECK_HOME, or the platform's data directory). */
  get stateHome(): string {
    return path.dirname(this.opts.paths.liveDir);
  }

  /**
   * Brings this node's local live/ up to every certificate in the shared storage, and runs the deploy targets of
   * each one that changed. With `watch`, keeps doing so as other nodes store certificates, until `signal` aborts.
   */
  async sync(opts: { watch?: boolean; signal?: AbortSignal; onResult?: (r: SyncResult) => void; serveHttp01?: { host: string; port: number }; onWatching?: () => void } = {}): Promise<SyncResult[]> {
    if (!isShared(this.storage)) {
      throw new BadInputError('sync-needs-shared-storage', 'certdeck sync copies certificates from a shared storage, and this node uses local files.', 'Set CERTDECK_STORAGE=redis://host:port/0 (or the storage setting) on every node of the fleet.');
    }
    const results: SyncResult[] = [];
    const one = async (certName: string): Promise<void> => {
      const outcome = await materializeCertificate(this.storage, this.opts.paths, certName);
      const deploy = outcome === 'updated' && this.opts.deployAfterIssue ? await this.runDeploy(certName, { afterIssue: true }) : undefined;
      const r: SyncResult = { certName, outcome, ...(deploy && deploy.runId ? { deploy: deploy.outcome } : {}) };
      results.push(r);
      opts.onResult?.(r);
    };
    for (const name of await listSharedCertificates(this.storage)) await one(name);
    if (opts.watch && this.storage.watch) {
      const signal = opts.signal ?? new AbortController().signal;
      // This node answers the CA's HTTP-01 requests for orders any node placed, for as long as it watches.
      const { StandaloneHttp01 } = await import('./challenge/standalone.js');
      const server = opts.serveHttp01 ? await StandaloneHttp01.listen(opts.serveHttp01.host, opts.serveHttp01.port, sharedAnswers(this.storage)) : undefined;
      signal.addEventListener('abort', () => void server?.close(), { once: true });
      opts.onWatching?.();
      // One at a time, in arrival order: two quick renewals of one certificate must not swap live/ out of order.
      let queue = Promise.resolve();
      await this.storage.watch((key) => {
        const m = /^certificates\/([^/]+)\/meta\.json$/.exec(key);
        if (!m) return;
        const certName = m[1]!;
        queue = queue.then(() => one(certName)).catch((err: unknown) => {
          const r: SyncResult = { certName, outcome: 'failed', error: err instanceof Error ? err.message : String(err) };
          results.push(r);
          opts.onResult?.(r);
        });
      }, signal);
      await queue;
    }
    return results;
  }

  /** Which storage this engine uses (views say so: list, doctor, the dashboard header); no password in it. */
  storageInfo(): StorageInfo {
    return this.storage.info();
  }

  getSnapshot = () => this.hub.getSnapshot();
  subscribe = (listener: () => void) => this.hub.subscribe(listener);
  onEvent = (listener: Parameters<EventHub['onEvent']>[0]) => this.hub.onEvent(listener);

  listCas(): CaInfo[] {
    return listCas({ sandboxDir: this.opts.paths.sandboxDir, ...(this.settings.caPolicies ? { caPolicies: this.settings.caPolicies } : {}) });
  }

  issueDefaults(): IssueDefaults {
    const s = this.settings;
    return { ...(s.defaultCa ? { ca: s.defaultCa } : {}), keyType: s.defaultKeyType ?? 'ec-p256', ...(s.defaultEmail ? { email: s.defaultEmail } : {}), fallback: s.fallbackCas ?? [] };
  }

  async storedRequest(certName: string): Promise<StoredRequestInfo | undefined> {
    const stored = await readStoredRequest(this.storage, certName);
    if (!stored) return undefined;
    const { formatVersion: _v, ...info } = stored;
    return info;
  }

  /**
   * Reads the certificates on disk into the snapshot (the dashboard's list). Only what changed is announced, and a
   * certificate gone from disk is removed, so a refresh after another process's run shows exactly what it did.
   */
  async loadCertificates(): Promise<void> {
    const listing = await listCertificates(this.opts.paths);
    const known = this.hub.getSnapshot().certificates;
    const onDisk = new Set<string>();
    for (const certificate of await withRenewalPlans(this.opts.paths, await withRenewalFailures(this.storage, listing.certificates))) {
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
      this.hub.emit({ type: 'state:problem', at: this.opts.clock.now(), certName: b.certName, file: b.file, message: b.message, ...(b.hint ? { hint: b.hint } : {}) });
    }
    for (const p of await unreadableJournals(this.storage)) {
      this.hub.emit({ type: 'state:problem', at: this.opts.clock.now(), ...p });
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

  async listCertificates(): Promise<CertificateListingResult> {
    const listing = await listCertificates(this.opts.paths);
    const now = this.opts.clock.now();
    const orders = Object.values(this.hub.getSnapshot().orders);
    const certificates = (await withRenewalPlans(this.opts.paths, await withRenewalFailures(this.storage, listing.certificates))).map((c) => {
      const status = certificateStatus(c, orders, now);
      return { ...c, status: status.kind, label: status.label, daysLeft: Math.floor(status.remainingMs / DAY_MS) };
    });
    return { certificates, broken: listing.broken, liveDir: this.opts.paths.liveDir };
  }

  /**
   * Renews every managed certificate that is due (or the named ones) with its stored request, deciding from ARI
   * and the lifetime rule, honouring each certificate's retry schedule unless `force` (engine/renew/run.ts).
   * Never rejects: each certificate's result says what happened.
   */
  renew(opts: RenewOptions = {}, signal?: AbortSignal): Promise<RenewResult[]> {
    return this.track(this.runRenew(opts, signal));
  }

  private async runRenew(opts: RenewOptions, signal?: AbortSignal): Promise<RenewResult[]> {
    const { renewCertificates } = await import('./renew/run.js');
    const cas = new Set(this.listCas().map((c) => c.id));
    return renewCertificates(
      {
        paths: this.opts.paths,
        clock: this.opts.clock,
        random: this.opts.random ?? Math.random,
        emit: this.hub.emit,
        certNames: async () => (await listCertificates(this.opts.paths)).certificates.map((c) => c.certName),
        issue: (request) => this.issue(request, signal),
        fetchRenewalInfo: async (stored, certId) => {
          const { sessions } = await this.loadAcme();
          const ca = this.resolveCa(stored.ca, stored.caBundlePath);
          return sessions.anonymous({ ...ca, directoryUrl: stored.directoryUrl }).getRenewalInfo(stored.renewalInfoUrl!, certId, signal ? { signal } : {});
        },
        caFor: (cert) => (cas.has(cert.meta.caId) ? cert.meta.caId : cert.meta.directoryUrl),
      },
      opts,
      signal,
    );
  }

  /**
   * When a certificate is due and why (ARI window, chosen time, explanation URL, retry schedule), from what is
   * stored: for `doctor` and any view that wants one certificate's renewal. Undefined when there is no such
   * certificate.
   */
  async renewalPlan(certName: string): Promise<RenewalPlan | undefined> {
    const cert = await readCertificate(this.opts.paths, certName);
    if (!cert) return undefined;
    const state = await readRenewalState(this.opts.paths, certName, cert.meta.serial).catch(() => undefined);
    return renewalPlan({ notBefore: Date.parse(cert.meta.notBefore), notAfter: Date.parse(cert.meta.notAfter) }, state);
  }

  /** The certificate profiles a CA's directory lists (meta.profiles), for the issue form and the setup. */
  async caProfiles(ca: string, opts: { caBundlePath?: string; signal?: AbortSignal } = {}): Promise<CaProfile[]> {
    const { sessions } = await this.loadAcme();
    const { caProfiles } = await import('./issue/order-extras.js');
    const session = sessions.anonymous(this.resolveCa(ca, opts.caBundlePath));
    await session.loadDirectory(opts.signal ? { signal: opts.signal } : {});
    return caProfiles(session);
  }

  private resolveCa(idOrUrl: string, caBundlePath: string | undefined): ResolvedCa {
    return resolveCa(idOrUrl, {
      sandboxDir: this.opts.paths.sandboxDir,
      ...(caBundlePath ? { caBundlePath } : {}),
      ...(this.settings.caPolicies ? { caPolicies: this.settings.caPolicies } : {}),
    });
  }

  private get accountDeps(): AccountDeps {
    return {
      storage: this.storage,
      cas: () => this.listCas(),
      resolve: (id, bundle) => this.resolveCa(id, bundle),
      sessions: async () => (await this.loadAcme()).sessions,
    };
  }

  listAccounts(): Promise<AccountInfo[]> {
    return listAccountInfos(this.accountDeps);
  }

  showAccount(id: string): Promise<AccountInfo> {
    return showAccountInfo(this.accountDeps, id);
  }

  addAccount(input: AccountInput): Promise<{ account: AccountInfo; created: boolean }> {
    return this.track(addAccount(this.accountDeps, input));
  }

  deactivateAccount(id: string, opts: { caBundlePath?: string } = {}): Promise<AccountInfo> {
    return this.track(deactivateAccount(this.accountDeps, id, opts.caBundlePath));
  }

  async readCaDirectory(idOrUrl: string, opts: { caBundlePath?: string; signal?: AbortSignal } = {}): Promise<CaDirectoryInfo> {
    const ca = this.resolveCa(idOrUrl, opts.caBundlePath);
    const { sessions } = await this.loadAcme();
    const dir = await this.track(sessions.readDirectory(ca, opts.signal));
    const meta = dir.meta ?? {};
    // The URLs are the CA's text: shown on a terminal, so stripped of anything that could steer it.
    const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? stripControl(v) : undefined);
    const tos = text(meta.termsOfService);
    const website = text(meta.website);
    return {
      caId: ca.id,
      caName: ca.name,
      directoryUrl: ca.directoryUrl,
      ...(tos ? { termsOfService: tos } : {}),
      ...(website ? { website } : {}),
      externalAccountRequired: meta.externalAccountRequired === true || ca.eabRequired,
    };
  }

  issue(request: IssueRequest, signal?: AbortSignal): Promise<IssueOutcome> {
    if (request.eab) this.history?.addSecret(request.eab.hmacKey);
    return this.track(this.runIssue(request, signal));
  }

  /** A certificate's order history as recorded (every event and CA exchange), oldest first; one order's with `orderId`. */
  async readHistory(certName: string, opts: { orderId?: string } = {}): Promise<HistoryRecord[]> {
    const records = await readHistoryFile(this.opts.paths, assertCertName(certName));
    if (opts.orderId === undefined) return records;
    const mine = records.filter((r) => 'orderId' in r && r.orderId === opts.orderId);
    if (mine.length === 0) {
      throw new BadInputError('unknown-order', `No order ${opts.orderId} in the history of ${certName}.`, `Run \`certdeck log ${certName}\` to list its orders.`);
    }
    return mine;
  }

  /** One summary per recorded order: of one certificate, or of every certificate with a history. */
  async orderHistory(certName?: string): Promise<OrderHistorySummary[]> {
    const names = certName === undefined ? await listHistoryNames(this.opts.paths) : [assertCertName(certName)];
    const out: OrderHistorySummary[] = [];
    for (const name of names) out.push(...summarizeOrders(await readHistoryFile(this.opts.paths, name)));
    return out.sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Tails an order another process is running (see follow-history.ts); resolves when it ends or on the signal. */
  followHistory(certName: string, opts: FollowOptions): Promise<FollowEnd> {
    return followHistory(this.opts.paths, assertCertName(certName), this.opts.clock, opts, this.locker);
  }

  private async runIssue(request: IssueRequest, signal?: AbortSignal): Promise<IssueOutcome> {
    const outcome = await this.runIssueJob(request, signal);
    // Refused before a certificate name was settled (bad input): no certificate to speak of.
    if (!outcome.certName) return outcome;
    const meta = (await readCertificate(this.opts.paths, outcome.certName).catch(() => undefined))?.meta;
    this.announceIssueEnd(request, outcome, meta);
    if (outcome.ok) return outcome;
    // A failed renewal of a certificate that still works is its own exit code (10) for cron: time to act remains.
    return { ...outcome, certificateStillValid: meta !== undefined && Date.parse(meta.notAfter) > this.opts.clock.now() };
  }

  /** `issue:finished`, with the certificate now on disk: what notifications (issued, renewal failed, expiring) need. */
  private announceIssueEnd(request: IssueRequest, outcome: IssueOutcome, meta: CertificateMeta | undefined): void {
    this.hub.emit({
      type: 'issue:finished',
      at: this.opts.clock.now(),
      certName: outcome.certName,
      domains: request.domains,
      ok: outcome.ok,
      ...(outcome.notDueUntil !== undefined ? { notDue: true } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(meta
        ? { onDisk: { serial: meta.serial, notAfter: Date.parse(meta.notAfter), caId: meta.caId, domains: meta.domains, version: meta.version } }
        : {}),
    });
  }

  private async runIssueJob(request: IssueRequest, signal?: AbortSignal): Promise<IssueOutcome> {
    // Until the ACME stack is loaded, what can fail without a CA fails first, without loading it (preflight.ts).
    if (!this.acme) {
      const refused = await preflightIssue({ paths: this.opts.paths, storage: this.storage, locker: this.locker, settings: this.settings, clock: this.opts.clock }, request).then(
        () => undefined,
        (err: unknown) => err,
      );
      if (refused !== undefined) {
        const error = toErrorInfo(refused);
        const certName = request.certName ?? '';
        this.hub.emit({ type: 'log', at: this.opts.clock.now(), level: 'error', message: `${error.message}${error.hint ? ` ${error.hint}` : ''}`, ...(certName ? { certName } : {}) });
        return { certName, ok: false, orderId: '', orderIds: [], error };
      }
    }
    const { sessions, solvers, runIssueJob } = await this.loadAcme();
    return runIssueJob(
      {
        paths: this.opts.paths,
        storage: this.storage,
        locker: this.locker,
        clock: this.opts.clock,
        emit: this.hub.emit,
        sessions,
        solvers,
        controls: this.controls,
        newId: () => randomUUID().slice(0, 8),
        settings: this.settings,
        ...(this.opts.random ? { random: this.opts.random } : {}),
        ...(this.opts.validityClock ? { validityClock: this.opts.validityClock } : {}),
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

  // Operator intents go to the order's control as typed values; the order's runner acts on them and reports
  // what changed (a stop unwinds the order, keep-waiting moves the wait's deadline and emits wait:extended).
  cancel(orderId: string, reason = 'cancelled by the operator'): void {
    this.controls.get(orderId)?.send({ kind: 'cancel', reason });
  }

  retryNow(orderId: string): void {
    this.controls.get(orderId)?.send({ kind: 'retry-now' });
  }

  keepWaiting(orderId: string, extraMs?: number): void {
    this.controls.get(orderId)?.send({ kind: 'keep-waiting', ...(extraMs === undefined ? {} : { extraMs }) });
  }

  switchCa(orderId: string, caId: string): void {
    this.controls.get(orderId)?.send({ kind: 'switch', caId, reason: `switching to ${caId}` });
  }

  deploy(certName: string, opts: { only?: string[] } = {}): Promise<DeployOutcome> {
    return this.track(this.runDeploy(certName, opts));
  }

  private async runDeploy(certName: string, opts: { only?: string[]; afterIssue?: boolean }): Promise<DeployOutcome> {
    const abort = new AbortController();
    this.deployAborts.set(abort, certName);
    this.deploying.set(certName, (this.deploying.get(certName) ?? 0) + 1);
    try {
      return await runCertificateDeploy({ paths: this.opts.paths, locker: this.locker, clock: this.opts.clock, emit: this.hub.emit, certName, signal: abort.signal, ...(this.opts.env ? { env: this.opts.env } : {}), ...opts });
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

  /** The certificate's targets in full with their last results (`certdeck deploy list`). */
  describeDeployTargets(certName: string): Promise<DeployTargetDetails> {
    return describeTargets(this.opts.paths, certName);
  }

  /**
   * A target in the stored shape with every option `certdeck deploy add` has (owner, modes, retries ...), through
   * the same checks as addDeployTarget. The returned target has a stored PFX password hidden.
   */
  addDeployTargetSpec(certName: string, spec: Record<string, unknown>): Promise<{ target: DeployTarget; warnings: string[]; file: string }> {
    return this.editTargets(certName, async () => {
      const { target, warnings } = await addTargetSpec(this.opts.paths, certName, spec, this.opts.env ?? process.env);
      return { target: redactTarget(target), warnings, file: (await describeTargets(this.opts.paths, certName)).file };
    });
  }

  /** Removes a target and returns it in full (`certdeck deploy remove` describes what it removed). */
  removeDeployTargetSpec(certName: string, targetId: string): Promise<DeployTarget> {
    return this.editTargets(certName, async () => redactTarget(await removeTargetById(this.opts.paths, certName, targetId)));
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

  async listNotifiers(): Promise<NotifierInfo[]> {
    return (await loadNotifiers(this.opts.paths)).map(notifierInfo);
  }

  async addNotifier(input: NotifierInput): Promise<{ notifier: NotifierInfo; warnings: string[] }> {
    const { config, warnings } = await addNotifier(this.opts.paths, input, this.opts.env ?? process.env);
    return { notifier: notifierInfo(config), warnings };
  }

  async removeNotifier(id: string): Promise<NotifierInfo> {
    return notifierInfo(await removeNotifier(this.opts.paths, id));
  }

  testNotifiers(id?: string): Promise<DeliveryResult[]> {
    return this.track(this.notifications.test(id));
  }

  /**
   * `certdeck import CLIENT --dry-run`: reads certbot's, acme.sh's or lego's files (never writing them) and says, per
   * certificate and account, whether it will be imported, is already managed, or cannot be carried over and why.
   */
  planImport(client: ImportClient, opts: ImportOptions = {}): Promise<ImportPlan> {
    return this.track(import('./import/index.js').then(async ({ planImportFrom, visiblePlan }) => visiblePlan((await planImportFrom(this.importDeps(), client, opts)).plan)));
  }

  /**
   * Imports what a plan from planImport said it would, all or nothing; refused (nothing written) when the client's
   * files or the home changed since. The snapshot's certificate list is refreshed afterwards.
   */
  applyImport(plan: ImportPlan): Promise<ImportResult> {
    return this.track(
      import('./import/index.js').then(async ({ applyImportPlan, visiblePlan }) => {
        const result = await applyImportPlan(this.importDeps(), plan, (message) => this.hub.emit({ type: 'log', at: this.opts.clock.now(), level: 'info', message }));
        await this.loadCertificates().catch(() => undefined);
        return visiblePlan(result);
      }),
    );
  }

  private importDeps() {
    // lego's default directory is ./.lego, relative to where certdeck was started.
    return { paths: this.opts.paths, cas: this.listCas(), now: this.opts.clock.now(), clock: this.opts.clock, env: this.opts.env ?? process.env, cwd: process.cwd() };
  }

  diagnose(opts: DiagnoseOptions = {}): Promise<DiagnoseReport> {
    return this.track(import('./diagnose/index.js').then(({ runDoctor }) => runDoctor(this.diagnoseDeps(), opts)));
  }

  preflight(opts: PreflightOptions): Promise<PreflightReport> {
    return this.track(import('./diagnose/index.js').then(({ runPreflight }) => runPreflight(this.diagnoseDeps(), opts)));
  }

  /** The diagnostics read the home directly; the account check goes through the engine's own ACME sessions. */
  private diagnoseDeps() {
    return {
      paths: this.opts.paths,
      storage: this.storage,
      clock: this.opts.clock,
      ...(this.settings.caPolicies ? { caPolicies: this.settings.caPolicies } : {}),
      readAccount: async (ca: Parameters<SessionRegistry['readAccount']>[0], email: string | undefined, signal?: AbortSignal) =>
        (await this.loadAcme()).sessions.readAccount(ca, email, signal),
    };
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
    await Promise.allSettled([this.storage.close(), this.locker.close()]);
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
