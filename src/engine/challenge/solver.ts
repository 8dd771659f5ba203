import type { Clock } from '../core/clock.js';
import type { EngineEvent } from '../events.js';

/** The three ACME challenge types certdeck answers (RFC 8555 8.3, 8.4; RFC 8737). */
export type ChallengeType = 'http-01' | 'dns-01' | 'tls-alpn-01';

/** One identifier's challenge, as the order runner hands it to a solver. */
export interface ChallengeTask {
  /** The name as it appears on the certificate: `*.example.com` for a wildcard authorization. */
  domain: string;
  /** The authorization's identifier (RFC 8555 7.1.4: a wildcard's is its base name, without `*.`). */
  identifier: string;
  wildcard: boolean;
  token: string;
  /**
   * What this challenge type publishes: the key authorization for http-01 and tls-alpn-01, its base64url SHA-256
   * digest for dns-01 (acme-client's getChallengeKeyAuthorization).
   */
  keyAuthorization: string;
}

/** A DNS TXT record a dns-01 solver published, as the journal keeps it so a later run can take it away again. */
export interface PublishedRecord {
  /** `_acme-challenge.example.com.` (absolute, trailing dot: lego's convention). */
  fqdn: string;
  value: string;
  /** The name on the certificate this record answers for (`*.example.com` or `example.com`: same fqdn). */
  domain: string;
  /** The authorization's identifier (certbot's CERTBOT_DOMAIN). */
  identifier: string;
  /** Every identifier of the order's dns-01 challenges, in order (CERTBOT_ALL_DOMAINS). */
  allIdentifiers: string[];
  /** Challenges after this one (CERTBOT_REMAINING_CHALLENGES). */
  remaining: number;
  /** The auth hook's stdout (certbot's CERTBOT_AUTH_OUTPUT for the cleanup hook), control characters stripped. */
  authOutput?: string;
}

/** Where a solver writes what it published before it publishes it, so a crash leaves a note to clean up from. */
export interface SolverJournalPort {
  recordPublished(records: PublishedRecord[]): Promise<void>;
  recordCleaned(records: PublishedRecord[]): Promise<void>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface SolverContext {
  orderId: string;
  /** The order's signal: cancel, SIGINT/SIGTERM. Cleanup never uses it (cleanup must run after a cancel). */
  signal: AbortSignal;
  clock: Clock;
  emit: (event: DistributiveOmit<EngineEvent, 'at'>) => void;
  journal: SolverJournalPort;
}

/**
 * How certdeck proves control of identifiers, whatever the challenge type. The order runner drives it per order:
 *
 *   const attempt = solver.begin(ctx);
 *   try { await attempt.prepare(tasks); answer every challenge at the CA; poll } finally { await attempt.cleanup(); }
 *
 * `prepare` makes every identifier's answer visible before any challenge is answered (for dns-01: every record of
 * the order published and seen propagated, one wait per order); `cleanup` takes away whatever prepare put in place,
 * including after prepare failed halfway, and never throws. Solvers are shared by concurrent orders (a port can be
 * bound once); everything per-order lives in the attempt.
 */
export interface ChallengeSolver {
  readonly type: ChallengeType;
  /** Short text for logs: "standalone HTTP-01 server on 127.0.0.1:5002", "dns-01 via hook /etc/dns-hook". */
  readonly description: string;
  begin(ctx: SolverContext): ChallengeAttempt;
  /** Releases what the solver holds (a listening socket). */
  close(): Promise<void>;
}

export interface ChallengeAttempt {
  prepare(tasks: ChallengeTask[]): Promise<void>;
  /**
   * Resolves once the CA's validator has fetched this task's answer, when the solver can see that (the built-in
   * servers can; a webroot or DNS served by another program cannot). The order runner polls right after it.
   */
  answered?(task: ChallengeTask): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * Puts HTTP-01 responses where the CA's validator will look (RFC 8555 8.3) and always takes them away again.
 * Shared by concurrent orders; `present` returns the function that removes what it added.
 */
export interface Http01Solver {
  /** Short text for logs: "standalone on 127.0.0.1:5002" or "webroot /var/www/html". */
  readonly description: string;
  present(token: string, keyAuthorization: string): Promise<() => Promise<void>>;
  answered?(token: string): Promise<void>;
  /** Releases what the solver holds (a listening socket). */
  close(): Promise<void>;
}

export const CHALLENGE_PATH = '/.well-known/acme-challenge/';

/** RFC 8555 8.1: tokens are base64url; refusing anything else keeps a hostile token from escaping the webroot. */
export function isSafeToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{1,256}$/.test(token);
}
