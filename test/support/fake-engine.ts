import type { CaInfo, DeployOutcome, EngineApi, IssueOutcome, IssueRequest } from '../../src/engine/api.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { DEFAULT_POLICY } from '../../src/engine/policy.js';
import { emptySnapshot, reduce, type Snapshot } from '../../src/engine/state.js';

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

export type ActionName = 'issue' | 'cancel' | 'retryNow' | 'keepWaiting' | 'switchCa' | 'deploy' | 'close';

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
  /** Resolvers for issue() calls still open, oldest first; `settleIssue` ends them. */
  private readonly openIssues: Array<(outcome: IssueOutcome) => void> = [];

  constructor(opts: FakeEngineOptions = {}) {
    this.cas = opts.cas ?? DEFAULT_TEST_CAS;
    this.reactions = opts.reactions;
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
    return Promise.resolve({ runId: `run-${this.calls.length}`, certName, outcome: 'succeeded', succeeded: 0, failed: 0, skipped: 0 });
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
