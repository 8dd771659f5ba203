import type { ChallengeMethod, DeployStatus, DeployTargetInfo, DeployTargetKind, EngineEvent, KeyType } from './events.js';
import type { PolicyOverride, WaitPolicy } from './policy.js';
import type { Snapshot } from './state.js';
import type { ErrorInfo } from './core/errors.js';

/**
 * The contract between the engine and every view (TUI, headless reporters, scripts). Views read the snapshot
 * and call these actions; they never reach into the engine's parts.
 */

export interface CaInfo {
  id: string;
  name: string;
  directoryUrl: string;
  eabRequired: boolean;
  /** Things an operator should know before choosing this CA. */
  notes: string[];
  staging: boolean;
  policy: WaitPolicy;
}

export type ChallengeConfig =
  | { method: 'http-01-standalone'; host?: string; port?: number }
  | { method: 'http-01-webroot'; webroot: string };

export interface IssueRequest {
  /** Directory name for the certificate; defaults to the first domain. */
  certName?: string;
  domains: string[];
  /** Catalog id (e.g. "letsencrypt", "sandbox") or an ACME directory URL. */
  ca: string;
  /** PEM bundle to trust for this CA only. */
  caBundlePath?: string;
  email?: string;
  agreeTos?: boolean;
  eab?: { kid: string; hmacKey: string };
  keyType?: KeyType;
  /** Keep the certificate's existing private key instead of generating a new one. */
  reuseKey?: boolean;
  challenge?: ChallengeConfig;
  /** Issuer common name of the alternate chain to prefer. */
  preferredChain?: string;
  policy?: PolicyOverride;
  /** CAs to try, in order, when the primary one's deadline or retry budget runs out. */
  fallback?: string[];
  /** Wait for another process's lock on this certificate instead of failing at once. */
  waitForLock?: boolean;
  /**
   * Renewal mode (cron): order only when the certificate on disk is missing, covers other names or another key
   * type, or is in its renewal window (renewal.ts). An unfinished order of this request is always resumed.
   */
  onlyIfDue?: boolean;
}

export interface IssueOutcome {
  certName: string;
  ok: boolean;
  /** The order that ended the request (the last in a fallback chain). */
  orderId: string;
  orderIds: string[];
  error?: ErrorInfo;
  certificateDir?: string;
  /** With onlyIfDue: nothing was ordered, the certificate on disk is good until it is due at this time (ms). */
  notDueUntil?: number;
  /**
   * The deploy run after issuance, when the certificate has targets: the certificate can be obtained (ok) while a
   * target failed, and the run's exit code and summary must say so.
   */
  deploy?: DeployOutcome;
}

/** One target's result in a deploy run, as a summary carries it. */
export interface DeployTargetOutcome {
  id: string;
  kind: DeployTargetKind;
  label: string;
  status: DeployStatus;
  reason?: string;
  attempt?: number;
  /** A verify target's verdict per name. */
  domains?: Array<{ domain: string; status: DeployStatus; reason?: string }>;
}

export interface DeployOutcome {
  runId: string;
  certName: string;
  outcome: 'succeeded' | 'partial' | 'failed' | 'cancelled';
  succeeded: number;
  failed: number;
  skipped: number;
  /** Every selected target's own result, in run order. */
  targets: DeployTargetOutcome[];
  /** Why the run could not start at all (a broken targets file, a missing certificate); then `targets` is empty. */
  error?: ErrorInfo;
}

/**
 * A new deploy target as a view enters it: the fields each kind needs, the rest left to the defaults `certdeck
 * deploy add` also uses. Paths must be absolute (a view has no working directory the operator can see). The id is
 * optional (default KIND-N).
 */
export type DeployTargetInput = { id?: string } & (
  | { kind: 'files'; dir: string }
  /** Program first, then its arguments; run without a shell. */
  | { kind: 'command'; argv: string[] }
  /** `passwordEnv` is the NAME of the variable that holds the password when deploy runs, never the password. */
  | { kind: 'pfx'; out: string; passwordEnv: string }
  /** `NAME[@ADDRESS][:PORT]` specs, as `deploy add --host` takes them; none means every name on the certificate, :443. */
  | { kind: 'verify'; hosts: string[] }
);

export interface AddedDeployTarget {
  target: DeployTargetInfo;
  /** What may still go wrong at deploy time (e.g. the password variable is not set here); the target was saved. */
  warnings: string[];
}

export interface EngineApi {
  getSnapshot(): Snapshot;
  /** Called (batched) after the snapshot changed. Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Every event as it happens, for reporters. Returns an unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  listCas(): CaInfo[];
  /** Runs a request to the end (including fallbacks and operator switches). Never rejects: errors are in the outcome. */
  issue(request: IssueRequest): Promise<IssueOutcome>;
  /** Aborts an order; cleans up challenges and pending authorizations. */
  cancel(orderId: string, reason?: string): void;
  /** Skips the current wait and polls now. */
  retryNow(orderId: string): void;
  /** Pushes the current wait's deadline out by `extraMs` (default: one more full phase deadline). */
  keepWaiting(orderId: string, extraMs?: number): void;
  /** Abandons the order and re-issues the same request against another CA. */
  switchCa(orderId: string, caId: string): void;
  /** Runs the certificate's deploy targets (all, or only the named ones). */
  deploy(certName: string, opts?: { only?: string[] }): Promise<DeployOutcome>;
  /**
   * Cancels the certificate's running deploy: a running hook's whole process tree is killed, that target is marked
   * cancelled and the targets after it do not start. Returns false when no deploy of it was running here.
   */
  cancelDeploy(certName: string, reason?: string): boolean;
  /** Loads the certificate's configured deploy targets into the snapshot (`deployTargets`) and returns them. */
  listDeployTargets(certName: string): Promise<DeployTargetInfo[]>;
  /**
   * Checks and saves a new deploy target exactly as `certdeck deploy add` does (same checks, same messages), then
   * updates the snapshot. Rejects with a BadInputError (or ConfigError for a broken targets file) and changes
   * nothing when the target is refused or a deploy of the certificate is running.
   */
  addDeployTarget(certName: string, input: DeployTargetInput): Promise<AddedDeployTarget>;
  /** Removes a target (as `certdeck deploy remove`), then updates the snapshot; refused while a deploy runs. */
  removeDeployTarget(certName: string, targetId: string): Promise<DeployTargetInfo>;
  /**
   * Re-reads what other processes may have changed in the state home: the certificates (new, renewed, removed, a
   * renewal that failed) and the deploy target lists and results already loaded. The dashboard's refresh key.
   */
  refresh(): Promise<void>;
  /**
   * Keeps the snapshot in step with other certdeck processes using the same state home (a cron renewal, a CLI run
   * in another shell): watches the store and refreshes within about `pollMs` (default 1 s) of a change. Returns a
   * function that stops watching; close() stops it too.
   */
  watchStore(opts?: { pollMs?: number }): () => void;
  /** Stops every running order and deploy, leaving journals so a later run resumes. */
  close(): Promise<void>;
}

export type { ChallengeMethod, DeployTargetInfo, DeployTargetKind };
