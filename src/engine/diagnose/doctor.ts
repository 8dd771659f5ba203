import { readdir } from 'node:fs/promises';
import type { ResolvedCa } from '../ca/catalog.js';
import { resolveCa } from '../ca/catalog.js';
import type { Clock } from '../core/clock.js';
import { EngineError } from '../core/errors.js';
import type { PolicyOverride } from '../policy.js';
import { listAccounts } from '../store/accounts.js';
import { errnoCode } from '../store/atomic.js';
import { readJournal, type Journal } from '../store/journal.js';
import type { Storage } from '../store/storage.js';
import type { StatePaths } from '../store/paths.js';
import { validateCertName } from '../names.js';
import { behaviourFindings } from './behaviour.js';
import { accountFindings, clockSkewFindings, reachabilityFindings, tosFindings, type AccountRecord, type AccountState } from './ca/checks.js';
import { probeDirectory, type DirectoryProbe } from './ca/directory-probe.js';
import { rateLimitFindings } from './ca/rate-limits.js';
import { checkAddresses, checkCaa, checkChallengeRecords } from './dns/checks.js';
import { createLookups, type DnsLookups } from './dns/resolver.js';
import { checkAccounts, checkHomePermissions, checkSettings } from './offline/home.js';
import { checkAgreement, checkChain, checkExpiry, checkFiles, checkKeyMatch, readCertificateFiles, type CertificateOnDisk } from './offline/certificate.js';
import { checkLastFailure, checkLocks, checkPendingKey, checkUnfinishedOrder, lockHeldByLiveOwner } from './offline/journal.js';
import { CheckRunner } from './runner.js';
import { countFindings, type CheckInfo, type DiagnoseOptions, type DiagnoseReport, type Finding } from './types.js';

/**
 * `certdeck doctor`: every check over the state home, then per certificate (offline, DNS, rate-limit history), then
 * per CA in use (directory, TLS, clock, terms, accounts, known behaviour). Each tier works without the next, so
 * --offline still answers most 3 a.m. questions. Nothing here writes to the home or creates anything at a CA.
 */

export interface DiagnoseDeps {
  paths: StatePaths;
  /** Where accounts and journals are (a fleet's shared storage); the files under `paths` by default. */
  storage?: Storage;
  clock: Clock;
  caPolicies?: Record<string, PolicyOverride>;
  /** POST-as-GET of a stored account through the engine's ACME session; undefined when there is no account URL. */
  readAccount?: (ca: ResolvedCa, email: string | undefined, signal?: AbortSignal) => Promise<AccountState | undefined>;
}

interface CertContext {
  certName: string;
  disk: CertificateOnDisk;
  journal?: Journal;
  ca?: ResolvedCa;
  caError?: EngineError;
}

