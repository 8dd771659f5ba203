import type { ErrorInfo } from './core/errors.js';
import type { DelayReason, WaitPhase, WaitPolicy } from './policy.js';

/**
 * The event union: the only way state changes. Every event carries `at` (ms since epoch, from the engine's Clock)
 * so a recorded stream replays into the same snapshot, and NDJSON output is just these objects, one per line.
 */

/** RFC 8555 7.1.6 order states. */
export type AcmeOrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
export type AcmeAuthzStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';
export type AcmeChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';

/** What the engine is doing with an order (finer than the ACME status, and includes our own steps). */
export type OrderPhase =
  | 'queued'
  | 'account'
  | 'creating'
  | 'authorizing'
  | 'finalizing'
  | 'processing'
  | 'downloading'
  | 'saving'
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'abandoned';

export type OrderOutcome = 'valid' | 'failed' | 'cancelled' | 'abandoned';

export type KeyType = 'ec-p256' | 'ec-p384' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096';
export type ChallengeMethod = 'http-01-standalone' | 'http-01-webroot' | 'dns-01' | 'tls-alpn-01';

/** Where one identifier's answer stands on certdeck's side (before and after the CA validates it). */
export type ChallengeStepStatus = 'publishing' | 'published' | 'ready' | 'failed' | 'cleaned' | 'cleanup-failed';

/** One TXT record of a dns-01 propagation wait: what each checked server answered at the last check. */
export interface PropagationRecord {
  fqdn: string;
  value: string;
  servers: Array<{ server: string; seen: boolean; answer?: string }>;
}

export interface CertificateSummary {
  certName: string;
  domains: string[];
  caId: string;
  dir: string;
  serial: string;
  notBefore: number;
  notAfter: number;
  /** SHA-256 fingerprint of the leaf, hex with colons (as openssl prints it). */
  fingerprint: string;
  issuer: string;
  /**
   * The last order for this certificate, if it failed after this certificate was issued (a renewal that failed
   * while the certificate is still in use), from the journal: a cron run's failure shows in the next dashboard.
   */
  lastRenewalFailure?: RenewalFailure;
  /** When and why it is due (ARI window and chosen time, or the lifetime rule) and any retry schedule. */
  renewal?: RenewalPlan;
}

/**
 * When a certificate is to be renewed, as engine/renew decided it from what is stored (no CA asked): the time
 * chosen inside the CA's ARI window or the lifetime rule, whichever comes first, and after failed renewals when the
 * next attempt is allowed.
 */
export interface RenewalPlan {
  /** ms since the epoch. */
  dueAt: number;
  /** What decided dueAt. */
  source: 'ari' | 'lifetime';
  ari?: {
    windowStart: number;
    windowEnd: number;
    selectedAt: number;
    explanationUrl?: string;
    fetchedAt?: number;
    nextFetchAt: number;
    lastError?: string;
  };
  retry?: { failures: number; lastAt: number; lastError: string; nextAttemptAt: number };
}

/** A run of a certificate's request that failed: when, at which CA, and why. */
export interface RenewalFailure {
  at: number;
  caId: string;
  reason: string;
}

export type DeployTargetKind = 'files' | 'command' | 'pfx' | 'verify';
export type DeployStatus = 'waiting' | 'running' | 'succeeded' | 'failed' | 'timed-out' | 'skipped' | 'cancelled';

/** A configured deploy target as views see it: no settings, so nothing secret (a pfx password) ever leaves the engine. */
export interface DeployTargetInfo {
  id: string;
  kind: DeployTargetKind;
  label: string;
  /** The target's latest result on disk, from whichever process ran it (absent until it has run once). */
  last?: DeployLastResult;
}

/** A target's result in its latest run, and when that was: what the deploy view shows after a restart. */
export interface DeployLastResult {
  status: DeployStatus;
  reason?: string;
  runId: string;
  startedAt?: number;
  endedAt?: number;
  domains?: Array<{ domain: string; status: DeployStatus; reason?: string }>;
}

interface At {
  at: number;
}

