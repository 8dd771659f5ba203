import type { ChallengeConfig } from '../api.js';
import type { KeyType } from '../events.js';

/**
 * Import from another ACME client (certbot, acme.sh, lego). Each client has one reader (an ImportSource) that only
 * reads its files and describes what it found in one neutral shape (FoundCertificate, FoundAccount); the planner
 * compares that with the certdeck home and the writer copies what the plan says. Secrets (keys) stay in the found
 * items, which never leave the engine: views get the ImportPlan, which has none.
 */

export type ImportClient = 'certbot' | 'acme.sh' | 'lego';

export interface ImportOptions {
  /** The client's directory: certbot's --config-dir, acme.sh's --home, lego's --path. */
  dir?: string;
  /** lego: the ACME directory URL its accounts and certificates belong to (lego v4 records only host and port). */
  server?: string;
  /** lego: the account (e-mail) its certificates were obtained with, when it has several. */
  email?: string;
}

/** Something the other client does that certdeck will not do after the import, and why / what to do instead. */
export interface NotCarried {
  what: string;
  reason: string;
}

/** A deploy step the other client ran after a renewal, as a certdeck deploy target. */
export type FoundDeployTarget =
  | { kind: 'command'; argv: string[]; from: string }
  | { kind: 'files'; paths: { cert?: string; chain?: string; fullchain?: string; key?: string }; from: string };

/** A reference from a certificate to the account that obtained it, in the source client's terms. */
export interface FoundAccountRef {
  /** Matches FoundAccount.sourceId. */
  sourceId: string;
}

export interface FoundCertificate {
  /** The client's name for it (certbot lineage, acme.sh main domain, lego file name). */
  sourceName: string;
  /** The file that describes it (renewal conf, acme.sh conf, lego resource JSON). */
  sourceFile: string;
  /** The name it gets in certdeck (live/<certName>). */
  certName: string;
  /** Names as the client lists them; the certificate's own SANs win where they differ. */
  domains: string[];
  certPem?: string;
  chainPem?: string;
  keyPem?: string;
  directoryUrl?: string;
  keyType?: KeyType;
  /** Undefined when how the names were proved cannot be carried over (a NotCarried says why). */
  challenge?: ChallengeConfig;
  preferredChain?: string;
  reuseKey?: boolean;
  account?: FoundAccountRef;
  deployTargets: FoundDeployTarget[];
  /** What stops the certificate itself from being imported (missing or unreadable files). */
  problems: string[];
  notCarried: NotCarried[];
}

export interface FoundAccount {
  /** The client's own id for it (certbot's account id, acme.sh's ca/<host>/<path>, lego's <host>/<email>). */
  sourceId: string;
  sourceDir: string;
  directoryUrl?: string;
  email?: string;
  accountUrl?: string;
  /** PEM (converted from certbot's JWK). */
  keyPem?: string;
  problems: string[];
}

export interface FoundSet {
  client: ImportClient;
  /** The directory that was read. */
  dir: string;
  certificates: FoundCertificate[];
  accounts: FoundAccount[];
  /** Things in the directory that were not understood at all (skipped files, and why). */
  skipped: NotCarried[];
}

/** One client's reader: reads its files (never writes them) into the neutral shape. */
export interface ImportSource {
  client: ImportClient;
  defaultDir(env: NodeJS.ProcessEnv, cwd: string): string;
  read(opts: ImportOptions & { dir: string }, ctx: SourceContext): Promise<FoundSet>;
}

export interface SourceContext {
  /** The CAs certdeck knows (catalog and sandbox), to name a directory URL by host when the client stored only that. */
  knownDirectoryUrls: string[];
}

/** What happens to one thing found. */
export type ImportAction =
  /** It will be copied into certdeck. */
  | 'import'
  /** certdeck has it already (this certificate's serial, this account's key): nothing is written. */
  | 'already-managed'
  /** It cannot be imported; `reason` says why. */
  | 'cannot-import';

export interface PlannedAccount {
  sourceId: string;
  sourceDir: string;
  action: ImportAction;
  reason?: string;
  /** certdeck's reference, `<ca-slug>/<email|default>`. */
  accountId?: string;
  directoryUrl?: string;
  email?: string;
  accountUrl?: string;
}

export interface PlannedCertificate {
  sourceName: string;
  sourceFile: string;
  action: ImportAction;
  reason?: string;
  certName: string;
  domains: string[];
  serial?: string;
  notBefore?: string;
  notAfter?: string;
  issuer?: string;
  fingerprint?: string;
  /** The settings that carry over (the stored request certdeck renews from); absent when the challenge does not map. */
  request?: {
    ca: string;
    directoryUrl: string;
    keyType: KeyType;
    challenge: ChallengeConfig;
    preferredChain?: string;
    reuseKey?: boolean;
    /** certdeck account reference. */
    account?: string;
  };
  /** Deploy targets that will be added: `command: ARGV` or `files: PATHS`, as `deploy list` would describe them. */
  deployTargets: FoundDeployTarget[];
  notCarried: NotCarried[];
}

/** What an import will do (or did): safe to show and print, no key in it. */
export interface ImportPlan {
  client: ImportClient;
  dir: string;
  options: ImportOptions;
  certificates: PlannedCertificate[];
  accounts: PlannedAccount[];
  skipped: NotCarried[];
  /** Counts by action, certificates and accounts together. */
  summary: { import: number; alreadyManaged: number; cannotImport: number };
}

export interface ImportResult {
  plan: ImportPlan;
  /** Certificate names and account references written. */
  imported: { certificates: string[]; accounts: string[] };
}
