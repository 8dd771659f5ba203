import type { CertificateSummary, ChallengeMethod, DeployStatus, DeployTargetInfo, DeployTargetKind, EngineEvent, KeyType } from './events.js';
import type { CertificateStatusKind } from './renew/status.js';
import type { DeployTarget, TargetResult } from './deploy/types.js';
import type { PolicyOverride, WaitPolicy } from './policy.js';
import type { Snapshot } from './state.js';
import type { ErrorInfo } from './core/errors.js';
import type { NotifierInput } from './notify/config.js';
import type { DeliveryResult, NotifierInfo } from './notify/types.js';
import type { HistoryRecord, OrderHistorySummary } from './history-view.js';
import type { CheckInfo, CheckOutcome, CheckProgress, CheckRecord, DiagnoseOptions, DiagnoseReport, Finding, Severity, Tier } from './diagnose/types.js';
import type { PreflightName, PreflightOptions, PreflightReport } from './diagnose/preflight.js';
import type { ImportClient, ImportOptions, ImportPlan, ImportResult } from './import/types.js';
import type { StorageInfo } from './store/storage.js';

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

/**
 * How the certificate's names are proved (stored with the certificate's request, so every field is plain JSON).
 * dns-01 takes exactly one hook convention: `hook` (lego's exec: `HOOK present|cleanup FQDN VALUE`) or
 * `authHook` + `cleanupHook` (certbot's manual hooks, CERTBOT_* variables).
 */
export type ChallengeConfig =
  | { method: 'http-01-standalone'; host?: string; port?: number }
  | { method: 'http-01-webroot'; webroot: string }
  | Dns01Config
  | { method: 'tls-alpn-01'; host?: string; port?: number };

export interface Dns01Config {
  method: 'dns-01';
  hook?: string;
  authHook?: string;
  cleanupHook?: string;
  /** @default 120000 */
  hookTimeoutMs?: number;
  /** HOST[:PORT] each. */
  resolvers?: string[];
  /** @default 'authoritative' without resolvers, 'resolvers' with them (the sandbox CA's DNS counts as given). */
  propagation?: 'authoritative' | 'resolvers' | 'wait';
  /** With propagation 'wait': how long. */
  propagationWaitMs?: number;
  /** @default 120000 */
  propagationTimeoutMs?: number;
}

/**
 * One run's request. Only `domains` is required: whatever is left out comes from the certificate's own settings,
 * its stored request (what obtained it last time, including the account) and the settings' defaults, in that
 * order; what is given wins for this run, and the run logs what it took from the stored request and what it
 * overrode. A run that saves the certificate stores its request for the next one.
 */
export interface IssueRequest {
  /** Directory name for the certificate; defaults to the first domain. */
  certName?: string;
  domains: string[];
  /** Catalog id (e.g. "letsencrypt", "sandbox") or an ACME directory URL. */
  ca?: string;
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
   * type, or is in its renewal window (engine/renew). An unfinished order of this request is always resumed.
   */
  onlyIfDue?: boolean;
  /**
   * ACME profile (the directory's meta.profiles): sent when the CA lists it; otherwise a warning and the CA's
   * default, or with `required` a failure before any order. Stored with the request.
   */
  profile?: ProfileChoice;
  /**
   * Set by renew: the certificate this run replaces, by its ARI certID, and the CA it came from. The new order
   * names it in `replaces` (RFC 9773 5) when it goes to that CA and the CA advertises renewalInfo.
   */
  replacing?: { certId: string; directoryUrl: string };
}

export interface ProfileChoice {
  name: string;
  /** Fail instead of falling back to the CA's default when the CA does not list it (certbot's --required-profile). */
  required?: boolean;
}

/** A profile a CA's directory offers (meta.profiles). */
export interface CaProfile {
  name: string;
  description: string;
}

/** What a certificate takes to be obtained again, as stored after its last issuance (no secrets in it). */
export interface StoredRequestInfo {
  certName: string;
  domains: string[];
  ca: string;
  directoryUrl: string;
  caBundlePath?: string;
  /** Account reference, `<ca-slug>/<email|default>`. */
  account?: string;
  keyType: KeyType;
  reuseKey?: boolean;
  challenge: ChallengeConfig;
  preferredChain?: string;
  fallback?: string[];
  policy?: PolicyOverride;
  profile?: ProfileChoice;
  /** The CA's renewalInfo URL (RFC 9773) when its directory advertised one at issuance: renew asks it. */
  renewalInfoUrl?: string;
  savedAt: string;
}

/** The settings' defaults for a new order, as views offer them (the form's initial values). */
export interface IssueDefaults {
  /** The settings' default CA, if one is set. */
  ca?: string;
  keyType: KeyType;
  email?: string;
  fallback: string[];
}

/** A row of `certdeck list`: a certificate on disk with the status the engine decided for it. */
export interface CertificateListing extends CertificateSummary {
  status: CertificateStatusKind;
  label: string;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
}

export interface CertificateListingResult {
  certificates: CertificateListing[];
  /** Certificate directories that could not be read, each with the file and why. */
  broken: Array<{ certName: string; file: string; message: string }>;
  /** Where the certificates live (for "nothing here yet" messages). */
  liveDir: string;
}

/** An ACME account as views may show it: never its key or EAB HMAC key. */
export interface AccountInfo {
  /** `<ca-slug>/<email|default>`: how commands name the account. */
  id: string;
  /** The catalog or sandbox CA with this directory URL, if any. */
  caId?: string;
  directoryUrl: string;
  email?: string;
  accountUrl?: string;
  status: 'valid' | 'pending' | 'deactivated';
  termsOfService: { agreed: boolean; url?: string; agreedAt?: string };
  createdAt: string;
  deactivatedAt?: string;
  eabKid?: string;
  /** Certificates whose stored request uses this account. */
  certificates: string[];
}

