/**
 * What the doctor and the setup's preflight report. A finding says what was seen and what to do; the views group
 * findings by certificate and tier, the exit code comes from the worst severity (an error means "this will fail or
 * is broken", a warning "this may bite", info "worth knowing").
 */

export type Severity = 'error' | 'warning' | 'info';

/** Each tier runs without the next: offline needs only the state home, dns a resolver, ca the network to the CA. */
export type Tier = 'offline' | 'dns' | 'ca' | 'behaviour';

export const TIERS: readonly Tier[] = ['offline', 'dns', 'ca', 'behaviour'];

export interface Finding {
  /** Stable, dotted: "cert.key-mismatch", "dns.caa-forbids", "ca.clock-skew". Scripts match on it. */
  id: string;
  severity: Severity;
  tier: Tier;
  certName?: string;
  /** The CA the finding is about, when it is about one. */
  caId?: string;
  /** What was found, with the values read (file, mode, dates, records). */
  seen: string;
  /** What to do about it; for info findings, what it means. */
  todo: string;
}

/** A check as the views list it: shown as running, then with its outcome. */
export interface CheckInfo {
  /** Unique within one run, e.g. "cert:example.com:key-match". */
  key: string;
  title: string;
  tier: Tier;
  certName?: string;
  caId?: string;
}

export type CheckOutcome = 'ok' | 'findings' | 'skipped' | 'failed';

export type CheckProgress =
  | { type: 'started'; check: CheckInfo }
  | {
      type: 'finished';
      check: CheckInfo;
      outcome: CheckOutcome;
      /** The worst severity among its findings. */
      worst?: Severity;
      /** One line for an ok or skipped check ("3 names resolve", "skipped: --offline"). */
      note?: string;
      findings: Finding[];
    };

export interface DiagnoseOptions {
  /** Certificates to check (directory names); all managed ones when empty. */
  certNames?: string[];
  /** Only the offline tier and what needs no network (catalog behaviour, local rate-limit history). */
  offline?: boolean;
  /** DNS servers ("127.0.0.1:8053"); default: the system resolver, or the sandbox's DNS for sandbox certificates. */
  dnsServers?: string[];
  onFinding?: (finding: Finding) => void;
  onProgress?: (progress: CheckProgress) => void;
  signal?: AbortSignal;
}

export interface CheckRecord {
  check: CheckInfo;
  outcome: CheckOutcome;
  worst?: Severity;
  note?: string;
}

export interface DiagnoseReport {
  certNames: string[];
  findings: Finding[];
  checks: CheckRecord[];
  counts: Record<Severity, number>;
  /** 0 when no finding is an error, 1 otherwise. */
  exitCode: 0 | 1;
}

export function countFindings(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

export function worstOf(findings: readonly Finding[]): Severity | undefined {
  if (findings.some((f) => f.severity === 'error')) return 'error';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return findings.length ? 'info' : undefined;
}
