import type { ErrorInfo } from './core/errors.js';
import type {
  AcmeAuthzStatus,
  AcmeChallengeStatus,
  AcmeOrderStatus,
  CertificateSummary,
  ChallengeMethod,
  DeployStatus,
  DeployTargetInfo,
  DeployTargetKind,
  ChallengeStepStatus,
  EngineEvent,
  KeyType,
  PropagationRecord,
  OrderOutcome,
  OrderPhase,
} from './events.js';
import type { DelayReason, WaitPhase, WaitPolicy } from './policy.js';

/**
 * The snapshot: everything a view may show, folded from events by a pure reducer. Objects are replaced, never
 * mutated, so React can compare by reference and a recorded event stream always replays to the same state.
 */

/** How many CA exchanges and transitions an order keeps for its timeline. */
export const TIMELINE_LIMIT = 200;
export const DEPLOY_LOG_LIMIT = 500;

export interface AuthzView {
  url: string;
  domain: string;
  status: AcmeAuthzStatus;
  challengeType?: string;
  challengeStatus?: AcmeChallengeStatus;
  error?: string;
}

/** certdeck's side of one identifier's challenge: published, propagated, cleaned up. */
export interface ChallengeView {
  domain: string;
  challengeType: string;
  status: ChallengeStepStatus;
  record?: string;
  value?: string;
  detail?: string;
  since: number;
}

/** The order's one dns-01 propagation wait, as of its last check. */
export interface PropagationView {
  mode: string;
  startedAt: number;
  deadlineAt: number;
  checks: number;
  /** When the last check ran. */
  checkedAt: number;
  nextCheckAt?: number;
  records: PropagationRecord[];
  done: boolean;
}

export interface WaitView {
  phase: WaitPhase;
  attempt: number;
  nextPollAt: number;
  delayMs: number;
  reason: DelayReason;
  deadlineAt: number;
  startedAt: number;
}

export interface RetryView {
  operation: string;
  attempt: number;
  maxRetries: number;
  nextAttemptAt: number;
  reason: DelayReason;
  error: ErrorInfo;
}

export type TimelineEntry =
  | { at: number; kind: 'phase'; phase: OrderPhase; detail?: string }
  | { at: number; kind: 'status'; status: AcmeOrderStatus }
  | {
      at: number;
      kind: 'http';
      method: string;
      url: string;
      status?: number;
      problemType?: string;
      problemDetail?: string;
      retryAfterMs?: number;
      durationMs: number;
      errorCode?: string;
    }
  | { at: number; kind: 'note'; message: string; level: 'debug' | 'info' | 'warn' | 'error' };

export interface OrderView {
  id: string;
  certName: string;
  domains: string[];
  caId: string;
  caName: string;
  keyType: KeyType;
  challenge: ChallengeMethod;
  policy: WaitPolicy;
  phase: OrderPhase;
  phaseSince: number;
  queuedAt: number;
  updatedAt: number;
  orderUrl?: string;
  acmeStatus?: AcmeOrderStatus;
  /** When the order entered "processing" at the CA (for hung detection and "processing for 4m"). */
  processingSince?: number;
  resumed: boolean;
  /** A resumed order: when it was first created (by an earlier run). */
  createdAt?: number;
  /** A request to the CA that has left and not been answered yet. */
  inFlight?: { method: string; url: string; since: number };
  authorizations: AuthzView[];
  /** Per identifier, in the order the solver reported them. */
  challenges: ChallengeView[];
  propagation?: PropagationView;
  wait?: WaitView;
  retry?: RetryView;
  /** Number of polls made in the current wait phase. */
  polls: number;
  hung?: { since: number; polls: number };
  outcome?: OrderOutcome;
  error?: ErrorInfo;
  reason?: string;
  replaces?: string;
  replacedBy?: string;
  certificate?: CertificateSummary;
  timeline: TimelineEntry[];
}

export interface DeployTargetView {
  id: string;
  kind: DeployTargetKind;
  label: string;
  status: DeployStatus;
  reason?: string;
  attempt?: number;
  startedAt?: number;
  endedAt?: number;
  domains: Array<{ domain: string; status: DeployStatus; reason?: string; startedAt?: number; endedAt?: number }>;
  log: string[];
}