export interface AccountInput {
  /** Catalog id or directory URL. */
  ca: string;
  caBundlePath?: string;
  email?: string;
  agreeTos?: boolean;
  eab?: { kid: string; hmacKey: string };
}

/** What a CA's directory says about joining it (RFC 8555 7.1.1 meta), read without an account. */
export interface CaDirectoryInfo {
  caId: string;
  caName: string;
  directoryUrl: string;
  /** The terms an account agrees to, as the CA publishes it (control characters removed). */
  termsOfService?: string;
  website?: string;
  externalAccountRequired: boolean;
}

export type { DeployTarget, TargetResult };

/** A certificate's deploy targets in full (a stored PFX password hidden) with each one's last result. */
export interface DeployTargetDetails {
  certName: string;
  file: string;
  targets: Array<DeployTarget & { lastResult: TargetResult | null }>;
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
  /** On failure: whether the certificate already on disk under this name has not expired yet. */
  certificateStillValid?: boolean;
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
  /** Which storage holds accounts, requests and journals (files, or a Redis a fleet shares); never a password. */
  storageInfo(): StorageInfo;
  /** The settings' defaults for a new order (CA, key type, e-mail, fallbacks). */
  issueDefaults(): IssueDefaults;
  /** The request stored for a certificate after its last issuance, if any (a renew starts from it). */
  storedRequest(certName: string): Promise<StoredRequestInfo | undefined>;
  /**
   * The certificate profiles a CA's directory lists (meta.profiles), for the issue form and the setup. Optional so
   * test doubles need not offer it; the engine does.
   */
  caProfiles?(ca: string): Promise<CaProfile[]>;
  /** Runs a request to the end (including fallbacks and operator switches). Never rejects: errors are in the outcome. */
  issue(request: IssueRequest): Promise<IssueOutcome>;
  /**
   * Aborts an order; cleans up challenges and pending authorizations. Once finalize was sent the CA is issuing the
   * certificate: the run stops but the order stays in the journal, and the next run resumes it and downloads it.
   */
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
   * A certificate's recorded order history (every event and CA exchange, kept across restarts), oldest first; only
   * one order's with `orderId` (BadInputError when there is no such order).
   */
  readHistory(certName: string, opts?: { orderId?: string }): Promise<HistoryRecord[]>;
  /** One summary per recorded order, of one certificate or of all. */
  orderHistory(certName?: string): Promise<OrderHistorySummary[]>;
  /**
   * `certdeck doctor`: checks the state home, the certificates (all, or `certNames`) and their CAs, in tiers (offline,
   * DNS, CA, known behaviour), streaming each check's start and result. Writes nothing, creates nothing at a CA.
   */
  diagnose(opts?: DiagnoseOptions): Promise<DiagnoseReport>;
  /** The setup's preflight: names, DNS, CAA, the HTTP-01 port and the clock, before anything is sent to a CA. */
  preflight(opts: PreflightOptions): Promise<PreflightReport>;
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
  /** The accounts this home has (no keys, no EAB HMAC keys), with the terms each agreed to. */
  listAccounts(): Promise<AccountInfo[]>;
  /**
   * Creates an account at the CA, agreeing to its terms of service only when `agreeTos` is true, or returns the one
   * stored for that CA and e-mail (the CA then sees no new registration). Rejects (tos-required, eab-required ...)
   * and writes nothing at the CA without agreement.
   */
  addAccount(input: AccountInput): Promise<{ account: AccountInfo; created: boolean }>;
  /** Reads the CA's directory (terms of service URL, EAB requirement); registers nothing. */
  readCaDirectory(ca: string, opts?: { caBundlePath?: string; signal?: AbortSignal }): Promise<CaDirectoryInfo>;
  /** Reads another client's files (read-only) and says what an import would do with each certificate and account. */
  planImport(client: ImportClient, opts?: ImportOptions): Promise<ImportPlan>;
  /** Imports what the plan said, all or nothing (refused when anything changed since the plan). */
  applyImport(plan: ImportPlan): Promise<ImportResult>;
  /** Stops every running order and deploy, leaving journals so a later run resumes. */
  close(): Promise<void>;
}

/** Webhook and command notifiers (`certdeck notify ...`); secrets never cross this boundary, URLs come redacted. */
export interface NotificationsApi {
  listNotifiers(): Promise<NotifierInfo[]>;
  /** Checks and saves a notifier; rejects with a BadInputError (nothing saved) when it is refused. */
  addNotifier(input: NotifierInput): Promise<{ notifier: NotifierInfo; warnings: string[] }>;
  removeNotifier(id: string): Promise<NotifierInfo>;
  /** Sends a test notification to one notifier, or to every one; resolves with each delivery's result. */
  testNotifiers(id?: string): Promise<DeliveryResult[]>;
}

export type { ChallengeMethod, DeployTargetInfo, DeployTargetKind, DeliveryResult, HistoryRecord, NotifierInfo, NotifierInput, OrderHistorySummary };
export { NOTIFY_EVENT_HELP, NOTIFY_EVENTS, type NotifyEventKind } from './notify/types.js';

export type { CheckInfo, CheckOutcome, CheckProgress, CheckRecord, DiagnoseOptions, DiagnoseReport, Finding, Severity, Tier };
export type { PreflightName, PreflightOptions, PreflightReport };
export type { RenewResult, RenewOptions, RenewAction } from './renew/run.js';
export type { RenewalPlan } from './events.js';
export type { ImportAction, ImportClient, ImportOptions, ImportPlan, ImportResult, NotCarried, PlannedAccount, PlannedCertificate, FoundDeployTarget } from './import/types.js';
export type { StorageInfo };