export type EngineEvent =
  | (At & {
      type: 'order:queued';
      orderId: string;
      certName: string;
      domains: string[];
      caId: string;
      caName: string;
      keyType: KeyType;
      challenge: ChallengeMethod;
      policy: WaitPolicy;
      /** Set when this order re-issues another one (switch CA, fallback). */
      replaces?: string;
    })
  | (At & { type: 'order:phase'; orderId: string; phase: OrderPhase; detail?: string })
  | (At & {
      type: 'order:created';
      orderId: string;
      orderUrl: string;
      status: AcmeOrderStatus;
      /** True when the order came from the journal (a restart) instead of a new newOrder request. */
      resumed: boolean;
      /** A resumed order: when it was first created (from the journal), not when this run picked it up. */
      createdAt?: number;
      /** A resumed order already processing: when it entered processing (its finalize was sent), from the journal. */
      processingSince?: number;
      expires?: string;
    })
  | (At & { type: 'order:status'; orderId: string; status: AcmeOrderStatus })
  | (At & {
      type: 'authz:updated';
      orderId: string;
      url: string;
      domain: string;
      status: AcmeAuthzStatus;
      challengeType?: string;
      challengeStatus?: AcmeChallengeStatus;
      error?: string;
    })
  | (At & {
      type: 'challenge:status';
      orderId: string;
      domain: string;
      challengeType: string;
      status: ChallengeStepStatus;
      /** dns-01: the TXT record's name and value (public: the CA reads it from DNS). */
      record?: string;
      value?: string;
      /** Why it failed, or what a hook printed last (control characters stripped). */
      detail?: string;
    })
  | (At & {
      type: 'dns:propagation';
      orderId: string;
      /** "authoritative", "resolvers" or "wait". */
      mode: string;
      startedAt: number;
      deadlineAt: number;
      /** Checks made so far. */
      checks: number;
      /** When the next check runs; absent once every record is seen everywhere (or for a plain wait: its end). */
      nextCheckAt?: number;
      records: PropagationRecord[];
      done: boolean;
    })
  | (At & {
      type: 'wait:scheduled';
      orderId: string;
      phase: WaitPhase;
      /** 1-based number of the poll this wait leads to. */
      attempt: number;
      nextPollAt: number;
      delayMs: number;
      reason: DelayReason;
      /** When the phase gives up. */
      deadlineAt: number;
      /** When waiting in this phase began. */
      startedAt: number;
    })
  | (At & { type: 'wait:extended'; orderId: string; phase: WaitPhase; deadlineAt: number })
  | (At & { type: 'order:hung'; orderId: string; since: number; polls: number; nextPollAt: number })
  /** A request to the CA for this order has left and not yet been answered (http:exchange ends it). */
  | (At & { type: 'http:started'; orderId: string; caId: string; method: string; url: string })
  | (At & {
      type: 'http:exchange';
      orderId?: string;
      caId: string;
      method: string;
      url: string;
      status?: number;
      problemType?: string;
      problemDetail?: string;
      retryAfterMs?: number;
      durationMs: number;
      /** Network-level failure (ECONNRESET, ETIMEDOUT, ...), when there was no response. */
      errorCode?: string;
    })
  | (At & {
      type: 'retry:scheduled';
      orderId: string;
      /** What is being retried, e.g. "finalize" or "new-order". */
      operation: string;
      attempt: number;
      maxRetries: number;
      nextAttemptAt: number;
      reason: DelayReason;
      error: ErrorInfo;
    })
  | (At & {
      type: 'order:finished';
      orderId: string;
      outcome: OrderOutcome;
      error?: ErrorInfo;
      /** Why an order was cancelled or abandoned (operator action, fallback to another CA, ...). */
      reason?: string;
      /** The order that took over from this one (switch CA, fallback). */
      replacedBy?: string;
      certificate?: CertificateSummary;
    })
  /**
   * A request (`issue`, a renewal) came to its end, after every fallback: what notifications are made from. The
   * certificate on disk is the new one after a success, the old one (if any) after a failure.
   */
  | (At & {
      type: 'issue:finished';
      certName: string;
      domains: string[];
      ok: boolean;
      /** Renewal mode found the certificate not due: nothing was ordered. */
      notDue?: boolean;
      error?: ErrorInfo;
      onDisk?: { serial: string; notAfter: number; caId: string; domains: string[]; /** Archive version: > 1 means it replaced an earlier one. */ version: number };
    })
  | (At & { type: 'certificate:saved'; certificate: CertificateSummary })
  | (At & { type: 'certificate:known'; certificate: CertificateSummary })
  /** State on disk certdeck cannot read (a corrupt meta.json, a damaged cert.pem, an unreadable journal). */
  | (At & { type: 'state:problem'; certName: string; file: string; message: string; hint?: string })
  /** The certificate is no longer on disk (removed by another process or by hand). */
  | (At & { type: 'certificate:removed'; certName: string })
  | (At & { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; orderId?: string; certName?: string })
  | (At & {
      type: 'deploy:started';
      runId: string;
      certName: string;
      targets: Array<{ id: string; kind: DeployTargetKind; label: string; domains?: string[] }>;
    })
  | (At & {
      type: 'deploy:target';
      runId: string;
      targetId: string;
      /** For a verify target, the domain this status is about; absent for the target as a whole. */
      domain?: string;
      status: DeployStatus;
      reason?: string;
      attempt?: number;
    })
  | (At & { type: 'deploy:log'; runId: string; targetId: string; line: string })
  /** A certificate's configured targets, as loaded or right after an add/remove: the whole list, in run order. */
  | (At & { type: 'deploy:targets'; certName: string; targets: DeployTargetInfo[] })
  | (At & {
      type: 'deploy:finished';
      runId: string;
      certName: string;
      succeeded: number;
      failed: number;
      skipped: number;
      outcome: 'succeeded' | 'partial' | 'failed' | 'cancelled';
    });

export type EngineEventType = EngineEvent['type'];
export type EventOf<T extends EngineEventType> = Extract<EngineEvent, { type: T }>;