export interface DeployRunView {
  runId: string;
  certName: string;
  startedAt: number;
  endedAt?: number;
  targets: DeployTargetView[];
  outcome?: 'succeeded' | 'partial' | 'failed' | 'cancelled';
  summary?: { succeeded: number; failed: number; skipped: number };
}

export interface Snapshot {
  /** Orders by id, and their ids in the order they were queued. */
  orders: Readonly<Record<string, OrderView>>;
  orderIds: readonly string[];
  /** Managed certificates by name (what is on disk). */
  certificates: Readonly<Record<string, CertificateSummary>>;
  /** Deploy runs by id, and the latest run per certificate. */
  deploys: Readonly<Record<string, DeployRunView>>;
  latestDeploy: Readonly<Record<string, string>>;
  /** Configured deploy targets per certificate; absent until the engine has loaded (or changed) that list. */
  deployTargets: Readonly<Record<string, readonly DeployTargetInfo[]>>;
  /** Engine-level messages not tied to an order. */
  log: ReadonlyArray<{ at: number; level: string; message: string; certName?: string }>;
  /** Files certdeck found and could not read, by path: shown, never hidden. */
  stateProblems: Readonly<Record<string, StateProblem>>;
}

export interface StateProblem {
  certName: string;
  file: string;
  message: string;
  hint?: string;
}

export const emptySnapshot: Snapshot = Object.freeze({
  orders: {},
  orderIds: [],
  certificates: {},
  deploys: {},
  latestDeploy: {},
  deployTargets: {},
  log: [],
  stateProblems: {},
});

const TERMINAL: ReadonlySet<OrderPhase> = new Set(['done', 'failed', 'cancelled', 'abandoned']);

export function isTerminal(phase: OrderPhase): boolean {
  return TERMINAL.has(phase);
}