export async function runDoctor(deps: DiagnoseDeps, opts: DiagnoseOptions = {}): Promise<DiagnoseReport> {
  const { paths, clock } = deps;
  const runner = new CheckRunner({ ...(opts.onFinding ? { onFinding: opts.onFinding } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  const offlineCheck = (key: string, title: string, certName?: string): CheckInfo => ({ key, title, tier: 'offline', ...(certName === undefined ? {} : { certName }) });

  await runner.run(offlineCheck('home:permissions', 'permissions of the state home and keys'), () => checkHomePermissions(paths));
  await runner.run(offlineCheck('home:settings', 'settings file parses'), () => checkSettings(paths));
  await runner.run(offlineCheck('home:accounts', 'account records parse'), () => checkAccounts(paths));

  const known = await knownCertNames(paths, deps.storage);
  const certNames = opts.certNames?.length ? opts.certNames : known;
  const contexts: CertContext[] = [];
  for (const certName of certNames) {
    const ctx = await offlineTier(runner, deps, certName, known.includes(certName));
    if (ctx) contexts.push(ctx);
  }
  const journals = await allJournals(deps.storage ?? paths, known);

  for (const ctx of contexts) {
    const names = ctx.disk.facts?.dnsNames ?? ctx.disk.meta?.domains ?? ctx.journal?.request.domains ?? [];
    if (opts.offline) {
      runner.skip({ key: `cert:${ctx.certName}:dns`, title: 'DNS: addresses, CAA, leftover challenge records', tier: 'dns', certName: ctx.certName }, 'skipped: --offline');
    } else {
      await dnsTier(runner, deps, ctx, names, opts);
    }
    const ca = ctx.ca;
    if (ca?.rateLimits?.length) {
      await runner.run({ key: `cert:${ctx.certName}:rate-limits`, title: `local history against ${ca.name}'s rate limits`, tier: 'ca', certName: ctx.certName, caId: ca.id }, async () =>
        rateLimitFindings({ caId: ca.id, caName: ca.name, limits: ca.rateLimits ?? [], certName: ctx.certName, domains: names, journals, now: clock.now() }),
      );
    }
  }

  for (const { ca, certs, error } of groupByCa(contexts)) {
    if (!ca) {
      const certName = certs[0];
      await runner.run({ key: `ca:unresolved:${certs.join(',')}`, title: 'the certificate\'s CA', tier: 'ca', ...(certName ? { certName } : {}) }, async () => [
        ...certs.map((c): Finding => ({
          id: error?.code === 'sandbox-not-running' ? 'ca.unreachable' : 'ca.unknown',
          severity: opts.offline ? 'warning' : 'error',
          tier: 'ca',
          certName: c,
          seen: error?.message ?? 'No CA is recorded for this certificate.',
          todo: error?.hint ?? 'Issue it again with --ca.',
        })),
      ]);
      continue;
    }
    if (opts.offline) {
      runner.skip({ key: `ca:${ca.id}:network`, title: `${ca.name}: directory, TLS, clock, terms, accounts`, tier: 'ca', caId: ca.id }, 'skipped: --offline');
    } else {
      await caTier(runner, deps, ca, opts.signal);
    }
    await runner.run({ key: `ca:${ca.id}:behaviour`, title: `known behaviour of ${ca.name}`, tier: 'behaviour', caId: ca.id }, async () => behaviourFindings(ca));
  }

  const counts = countFindings(runner.findings);
  return { certNames, findings: runner.findings, checks: runner.records, counts, exitCode: counts.error > 0 ? 1 : 0 };
}

async function offlineTier(runner: CheckRunner, deps: DiagnoseDeps, certName: string, known: boolean): Promise<CertContext | undefined> {
  const { paths, clock } = deps;
  const check = (part: string, title: string): CheckInfo => ({ key: `cert:${certName}:${part}`, title, tier: 'offline', certName });
  const valid = validateCertName(certName);
  if (!valid.ok || !known) {
    await runner.run(check('exists', 'certificate is managed here'), async () => [
      {
        id: 'cert.unknown',
        severity: 'error',
        tier: 'offline',
        certName,
        seen: valid.ok ? `No certificate or order named ${certName} in ${paths.liveDir} or ${paths.journalDir}.` : `${JSON.stringify(certName)} ${valid.reason}.`,
        todo: 'List the managed certificates with: certdeck list',
      },
    ]);
    return undefined;
  }
  const ctx: CertContext = { certName, disk: { certName, files: {} } };
  await runner.run(check('journal', 'order journal parses'), async () => {
    try {
      const journal = await readJournal(deps.storage ?? paths, certName);
      if (journal) ctx.journal = journal;
      return [];
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      return [{ id: 'journal.corrupt', severity: 'error', tier: 'offline', certName, seen: err.message, todo: err.hint ?? 'Move the journal aside.' }];
    }
  });
  await runner.run(check('files', 'files present and private'), async () => {
    ctx.disk = await readCertificateFiles(paths, certName);
    return checkFiles(ctx.disk, ctx.journal);
  });
  if (ctx.disk.facts) {
    await runner.run(check('key', 'private key matches the certificate'), async () => checkKeyMatch(ctx.disk));
    await runner.run(check('chain', 'chain order and validity'), async () => checkChain(ctx.disk, clock.now()));
    await runner.run(check('agreement', 'names and dates match meta.json and the request'), async () => checkAgreement(ctx.disk, ctx.journal));
    await runner.run(check('expiry', 'expiry and renewal window'), async () => checkExpiry(ctx.disk, clock.now()));
  }
  await runner.run(check('locks', 'locks'), () => checkLocks(paths, certName, clock.now()));
  await runner.run(check('order', 'unfinished order'), async () => [
    ...checkUnfinishedOrder(ctx.journal, await lockHeldByLiveOwner(paths, certName, clock.now()), paths),
    ...(await checkPendingKey(ctx.journal)),
  ]);
  await runner.run(check('last-failure', 'last failure'), async () => {
    const facts = ctx.disk.facts;
    const valid = facts !== undefined && clock.now() < facts.notAfter;
    return checkLastFailure(ctx.journal, facts?.notBefore, valid);
  });
  resolveCertCa(ctx, deps);
  return ctx;
}

/** The CA the certificate came from (or its request names): a catalog id first, else its directory URL. */
function resolveCertCa(ctx: CertContext, deps: DiagnoseDeps): void {
  // The certificate's own meta first: it says where the served certificate came from; the request may since differ.
  const refs = [ctx.disk.meta?.caId, ctx.disk.meta?.directoryUrl, ctx.journal?.request.caId, ctx.journal?.request.directoryUrl].filter(
    (r): r is string => typeof r === 'string' && r !== '' && r !== 'unknown',
  );
  const caCtx = { sandboxDir: deps.paths.sandboxDir, ...(deps.caPolicies ? { caPolicies: deps.caPolicies } : {}) };
  for (const ref of refs) {
    try {
      ctx.ca = resolveCa(ref, caCtx);
      delete ctx.caError;
      return;
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      // Keep the most telling error: "sandbox not running" beats "unknown CA" for a slug.
      if (!ctx.caError || err.code === 'sandbox-not-running') ctx.caError = err;
    }
  }
}

async function dnsTier(runner: CheckRunner, deps: DiagnoseDeps, ctx: CertContext, names: string[], opts: DiagnoseOptions): Promise<void> {
  const { certName, ca } = ctx;
  const servers = opts.dnsServers?.length ? opts.dnsServers : ca?.source === 'sandbox' && ca.dnsPort ? [`127.0.0.1:${ca.dnsPort}`] : undefined;
  const lookups: DnsLookups = createLookups(servers);
  const running = await lockHeldByLiveOwner(deps.paths, certName, deps.clock.now());
  for (const name of names) {
    const base = { tier: 'dns' as const, certName };
    if (!name.startsWith('*.')) {
      await runner.run({ ...base, key: `cert:${certName}:dns:${name}:address`, title: `${name}: A/AAAA` }, async () => {
        const r = await checkAddresses(lookups, name, certName);
        return { findings: r.findings, ...(r.note ? { note: r.note } : {}) };
      });
    }
    if (ca) {
      const accountUri = ctx.disk.meta?.accountUrl;
      await runner.run({ ...base, key: `cert:${certName}:dns:${name}:caa`, title: `${name}: CAA allows ${ca.name}`, caId: ca.id }, async () =>
        checkCaa(lookups, name, ca, { certName, method: 'http-01', ...(accountUri ? { accountUri } : {}) }),
      );
    }
    await runner.run({ ...base, key: `cert:${certName}:dns:${name}:txt`, title: `${name}: leftover _acme-challenge records` }, () => checkChallengeRecords(lookups, name, running, certName));
  }
}

async function caTier(runner: CheckRunner, deps: DiagnoseDeps, ca: ResolvedCa, signal?: AbortSignal): Promise<void> {
  const base = { tier: 'ca' as const, caId: ca.id };
  let probe: DirectoryProbe | undefined;
  await runner.run({ ...base, key: `ca:${ca.id}:directory`, title: `directory of ${ca.name} reachable, TLS` }, async () => {
    probe = await probeDirectory(ca.directoryUrl, { clock: deps.clock, ...(ca.caBundlePem ? { caBundlePem: ca.caBundlePem } : {}), ...(signal ? { signal } : {}) });
    return reachabilityFindings(ca, probe, deps.clock.now());
  });
  const reachable = probe && !probe.error && probe.status === 200;
  const title = (t: string) => t;
  if (!probe || probe.error) {
    runner.skip({ ...base, key: `ca:${ca.id}:clock`, title: title('clock skew') }, 'skipped: the CA did not answer');
  } else {
    const p = probe;
    await runner.run({ ...base, key: `ca:${ca.id}:clock`, title: title('clock skew from its Date header') }, async () => clockSkewFindings(ca, p));
  }
  const accounts = await accountsAt(deps.storage ?? deps.paths, ca.directoryUrl);
  if (!reachable) {
    runner.skip({ ...base, key: `ca:${ca.id}:accounts`, title: title('terms of service and account status') }, 'skipped: no directory from the CA');
    return;
  }
  const p = probe!;
  await runner.run({ ...base, key: `ca:${ca.id}:tos`, title: title('terms of service agreed are current') }, async () => tosFindings(ca, p, accounts));
  for (const account of accounts.filter((a) => a.accountUrl)) {
    await runner.run({ ...base, key: `ca:${ca.id}:account:${account.accountUrl}`, title: title(`account ${account.email ?? '(no e-mail)'} is valid at the CA`) }, async () => {
      if (!deps.readAccount) return { findings: [], skipped: true, note: 'no ACME session available' };
      try {
        const state = await deps.readAccount(ca, account.email, signal);
        if (!state) return { findings: [], skipped: true, note: 'no account URL stored' };
        return accountFindings(ca, account, state);
      } catch (err) {
        if (!(err instanceof EngineError) || err.kind === 'cancelled') throw err;
        const problemType = (err as { problemType?: string }).problemType;
        return accountFindings(ca, account, { error: { code: err.code, message: err.message, ...(problemType ? { problemType } : {}), ...(err.hint ? { hint: err.hint } : {}) } });
      }
    });
  }
}

function groupByCa(contexts: readonly CertContext[]): Array<{ ca?: ResolvedCa; certs: string[]; error?: EngineError }> {
  const groups = new Map<string, { ca?: ResolvedCa; certs: string[]; error?: EngineError }>();
  for (const c of contexts) {
    if (!c.ca && !c.caError && !c.journal && !c.disk.meta) continue; // nothing says which CA: the offline checks said enough
    const key = c.ca ? `${c.ca.id}\n${c.ca.directoryUrl}` : `unresolved\n${c.caError?.code ?? ''}`;
    const group = groups.get(key) ?? { ...(c.ca ? { ca: c.ca } : {}), ...(c.caError && !c.ca ? { error: c.caError } : {}), certs: [] };
    group.certs.push(c.certName);
    groups.set(key, group);
  }
  return [...groups.values()];
}

async function accountsAt(paths: StatePaths | Storage, directoryUrl: string): Promise<AccountRecord[]> {
  try {
    const key = comparable(directoryUrl);
    return (await listAccounts(paths)).filter((a) => comparable(a.directoryUrl) === key);
  } catch {
    return []; // a corrupt record is the offline tier's finding
  }
}

function comparable(u: string): string {
  return u.replace(/\/+$/, '').toLowerCase();
}

/** Certificates under live/ and requests with a journal (an order that never finished has no live/ entry yet). */
async function knownCertNames(paths: StatePaths, storage?: Storage): Promise<string[]> {
  const names = new Set<string>();
  // A fleet's orders in flight are in its shared journal, whichever node runs them.
  if (storage && storage.info().kind !== 'file') {
    for (const entry of await storage.list('journal')) if (entry.endsWith('.json')) names.add(entry.slice(0, -5));
  }
  for (const [dir, pick] of [
    [paths.liveDir, (n: string) => n],
    [paths.journalDir, (n: string) => (n.endsWith('.json') ? n.slice(0, -5) : undefined)],
  ] as const) {
    try {
      for (const entry of await readdir(dir)) {
        const name = pick(entry);
        if (name && !name.startsWith('.')) names.add(name);
      }
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }
  return [...names].sort();
}

async function allJournals(paths: StatePaths | Storage, certNames: readonly string[]): Promise<Journal[]> {
  const out: Journal[] = [];
  for (const name of certNames) {
    const j = await readJournal(paths, name).catch(() => undefined);
    if (j) out.push(j);
  }
  return out;
}
