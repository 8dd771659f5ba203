import type {
  AccountInfo,
  AccountInput,
  AddedDeployTarget,
  CaDirectoryInfo,
  CaInfo,
  CheckProgress,
  DeployOutcome,
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
} from '../../src/engine/api.js';
import type { ImportClient, ImportOptions, ImportPlan, ImportResult } from '../../src/engine/api.js';
import { BadInputError } from '../../src/engine/core/errors.js';
import type { DeployTargetInfo, EngineEvent } from '../../src/engine/events.js';
import { DEFAULT_POLICY } from '../../src/engine/policy.js';
import { emptySnapshot, reduce, type Snapshot } from '../../src/engine/state.js';
import { summarizeOrders, type HistoryRecord, type OrderHistorySummary } from '../../src/engine/history-view.js';

/**
 * An EngineApi for view tests: the snapshot is folded from scripted events by the real reducer, so a view sees
 * exactly what it would see from the real engine, and every action a view calls is recorded (and does nothing
 * else unless a test scripts a reaction).
 *
 *   const engine = new FakeEngine({ cas: [LETSENCRYPT, ZEROSSL] });
 *   engine.emit(queued('o1', ...), phase('o1', 'processing'));
 *   ...press 'r'...
 *   assert.deepEqual(engine.callsOf('retryNow'), [['o1']]);
 */

export type ActionName =
  | 'issue'
  | 'cancel'
  | 'retryNow'
  | 'keepWaiting'
  | 'switchCa'
  | 'deploy'
  | 'listDeployTargets'
  | 'addDeployTarget'
  | 'removeDeployTarget'
  | 'diagnose'
  | 'preflight'
  | 'cancelDeploy'
  | 'refresh'
  | 'watchStore'
  | 'listAccounts'
  | 'addAccount'
  | 'readCaDirectory'
  | 'planImport'
  | 'applyImport'
  | 'close';

export interface RecordedCall {
  method: ActionName;
  args: unknown[];
}

export interface FakeEngineOptions {
  cas?: CaInfo[];
  /** Events folded in before the view mounts. */
  events?: EngineEvent[];
  /** Events to emit in answer to an action (e.g. order:finished after cancel). */
  reactions?: Partial<Record<ActionName, (...args: unknown[]) => EngineEvent[]>>;
  /**
   * Configured deploy targets per certificate, what listDeployTargets loads into the snapshot. A certificate not
   * listed here gets no deploy:targets event from it, so the deploy view shows its latest run as it did before.
   */
  deployTargets?: Record<string, DeployTargetInfo[]>;
  /** What issueDefaults() answers (the settings' defaults). @default ec-p256, no CA */
  defaults?: IssueDefaults;
  /** Stored requests per certificate, what storedRequest() answers. */
  storedRequests?: Record<string, StoredRequestInfo>;
  /** The recorded order history readHistory/orderHistory answer from (as if read from the state home). */
  history?: HistoryRecord[];
  /**
   * What listAccounts() answers. @default one valid account (ops@example.test) at each CA, as in a home that has
   * ordered before; pass [] for a first run, where the form and the setup must ask for the terms of service.
   */
  accounts?: AccountInfo[];
  /** Terms-of-service URL per CA id, what readCaDirectory() answers. @default https://127.0.0.1/tos/<id> */
  termsOfService?: Record<string, string>;
  /** What preflight() answers, given its options; it may stream progress through `opts.onProgress` first. */
  preflightReport?: (opts: PreflightOptions) => PreflightReport;
  /** Makes addAccount reject (e.g. the CA refuses the e-mail); return undefined to accept. */
  refuseAccount?: (input: AccountInput) => Error | undefined;
  /** Makes a target edit reject, as the real engine does when it refuses one (return undefined to accept). */
  refuse?: {
    addDeployTarget?: (certName: string, input: DeployTargetInput) => Error | undefined;
    removeDeployTarget?: (certName: string, targetId: string) => Error | undefined;
  };
}

