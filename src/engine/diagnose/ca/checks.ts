import type { ResolvedCa } from '../../ca/catalog.js';
import type { Finding } from '../types.js';
import type { DirectoryProbe } from './directory-probe.js';

/** The CA tier's judgements over a directory probe and the stored accounts; pure, so each is testable on its own. */

/** The clock matters for certificate validity and renewal timing; ACME itself does not sign timestamps. */
export const SKEW_WARNING_MS = 30_000;
export const SKEW_ERROR_MS = 5 * 60_000;
export const SLOW_DIRECTORY_MS = 3_000;

const TLS_TRUST_CODES = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED']);

function finder(caId: string) {
  return (id: string, severity: Finding['severity'], seen: string, todo: string): Finding => ({ id, severity, tier: 'ca', caId, seen, todo });
}

export function reachabilityFindings(ca: ResolvedCa, probe: DirectoryProbe, now: number): { findings: Finding[]; note?: string } {
  const f = finder(ca.id);
  if (probe.error) {
    if (TLS_TRUST_CODES.has(probe.error.code)) {
      return { findings: [f('ca.tls-untrusted', 'error', `The TLS certificate of ${ca.name} (${probe.url}) is not trusted: ${probe.error.code}.`, 'If this CA uses a private root, pass its PEM with --ca-bundle FILE; otherwise check for a TLS-intercepting proxy between this host and the CA.')] };
    }
    return {
      findings: [
        f(
          'ca.unreachable',
          'error',
          `${ca.name} could not be reached at ${probe.url}: ${probe.error.code} (${probe.error.message}).`,
          ca.source === 'sandbox' ? 'Start the sandbox: certdeck sandbox start' : 'Check the network path (firewall, proxy, DNS for the CA host) and the CA\'s status page; or issue from another CA (--fallback).',
        ),
      ],
    };
  }
  const status = probe.status ?? 0;
  if (status === 429 || status >= 500) {
    return { findings: [f('ca.busy', 'warning', `${ca.name} answered the directory with HTTP ${status}${probe.retryAfter ? ` (Retry-After ${probe.retryAfter})` : ''}.`, 'The CA is busy or down for maintenance: certdeck waits and retries within its deadlines; try later, or use a fallback CA.')] };
  }
  const dir = probe.directory;
  if (status !== 200 || !dir || typeof dir.newNonce !== 'string' || typeof dir.newAccount !== 'string' || typeof dir.newOrder !== 'string') {
    return { findings: [f('ca.not-a-directory', 'error', `${probe.url} answered HTTP ${status}, which is not an ACME directory.`, 'Check the directory URL (it usually ends in /directory), or use a CA id from the catalog.')] };
  }
  const findings: Finding[] = [];
  const ms = probe.durationMs ?? 0;
  if (ms > SLOW_DIRECTORY_MS) {
    findings.push(f('ca.slow', 'warning', `${ca.name} took ${(ms / 1000).toFixed(1)} s to answer the directory.`, 'Expect slow orders; certdeck\'s deadlines allow for it. A consistently slow path points at the network (proxy, MTU, IPv6).'));
  }
  if (probe.tls?.validTo !== undefined && probe.tls.validTo - now < 7 * 24 * 3_600_000) {
    findings.push(f('ca.tls-expiring', 'warning', `The TLS certificate of ${ca.name}'s API expires ${new Date(probe.tls.validTo).toISOString()}.`, 'Nothing to do on this host unless it then stops working; the CA renews its own certificate.'));
  }
  const tls = probe.tls?.protocol ? `, ${probe.tls.protocol}` : '';
  return { findings, note: `directory answered in ${ms} ms${tls}` };
}

export function clockSkewFindings(ca: ResolvedCa, probe: DirectoryProbe): { findings: Finding[]; note?: string } {
  if (probe.skewMs === undefined) return { findings: [], note: 'no Date header to compare' };
  const f = finder(ca.id);
  const abs = Math.abs(probe.skewMs);
  const words = `${formatSpan(abs)} ${probe.skewMs > 0 ? 'behind' : 'ahead of'} ${ca.name}`;
  if (abs < SKEW_WARNING_MS) return { findings: [], note: `clock within ${Math.max(1, Math.round(abs / 1000))} s of the CA` };
  const todo = 'Synchronize the clock (timedatectl set-ntp true, or chrony/ntpd): renewal timing and certificate validity checks depend on it.';
  return { findings: [f('ca.clock-skew', abs >= SKEW_ERROR_MS ? 'error' : 'warning', `This host's clock is ${words} (CA Date: ${probe.dateHeader}).`, todo)] };
}

export interface AccountRecord {
  directoryUrl: string;
  email?: string;
  accountUrl?: string;
  tosAgreed: boolean;
  tosUrl?: string;
  dir: string;
}

/** The CA's current terms against the ones each account agreed to. */
export function tosFindings(ca: ResolvedCa, probe: DirectoryProbe, accounts: readonly AccountRecord[]): Finding[] {
  const current = probe.directory?.meta?.termsOfService;
  if (typeof current !== 'string') return [];
  return accounts
    .filter((a) => a.tosAgreed && a.tosUrl !== undefined && a.tosUrl !== current)
    .map((a) =>
      finder(ca.id)(
        'ca.tos-changed',
        'warning',
        `The account ${a.accountUrl ?? a.dir} agreed to ${a.tosUrl}; ${ca.name} now publishes ${current}.`,
        `Read the new terms. Most CAs keep old accounts working; if orders fail with userActionRequired, agree at the URL the CA gives.`,
      ),
    );
}

export interface AccountState {
  status: string;
  contact?: string[];
}

export function accountFindings(ca: ResolvedCa, account: AccountRecord, state: AccountState | { error: { code: string; problemType?: string; message: string; hint?: string } }): { findings: Finding[]; note?: string } {
  const f = finder(ca.id);
  const who = `${account.accountUrl ?? account.dir}${account.email ? ` (${account.email})` : ''}`;
  if ('error' in state) {
    const type = state.error.problemType?.replace('urn:ietf:params:acme:error:', '');
    if (type === 'accountDoesNotExist' || type === 'unauthorized') {
      return { findings: [f('account.unknown', 'error', `${ca.name} does not know the account ${who} (${type}): ${state.error.message}`, `Move the stored account aside (mv ${account.dir} ${account.dir}.unknown-at-ca) and issue again with --agree-tos: certdeck then registers a new account.`)] };
    }
    return { findings: [f('account.unchecked', 'warning', `The account ${who} could not be read at ${ca.name}: ${state.error.message}`, state.error.hint ?? 'Run the doctor again once the CA answers.')] };
  }
  if (state.status !== 'valid') {
    return { findings: [f('account.not-valid', 'error', `${ca.name} reports the account ${who} as ${state.status}.`, `A deactivated or revoked account cannot order: mv ${account.dir} ${account.dir}.${state.status}, then issue with --agree-tos to register a new one.`)] };
  }
  return { findings: [], note: `account ${who} is valid` };
}

function formatSpan(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${(m / 60).toFixed(1)} h`;
}