function push<T>(list: readonly T[], item: T, limit: number): T[] {
  const next = [...list, item];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

function updateOrder(s: Snapshot, id: string, at: number, f: (o: OrderView) => OrderView): Snapshot {
  const o = s.orders[id];
  if (!o) return s;
  return { ...s, orders: { ...s.orders, [id]: { ...f(o), updatedAt: at } } };
}

function updateTarget(
  s: Snapshot,
  runId: string,
  targetId: string,
  f: (t: DeployTargetView) => DeployTargetView,
): Snapshot {
  const run = s.deploys[runId];
  if (!run) return s;
  const targets = run.targets.map((t) => (t.id === targetId ? f(t) : t));
  return { ...s, deploys: { ...s.deploys, [runId]: { ...run, targets } } };
}

/** The answer to the request in flight ends it (another request's answer leaves it showing). */
function withoutInFlight(o: OrderView, method: string, url: string): OrderView {
  if (!o.inFlight || o.inFlight.method !== method || o.inFlight.url !== url) return o;
  const { inFlight: _f, ...rest } = o;
  return rest;
}

const RUNNING_DEPLOY: ReadonlySet<DeployStatus> = new Set(['running']);

export function reduce(s: Snapshot, e: EngineEvent): Snapshot {
  switch (e.type) {
    case 'order:queued': {
      const order: OrderView = {
        id: e.orderId,
        certName: e.certName,
        domains: e.domains,
        caId: e.caId,
        caName: e.caName,
        keyType: e.keyType,
        challenge: e.challenge,
        policy: e.policy,
        phase: 'queued',
        phaseSince: e.at,
        queuedAt: e.at,
        updatedAt: e.at,
        resumed: false,
        authorizations: [],
        challenges: [],
        polls: 0,
        timeline: [{ at: e.at, kind: 'phase', phase: 'queued' }],
        ...(e.replaces === undefined ? {} : { replaces: e.replaces }),
      };
      return { ...s, orders: { ...s.orders, [e.orderId]: order }, orderIds: [...s.orderIds, e.orderId] };
    }
    case 'order:phase':
      return updateOrder(s, e.orderId, e.at, (o) => {
        const changed = o.phase !== e.phase;
        const { wait: _wait, retry: _retry, ...rest } = o;
        const leavesWait = changed;
        const base = leavesWait ? { ...rest, polls: 0 } : o;
        // In processing since the CA said so (or, resumed, since the journal's finalize), not since this event.
        const since = e.phase === 'processing' && o.processingSince !== undefined ? Math.min(o.processingSince, e.at) : e.at;
        return {
          ...base,
          phase: e.phase,
          phaseSince: changed ? since : o.phaseSince,
          timeline: push(o.timeline, { at: e.at, kind: 'phase', phase: e.phase, ...(e.detail ? { detail: e.detail } : {}) }, TIMELINE_LIMIT),
        };
      });
    case 'order:created':
      return updateOrder(s, e.orderId, e.at, (o) => ({
        ...o,
        orderUrl: e.orderUrl,
        acmeStatus: e.status,
        resumed: e.resumed,
        ...(e.createdAt === undefined ? {} : { createdAt: e.createdAt }),
        ...(e.status === 'processing' && o.processingSince === undefined ? { processingSince: e.processingSince ?? e.at } : {}),
        timeline: push(o.timeline, { at: e.at, kind: 'status', status: e.status }, TIMELINE_LIMIT),
      }));
    case 'order:status':
      return updateOrder(s, e.orderId, e.at, (o) => {
        if (o.acmeStatus === e.status) return o;
        const processingSince =
          e.status === 'processing' ? (o.processingSince ?? e.at) : undefined;
        const { processingSince: _p, hung: _h, ...rest } = o;
        return {
          ...rest,
          acmeStatus: e.status,
          ...(processingSince === undefined ? {} : { processingSince }),
          ...(e.status === 'processing' && o.hung ? { hung: o.hung } : {}),
          timeline: push(o.timeline, { at: e.at, kind: 'status', status: e.status }, TIMELINE_LIMIT),
        };
      });
    case 'authz:updated':
      return updateOrder(s, e.orderId, e.at, (o) => {
        const view: AuthzView = {
          url: e.url,
          domain: e.domain,
          status: e.status,
          ...(e.challengeType === undefined ? {} : { challengeType: e.challengeType }),
          ...(e.challengeStatus === undefined ? {} : { challengeStatus: e.challengeStatus }),
          ...(e.error === undefined ? {} : { error: e.error }),
        };
        const exists = o.authorizations.some((a) => a.url === e.url);
        const authorizations = exists
          ? o.authorizations.map((a) => (a.url === e.url ? view : a))
          : [...o.authorizations, view];
        return { ...o, authorizations };
      });
    case 'challenge:status':
      return updateOrder(s, e.orderId, e.at, (o) => {
        const view: ChallengeView = {
          domain: e.domain,
          challengeType: e.challengeType,
          status: e.status,
          since: e.at,
          ...(e.record === undefined ? {} : { record: e.record }),
          ...(e.value === undefined ? {} : { value: e.value }),
          ...(e.detail === undefined ? {} : { detail: e.detail }),
        };
        const exists = o.challenges.some((c) => c.domain === e.domain);
        const challenges = exists ? o.challenges.map((c) => (c.domain === e.domain ? view : c)) : [...o.challenges, view];
        const noteworthy = e.status === 'failed' || e.status === 'cleanup-failed';
        return {
          ...o,
          challenges,
          ...(noteworthy
            ? { timeline: push(o.timeline, { at: e.at, kind: 'note', level: 'warn', message: `${e.challengeType} ${e.domain}: ${e.status}${e.detail ? `: ${e.detail}` : ''}` }, TIMELINE_LIMIT) }
            : {}),
        };
      });
    case 'dns:propagation':
      return updateOrder(s, e.orderId, e.at, (o) => ({
        ...o,
        propagation: {
          mode: e.mode,
          startedAt: e.startedAt,
          deadlineAt: e.deadlineAt,
          checks: e.checks,
          checkedAt: e.at,
          records: e.records,
          done: e.done,
          ...(e.nextCheckAt === undefined ? {} : { nextCheckAt: e.nextCheckAt }),
        },
        ...(e.done ? { timeline: push(o.timeline, { at: e.at, kind: 'note', level: 'info', message: `dns-01: ${e.records.length} record(s) propagated after ${e.checks} check(s)` }, TIMELINE_LIMIT) } : {}),
      }));
    case 'wait:scheduled':
      return updateOrder(s, e.orderId, e.at, (o) => {
        const { retry: _r, ...rest } = o;
        return {
          ...rest,
          polls: e.attempt - 1,
          wait: {
            phase: e.phase,
            attempt: e.attempt,
            nextPollAt: e.nextPollAt,
            delayMs: e.delayMs,
            reason: e.reason,
            deadlineAt: e.deadlineAt,
            startedAt: e.startedAt,
          },
          ...(o.hung ? { hung: { ...o.hung, polls: e.attempt - 1 } } : {}),
        };
      });
    case 'wait:extended':
      return updateOrder(s, e.orderId, e.at, (o) => {
        const { hung: _h, ...rest } = o;
        return {
          ...rest,
          ...(o.wait ? { wait: { ...o.wait, deadlineAt: e.deadlineAt } } : {}),
          timeline: push(o.timeline, { at: e.at, kind: 'note', level: 'info', message: `deadline extended to ${new Date(e.deadlineAt).toISOString()}` }, TIMELINE_LIMIT),
        };
      });
    case 'order:hung':
      return updateOrder(s, e.orderId, e.at, (o) => ({
        ...o,
        hung: { since: e.since, polls: e.polls },
        timeline: push(o.timeline, { at: e.at, kind: 'note', level: 'warn', message: `hung: processing since ${new Date(e.since).toISOString()} after ${e.polls} polls` }, TIMELINE_LIMIT),
      }));
    case 'http:started':
      return updateOrder(s, e.orderId, e.at, (o) => ({ ...o, inFlight: { method: e.method, url: e.url, since: e.at } }));
    case 'http:exchange': {
      if (!e.orderId) return s;
      return updateOrder(s, e.orderId, e.at, (o) => ({
        ...withoutInFlight(o, e.method, e.url),
        timeline: push(
          o.timeline,
          {
            at: e.at,
            kind: 'http',
            method: e.method,
            url: e.url,
            durationMs: e.durationMs,
            ...(e.status === undefined ? {} : { status: e.status }),
            ...(e.problemType === undefined ? {} : { problemType: e.problemType }),
            ...(e.problemDetail === undefined ? {} : { problemDetail: e.problemDetail }),
            ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }),
            ...(e.errorCode === undefined ? {} : { errorCode: e.errorCode }),
          },
          TIMELINE_LIMIT,
        ),
      }));
    }
    case 'retry:scheduled':
      return updateOrder(s, e.orderId, e.at, (o) => ({
        ...o,
        retry: {
          operation: e.operation,
          attempt: e.attempt,
          maxRetries: e.maxRetries,
          nextAttemptAt: e.nextAttemptAt,
          reason: e.reason,
          error: e.error,
        },
      }));
    case 'order:finished':
      return updateOrder(s, e.orderId, e.at, (o) => {
        const { wait: _w, retry: _r, hung, inFlight: _f, ...rest } = o;
        const phase: OrderPhase =
          e.outcome === 'valid' ? 'done' : e.outcome === 'failed' ? 'failed' : e.outcome;
        return {
          ...rest,
          // A hung flag stays on a cancelled or abandoned order: it is why it ended.
          ...(hung && e.outcome !== 'valid' ? { hung } : {}),
          phase,
          phaseSince: e.at,
          outcome: e.outcome,
          ...(e.error ? { error: e.error } : {}),
          ...(e.reason ? { reason: e.reason } : {}),
          ...(e.replacedBy ? { replacedBy: e.replacedBy } : {}),
          ...(e.certificate ? { certificate: e.certificate } : {}),
          timeline: push(o.timeline, { at: e.at, kind: 'phase', phase, ...(e.reason ? { detail: e.reason } : e.error ? { detail: e.error.message } : {}) }, TIMELINE_LIMIT),
        };
      });
    case 'issue:finished':
      // The orders' own events already put everything in the snapshot; this one is for notifications and reporters.
      return s;
    case 'certificate:saved': {
      // A certificate saved anew replaces whatever was unreadable about its files.
      const live = `${e.certificate.dir}/`;
      const stateProblems = Object.fromEntries(Object.entries(s.stateProblems).filter(([file, p]) => p.certName !== e.certificate.certName || !file.startsWith(live)));
      return { ...s, certificates: { ...s.certificates, [e.certificate.certName]: e.certificate }, stateProblems };
    }
    case 'certificate:known':
      return { ...s, certificates: { ...s.certificates, [e.certificate.certName]: e.certificate } };
    case 'state:problem':
      return {
        ...s,
        stateProblems: { ...s.stateProblems, [e.file]: { certName: e.certName, file: e.file, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } },
      };
    case 'certificate:removed': {
      if (!(e.certName in s.certificates)) return s;
      const { [e.certName]: _gone, ...certificates } = s.certificates;
      return { ...s, certificates };
    }
    case 'log': {
      if (e.orderId && s.orders[e.orderId]) {
        return updateOrder(s, e.orderId, e.at, (o) => ({
          ...o,
          timeline: push(o.timeline, { at: e.at, kind: 'note', level: e.level, message: e.message }, TIMELINE_LIMIT),
        }));
      }
      return {
        ...s,
        log: push(s.log, { at: e.at, level: e.level, message: e.message, ...(e.certName ? { certName: e.certName } : {}) }, TIMELINE_LIMIT),
      };
    }
    case 'deploy:started': {
      const run: DeployRunView = {
        runId: e.runId,
        certName: e.certName,
        startedAt: e.at,
        targets: e.targets.map((t) => ({
          id: t.id,
          kind: t.kind,
          label: t.label,
          status: 'waiting',
          domains: (t.domains ?? []).map((domain) => ({ domain, status: 'waiting' as const })),
          log: [],
        })),
      };
      return {
        ...s,
        deploys: { ...s.deploys, [e.runId]: run },
        latestDeploy: { ...s.latestDeploy, [e.certName]: e.runId },
      };
    }
    case 'deploy:target':
      return updateTarget(s, e.runId, e.targetId, (t) => {
        const timing = (prev: { startedAt?: number; endedAt?: number }) =>
          RUNNING_DEPLOY.has(e.status)
            ? { startedAt: e.at }
            : e.status === 'waiting'
              ? {}
              : { ...(prev.startedAt === undefined ? {} : { startedAt: prev.startedAt }), endedAt: e.at };
        if (e.domain !== undefined) {
          const known = t.domains.some((d) => d.domain === e.domain);
          const entry = (prev: { startedAt?: number; endedAt?: number }) => ({
            domain: e.domain!,
            status: e.status,
            ...(e.reason === undefined ? {} : { reason: e.reason }),
            ...timing(prev),
          });
          const domains = known
            ? t.domains.map((d) => (d.domain === e.domain ? entry(d) : d))
            : [...t.domains, entry({})];
          return { ...t, domains };
        }
        const { reason: _r, startedAt, endedAt, ...rest } = t;
        const prev = { ...(startedAt === undefined ? {} : { startedAt }), ...(endedAt === undefined ? {} : { endedAt }) };
        return {
          ...rest,
          status: e.status,
          ...(e.reason === undefined ? {} : { reason: e.reason }),
          ...(e.attempt === undefined ? {} : { attempt: e.attempt }),
          ...timing(prev),
        };
      });
    case 'deploy:log':
      return updateTarget(s, e.runId, e.targetId, (t) => ({ ...t, log: push(t.log, e.line, DEPLOY_LOG_LIMIT) }));
    case 'deploy:targets':
      return { ...s, deployTargets: { ...s.deployTargets, [e.certName]: e.targets } };
    case 'deploy:finished': {
      const run = s.deploys[e.runId];
      if (!run) return s;
      return {
        ...s,
        deploys: {
          ...s.deploys,
          [e.runId]: {
            ...run,
            endedAt: e.at,
            outcome: e.outcome,
            summary: { succeeded: e.succeeded, failed: e.failed, skipped: e.skipped },
          },
        },
      };
    }
  }
}

/** Folds a recorded stream; `reduce` is pure, so this is the same state the live engine had. */
export function replay(events: Iterable<EngineEvent>, from: Snapshot = emptySnapshot): Snapshot {
  let s = from;
  for (const e of events) s = reduce(s, e);
  return s;
}
