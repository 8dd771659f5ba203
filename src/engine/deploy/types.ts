import type { DeployStatus, DeployTargetKind } from '../events.js';

/**
 * Deploy targets as stored in `deployDir/<certName>.json`. A discriminated union on `kind`; every target carries
 * the same run settings (timeout, retries, continueOnFailure) so the runner treats them alike and each keeps its
 * own result.
 */

export interface RetrySettings {
  /** Extra attempts after the first one fails. @default 0 */
  count: number;
  /** Wait before the first retry, doubled for each further one (capped at 60 s). @default 2000 */
  backoffMs: number;
}

interface TargetCommon {
  /** Stable id, e.g. "files-1" or one the user chose; what `--only` and `deploy remove` name. */
  id: string;
  label: string;
  /**
   * Per attempt for files, pfx and command; for verify, how long each name may take to serve the new certificate.
   * @default see DEFAULT_TIMEOUT_MS
   */
  timeoutMs: number;
  retries: RetrySettings;
  /**
   * When this target fails, run the later targets anyway (true) or skip them (false). Targets are independent by
   * default: one failure must not hide whether the others worked. Set false on e.g. a files target that a reload
   * command depends on. @default true
   */
  continueOnFailure: boolean;
}

/** Which certificate file goes where, for explicit placement. */
export interface FilePlacement {
  cert?: string;
  chain?: string;
  fullchain?: string;
  key?: string;
}

export interface FilesTarget extends TargetCommon {
  kind: 'files';
  /** Directory that receives cert.pem, chain.pem, fullchain.pem and privkey.pem. */
  dir?: string;
  /** Explicit absolute paths; each one given replaces the default for that file, and without `dir` only these are written. */
  paths?: FilePlacement;
  /** "user:group", "user", ":group" or numeric "uid:gid"; resolved at deploy time. */
  owner?: string;
  /** @default 0o600 */
  keyMode: number;
  /** @default 0o644 */
  certMode: number;
}

export interface CommandTarget extends TargetCommon {
  kind: 'command';
  /** Program and its arguments; run without a shell. */
  argv: string[];
  cwd?: string;
  /** Extra environment variables (besides the CERTDECK_* ones). */
  env?: Record<string, string>;
  /** After a timeout or cancel, how long the process group gets after SIGTERM before SIGKILL. @default 2000 */
  killGraceMs: number;
}

export type PfxAlgorithm = 'aes256' | '3des';

export interface PfxTarget extends TargetCommon {
  kind: 'pfx';
  out: string;
  /** Name of the environment variable holding the password; preferred over `password`. */
  passwordEnv?: string;
  /** Stored in the targets file (0600); only for setups that cannot pass an environment variable. */
  password?: string;
  friendlyName?: string;
  /** Key encryption; 3des for old Windows/Java importers. @default 'aes256' */
  algorithm: PfxAlgorithm;
}

/** One endpoint to check: TLS handshake to address:port with SNI = name. */
export interface VerifyHost {
  name: string;
  /** IP or host name to connect to; when absent, `name` itself is resolved by the system. */
  address?: string;
  /** @default 443 */
  port?: number;
}

export interface VerifyTarget extends TargetCommon {
  kind: 'verify';
  /** Endpoints to check; empty means every non-wildcard name on the certificate, on port 443. */
  hosts: VerifyHost[];
  /** First wait between handshakes for a name that does not serve the new certificate yet. @default 500 */
  intervalMs: number;
  /**
   * PEM file of the roots a client of these endpoints trusts (a private CA). The served chain must validate to the
   * system roots or these. Without it, the system roots and the issuer chain stored with the certificate.
   */
  caBundle?: string;
}

export type DeployTarget = FilesTarget | CommandTarget | PfxTarget | VerifyTarget;

export type TargetOfKind<K extends DeployTargetKind> = Extract<DeployTarget, { kind: K }>;

export interface DeployTargetsFile {
  version: 1;
  certName: string;
  targets: DeployTarget[];
}

export const DEFAULT_TIMEOUT_MS: Record<DeployTargetKind, number> = {
  files: 30_000,
  command: 60_000,
  pfx: 30_000,
  verify: 60_000,
};

export const DEFAULT_RETRIES: RetrySettings = { count: 0, backoffMs: 2_000 };
export const MAX_BACKOFF_MS = 60_000;

/** The result a target had the last time it ran, kept so `--only failed` works from another process. */
export interface TargetResult {
  status: DeployStatus;
  reason?: string;
  attempt?: number;
  runId: string;
  startedAt?: number;
  endedAt?: number;
  domains?: Array<{ domain: string; status: DeployStatus; reason?: string }>;
}

export interface LastResultsFile {
  version: 1;
  certName: string;
  /** The latest run that touched this certificate (any subset of targets). */
  lastRun?: { runId: string; startedAt: number; endedAt: number; outcome: 'succeeded' | 'partial' | 'failed' | 'cancelled' };
  /** Per target: the result of the last run that included it. */
  targets: Record<string, TargetResult>;
}

/** Statuses `--only failed` picks up again: everything that ran and did not succeed, or never got to run. */
export const RETRYABLE_STATUSES: ReadonlySet<DeployStatus> = new Set(['failed', 'timed-out', 'cancelled', 'skipped']);
