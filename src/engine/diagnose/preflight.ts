import { domainToUnicode } from 'node:url';
import type { ChallengeConfig } from '../api.js';
import { resolveCa, type ResolvedCa } from '../ca/catalog.js';
import { EngineError } from '../core/errors.js';
import { validateDomain } from '../names.js';
import type { DiagnoseDeps } from './doctor.js';
import { checkAddresses, checkCaa, type NameAddresses } from './dns/checks.js';
import { createLookups } from './dns/resolver.js';
import { checkClock } from './host/clock-check.js';
import { checkPort, type PortFacts } from './host/port-check.js';
import { CheckRunner } from './runner.js';
import { countFindings, type CheckProgress, type DiagnoseReport, type Finding } from './types.js';

/**
 * The setup's "Preflight": checks made before anything is sent to a CA. Name syntax, where each name points, whether
 * CAA lets the chosen CA issue, who holds the HTTP-01 port (and, for a web server, its document root), and the clock.
 * A finding with severity error blocks the setup; a warning is shown and may be accepted.
 */

export interface PreflightOptions {
  domains: string[];
  /** Catalog id or directory URL of the CA the setup will use. */
  caId: string;
  /** The port the CA connects to for HTTP-01. @default 80 (the sandbox's own port for a sandbox CA) */
  httpPort?: number;
  /** DNS servers ("127.0.0.1:8053"); default: the system's, or the sandbox's DNS for a sandbox CA. */
  dnsServers?: string[];
  /** The ACME account that will order, when one exists (CAA accounturi). */
  accountUri?: string;
  onFinding?: (finding: Finding) => void;
  onProgress?: (progress: CheckProgress) => void;
  signal?: AbortSignal;
}

export interface PreflightName {
  input: string;
  /** A-label form, as it goes into the certificate; undefined when the name is invalid. */
  ascii?: string;
  /** U-label form, for display. */
  unicode?: string;
  wildcard: boolean;
  addresses?: NameAddresses;
}

export interface PreflightReport extends DiagnoseReport {
  names: PreflightName[];
  port?: PortFacts;
  /** The challenge the facts point to: standalone on a free port, webroot behind a web server. */
  suggestedChallenge?: ChallengeConfig;
  suggestionReason?: string;
  /** True when an error finding means the setup should not go on. */
  blocking: boolean;
}