export const DEFAULT_TEST_CAS: CaInfo[] = [
  { id: 'letsencrypt', name: "Let's Encrypt", directoryUrl: 'https://127.0.0.1:14000/dir', eabRequired: false, notes: [], staging: false, policy: DEFAULT_POLICY },
  {
    id: 'zerossl',
    name: 'ZeroSSL',
    directoryUrl: 'https://127.0.0.1:14001/dir',
    eabRequired: true,
    notes: ['Orders often sit in processing for minutes.'],
    staging: false,
    policy: DEFAULT_POLICY,
  },
  { id: 'google', name: 'Google Trust Services', directoryUrl: 'https://127.0.0.1:14002/dir', eabRequired: true, notes: [], staging: false, policy: DEFAULT_POLICY },
];

export class FakeEngine implements EngineApi {
  readonly calls: RecordedCall[] = [];
  private snapshot: Snapshot;
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: EngineEvent) => void>();
  private readonly cas: CaInfo[];
  private readonly reactions: FakeEngineOptions['reactions'];
  private readonly targets: Map<string, DeployTargetInfo[]>;
  private readonly refuse: NonNullable<FakeEngineOptions['refuse']>;
  private readonly defaults: IssueDefaults;
  private readonly storedRequests: Record<string, StoredRequestInfo>;
  private readonly history: HistoryRecord[] | undefined;
  private readonly opts: FakeEngineOptions;
  /** Accounts as listAccounts() answers, including those addAccount() created. */
  readonly accounts: AccountInfo[];
  /** Resolvers for issue() calls still open, oldest first; `settleIssue` ends them. */
  private readonly openIssues: Array<(outcome: IssueOutcome) => void> = [];
  /** diagnose() calls still open, oldest first: `diagnoseProgress` streams into the latest, `settleDiagnose` ends the oldest. */
  private readonly openDiagnoses: Array<{ opts: DiagnoseOptions; resolve: (report: DiagnoseReport) => void }> = [];

  constructor(opts: FakeEngineOptions = {}) {
    this.cas = opts.cas ?? DEFAULT_TEST_CAS;
    this.reactions = opts.reactions;
    this.targets = new Map(Object.entries(opts.deployTargets ?? {}));
    this.refuse = opts.refuse ?? {};
    this.defaults = opts.defaults ?? { keyType: 'ec-p256', fallback: [] };
    this.storedRequests = opts.storedRequests ?? {};
    this.history = opts.history;
    this.opts = opts;
    this.accounts = [...(opts.accounts ?? this.cas.map((c) => fakeAccount(c.id, c.directoryUrl, 'ops@example.test')))];
    this.snapshot = (opts.events ?? []).reduce(reduce, emptySnapshot);
  }

  /** Folds events into the snapshot and notifies subscribers once, as the engine's batching does. */
  emit(...events: EngineEvent[]): void {
    for (const e of events) {
      this.snapshot = reduce(this.snapshot, e);
      for (const l of [...this.eventListeners]) l(e);
    }
    for (const l of [...this.listeners]) l();
  }

  /** Arguments of every call to `method`, in order. */
  callsOf(method: ActionName): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  getSnapshot(): Snapshot {
    return this.snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  listCas(): CaInfo[] {
    return this.cas;
  }

  issueDefaults(): IssueDefaults {
    return this.defaults;
  }

  storageInfo() {
    return { kind: 'file' as const, location: '/tmp/certdeck-fake', encryptedSecrets: false };
  }

  storedRequest(certName: string): Promise<StoredRequestInfo | undefined> {
    return Promise.resolve(this.storedRequests[certName]);
  }

  async readHistory(certName: string, opts: { orderId?: string } = {}): Promise<HistoryRecord[]> {
    return (this.history ?? []).filter((r) => r.certName === certName && (opts.orderId === undefined || ('orderId' in r && r.orderId === opts.orderId)));
  }

  async orderHistory(certName?: string): Promise<OrderHistorySummary[]> {
    return summarizeOrders((this.history ?? []).filter((r) => certName === undefined || r.certName === certName));
  }

  issue(request: IssueRequest): Promise<IssueOutcome> {
    this.record('issue', [request]);
    return new Promise((resolve) => this.openIssues.push(resolve));
  }

  /** Resolves the oldest open issue() call. */
  settleIssue(outcome: IssueOutcome): void {
    this.openIssues.shift()?.(outcome);
  }

  cancel(orderId: string, reason?: string): void {
    this.record('cancel', reason === undefined ? [orderId] : [orderId, reason]);
  }

  retryNow(orderId: string): void {
    this.record('retryNow', [orderId]);
  }

  keepWaiting(orderId: string, extraMs?: number): void {
    this.record('keepWaiting', extraMs === undefined ? [orderId] : [orderId, extraMs]);
  }

  switchCa(orderId: string, caId: string): void {
    this.record('switchCa', [orderId, caId]);
  }

  deploy(certName: string, opts?: { only?: string[] }): Promise<DeployOutcome> {
    this.record('deploy', opts === undefined ? [certName] : [certName, opts]);
    return Promise.resolve({ runId: `run-${this.calls.length}`, certName, outcome: 'succeeded', succeeded: 0, failed: 0, skipped: 0, targets: [] });
  }

  listDeployTargets(certName: string): Promise<DeployTargetInfo[]> {
    this.record('listDeployTargets', [certName]);
    const targets = this.targets.get(certName);
    if (targets) this.emitTargets(certName, targets);
    return Promise.resolve(targets ?? []);
  }

  addDeployTarget(certName: string, input: DeployTargetInput): Promise<AddedDeployTarget> {
    this.record('addDeployTarget', [certName, input]);
    const refused = this.refuse.addDeployTarget?.(certName, input);
    if (refused) return Promise.reject(refused);
    const list = this.targets.get(certName) ?? [];
    const target: DeployTargetInfo = { id: input.id ?? `${input.kind}-${list.length + 1}`, kind: input.kind, label: fakeLabel(input) };
    this.emitTargets(certName, [...list, target]);
    return Promise.resolve({ target, warnings: [] });
  }

  removeDeployTarget(certName: string, targetId: string): Promise<DeployTargetInfo> {
    this.record('removeDeployTarget', [certName, targetId]);
    const refused = this.refuse.removeDeployTarget?.(certName, targetId);
    if (refused) return Promise.reject(refused);
    const list = this.targets.get(certName) ?? [];
    const target = list.find((t) => t.id === targetId);
    if (!target) return Promise.reject(new BadInputError('unknown-target', `${certName} has no deploy target "${targetId}"`));
    this.emitTargets(certName, list.filter((t) => t !== target));
    return Promise.resolve(target);
  }

  /** The current configured list of a certificate, as the fake engine holds it. */
  deployTargetsOf(certName: string): DeployTargetInfo[] | undefined {
    return this.targets.get(certName);
  }

  private emitTargets(certName: string, targets: DeployTargetInfo[]): void {
    this.targets.set(certName, targets);
    // The reducer does not read `at` for this event; scripted events carry the times that matter.
    this.emit({ type: 'deploy:targets', at: 0, certName, targets });
  }

  diagnose(opts: DiagnoseOptions = {}): Promise<DiagnoseReport> {
    this.record('diagnose', [opts]);
    return new Promise((resolve) => this.openDiagnoses.push({ opts, resolve }));
  }

  /** Streams check progress (and the findings of finished checks) to the latest diagnose() call, as the engine does. */
  diagnoseProgress(...events: CheckProgress[]): void {
    const open = this.openDiagnoses[this.openDiagnoses.length - 1];
    for (const e of events) {
      open?.opts.onProgress?.(e);
      if (e.type === 'finished') for (const f of e.findings) open?.opts.onFinding?.(f);
    }
  }

  settleDiagnose(report: DiagnoseReport): void {
    this.openDiagnoses.shift()?.resolve(report);
  }

  preflight(opts: PreflightOptions): Promise<PreflightReport> {
    this.record('preflight', [opts]);
    const scripted = this.opts.preflightReport?.(opts);
    return Promise.resolve(scripted ?? { certNames: [], findings: [], checks: [], counts: { error: 0, warning: 0, info: 0 }, exitCode: 0, names: [], blocking: false });
  }

  listAccounts(): Promise<AccountInfo[]> {
    this.record('listAccounts', []);
    return Promise.resolve([...this.accounts]);
  }

  addAccount(input: AccountInput): Promise<{ account: AccountInfo; created: boolean }> {
    this.record('addAccount', [input]);
    const refused = this.opts.refuseAccount?.(input);
    if (refused) return Promise.reject(refused);
    if (!input.agreeTos) return Promise.reject(new BadInputError('tos-required', 'Creating an account requires agreeing to its terms of service.'));
    const ca = this.cas.find((c) => c.id === input.ca);
    const id = `${input.ca}/${input.email ?? 'default'}`;
    const existing = this.accounts.find((a) => a.id === id);
    if (existing) return Promise.resolve({ account: existing, created: false });
    const account = fakeAccount(input.ca, ca?.directoryUrl ?? input.ca, input.email, this.tosOf(input.ca));
    this.accounts.push(account);
    return Promise.resolve({ account, created: true });
  }

  readCaDirectory(ca: string): Promise<CaDirectoryInfo> {
    this.record('readCaDirectory', [ca]);
    const info = this.cas.find((c) => c.id === ca);
    return Promise.resolve({ caId: ca, caName: info?.name ?? ca, directoryUrl: info?.directoryUrl ?? ca, termsOfService: this.tosOf(ca), externalAccountRequired: info?.eabRequired ?? false });
  }

  private tosOf(ca: string): string {
    return this.opts.termsOfService?.[ca] ?? `https://127.0.0.1/tos/${ca}`;
  }

  cancelDeploy(certName: string, reason?: string): boolean {
    this.record('cancelDeploy', reason === undefined ? [certName] : [certName, reason]);
    return true;
  }

  refresh(): Promise<void> {
    this.record('refresh', []);
    return Promise.resolve();
  }

  watchStore(opts?: { pollMs?: number }): () => void {
    this.record('watchStore', opts === undefined ? [] : [opts]);
    return () => undefined;
  }

  /** What planImport answers (set by an import screen test); without it, planImport rejects like a missing directory. */
  importPlan: ImportPlan | undefined;

  planImport(client: ImportClient, opts: ImportOptions = {}): Promise<ImportPlan> {
    this.record('planImport', [client, opts]);
    if (!this.importPlan) return Promise.reject(new BadInputError('import-dir-missing', `There is no ${client} directory.`));
    return Promise.resolve({ ...this.importPlan, client });
  }

  applyImport(plan: ImportPlan): Promise<ImportResult> {
    this.record('applyImport', [plan]);
    return Promise.resolve({
      plan,
      imported: { certificates: plan.certificates.filter((c) => c.action === 'import').map((c) => c.certName), accounts: plan.accounts.filter((a) => a.action === 'import').map((a) => a.accountId ?? a.sourceId) },
    });
  }

  close(): Promise<void> {
    this.record('close', []);
    return Promise.resolve();
  }

  private record(method: ActionName, args: unknown[]): void {
    this.calls.push({ method, args });
    const react = this.reactions?.[method];
    if (react) this.emit(...react(...args));
  }
}

export function fakeAccount(caId: string, directoryUrl: string, email: string | undefined, tos = `https://127.0.0.1/tos/${caId}`): AccountInfo {
  return {
    id: `${caId}/${email ?? 'default'}`,
    caId,
    directoryUrl,
    ...(email ? { email } : {}),
    status: 'valid',
    termsOfService: { agreed: true, url: tos, agreedAt: '2026-01-01T00:00:00.000Z' },
    createdAt: '2026-01-01T00:00:00.000Z',
    certificates: [],
  };
}

/** Labels like the real defaults (target-schema.ts), enough for a view test to find the row. */
function fakeLabel(input: DeployTargetInput): string {
  switch (input.kind) {
    case 'files':
      return `files -> ${input.dir}`;
    case 'command':
      return `run ${input.argv.join(' ')}`;
    case 'pfx':
      return `pfx -> ${input.out}`;
    case 'verify':
      return `verify ${input.hosts.length ? input.hosts.join(', ') : 'all names on :443'}`;
  }
}