export async function runPreflight(deps: DiagnoseDeps, opts: PreflightOptions): Promise<PreflightReport> {
  const runner = new CheckRunner({ ...(opts.onFinding ? { onFinding: opts.onFinding } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  const names: PreflightName[] = [];

  await runner.run({ key: 'preflight:names', title: 'name syntax', tier: 'offline' }, async () => {
    const findings: Finding[] = [];
    const f = (id: string, severity: Finding['severity'], seen: string, todo: string): Finding => ({ id, severity, tier: 'offline', seen, todo });
    if (opts.domains.length === 0) findings.push(f('name.none', 'error', 'No name was given.', 'Enter at least one domain name, e.g. example.com.'));
    for (const input of opts.domains) {
      const check = validateDomain(input, { wildcardAllowed: true });
      if (!check.ok) {
        names.push({ input, wildcard: false });
        findings.push(f('name.invalid', 'error', `${JSON.stringify(input)} ${check.reason}.`, 'Correct the name: letters, digits and hyphens in dot-separated labels, e.g. www.example.com.'));
        continue;
      }
      const wildcard = check.name.startsWith('*.');
      const unicode = domainToUnicode(check.name.replace(/^\*\./, ''));
      names.push({ input, ascii: check.name, unicode: wildcard ? `*.${unicode}` : unicode, wildcard });
      if (wildcard) findings.push(f('name.wildcard', 'warning', `${check.name} is a wildcard.`, 'Wildcards can only be validated with dns-01 (a TXT record at _acme-challenge); HTTP-01 cannot prove them.'));
      if (unicode !== check.name.replace(/^\*\./, '')) findings.push(f('name.idn', 'info', `${input} is an internationalized name: ${unicode} is written ${check.name.replace(/^\*\./, '')} in DNS and in the certificate.`, 'Nothing to do; records must be created for the xn-- form.'));
    }
    const seen = new Set<string>();
    for (const n of names) {
      if (n.ascii && seen.has(n.ascii)) findings.push(f('name.duplicate', 'warning', `${n.ascii} is listed twice.`, 'Remove the duplicate.'));
      if (n.ascii) seen.add(n.ascii);
    }
    return { findings, note: `${names.filter((n) => n.ascii).length} valid name(s)` };
  });

  let ca: ResolvedCa | undefined;
  await runner.run({ key: 'preflight:ca', title: 'the chosen CA is known', tier: 'offline' }, async () => {
    try {
      ca = resolveCa(opts.caId, { sandboxDir: deps.paths.sandboxDir, ...(deps.caPolicies ? { caPolicies: deps.caPolicies } : {}) });
      return { findings: [], note: `${ca.name}${ca.caaIdentifiers ? ` (CAA name ${ca.caaIdentifiers.join(', ')})` : ''}` };
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      return [{ id: 'ca.unknown', severity: 'error', tier: 'offline', seen: err.message, todo: err.hint ?? 'Choose a CA from the catalog.' } satisfies Finding];
    }
  });

  const servers = opts.dnsServers?.length ? opts.dnsServers : ca?.source === 'sandbox' && ca.dnsPort ? [`127.0.0.1:${ca.dnsPort}`] : undefined;
  const lookups = createLookups(servers);
  for (const n of names.filter((x) => x.ascii)) {
    const name = n.ascii!;
    if (!n.wildcard) {
      await runner.run({ key: `preflight:dns:${name}:address`, title: `${name}: A/AAAA`, tier: 'dns' }, async () => {
        const r = await checkAddresses(lookups, name);
        n.addresses = r.addresses;
        return { findings: r.findings, ...(r.note ? { note: r.note } : {}) };
      });
    }
    const chosen = ca;
    if (chosen) {
      await runner.run({ key: `preflight:dns:${name}:caa`, title: `${name}: CAA allows ${chosen.name}`, tier: 'dns', caId: chosen.id }, () =>
        checkCaa(lookups, name, chosen, { method: n.wildcard ? 'dns-01' : 'http-01', ...(opts.accountUri ? { accountUri: opts.accountUri } : {}) }),
      );
    }
  }

  const httpPort = opts.httpPort ?? ca?.httpPort ?? 80;
  let port: PortFacts | undefined;
  const plain = names.filter((n) => n.ascii && !n.wildcard).map((n) => n.ascii!);
  await runner.run({ key: 'preflight:port', title: `port ${httpPort} for HTTP-01`, tier: 'offline' }, async () => {
    const r = await checkPort(httpPort, plain);
    port = r.facts;
    return { findings: r.findings, ...(r.note ? { note: r.note } : {}) };
  });
  await runner.run({ key: 'preflight:clock', title: 'clock sanity', tier: 'offline' }, () => checkClock(deps.clock.now()));

  const counts = countFindings(runner.findings);
  const report: PreflightReport = {
    certNames: [],
    findings: runner.findings,
    checks: runner.records,
    counts,
    exitCode: counts.error > 0 ? 1 : 0,
    names,
    blocking: counts.error > 0,
    ...(port ? { port } : {}),
  };
  const suggestion = suggest(port, httpPort, names);
  if (suggestion) {
    report.suggestedChallenge = suggestion.challenge;
    report.suggestionReason = suggestion.reason;
  }
  return report;
}

function suggest(port: PortFacts | undefined, httpPort: number, names: PreflightName[]): { challenge: ChallengeConfig; reason: string } | undefined {
  if (names.some((n) => n.wildcard)) return undefined; // dns-01: its own issue
  if (port?.webServer?.documentRoot && !port.webServer.rootUnknown) {
    return { challenge: { method: 'http-01-webroot', webroot: port.webServer.documentRoot }, reason: `${port.webServer.kind} serves port ${httpPort} from ${port.webServer.documentRoot}` };
  }
  if (port?.state === 'free' && !port.bindError) return { challenge: { method: 'http-01-standalone', port: httpPort }, reason: `port ${httpPort} is free` };
  return undefined;
}
