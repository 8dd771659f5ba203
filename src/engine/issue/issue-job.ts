import acme from 'acme-client';
import type { ChallengeConfig, DeployOutcome, IssueOutcome, IssueRequest } from '../api.js';
import type { Clock } from '../core/clock.js';
import { BadInputError, CancelledError, EngineError, toErrorInfo } from '../core/errors.js';
import { loadAccount } from '../store/accounts.js';
import type { CertificateSummary, EngineEvent, KeyType } from '../events.js';
import { mergePolicy, type PolicyOverride, type WaitPolicy } from '../policy.js';
import { resolveCa, type ResolvedCa } from '../ca/catalog.js';
import type { SessionRegistry } from '../acme/session-registry.js';
import type { SolverPool } from '../challenge/solver-pool.js';
import { normalizeDomains, assertCertName, defaultCertName, sameDomainSet } from '../names.js';
import { OrderControl } from '../order/order-control.js';
import { OrderRunner } from '../order/order-runner.js';
import { listCertificates, livePaths, readCertificate, saveCertificate, type StoredCertificate } from '../store/cert-files.js';
import { acquireLock, describeLockOwner } from '../store/lock.js';
import { readJournal } from '../store/journal.js';
import { renewalDueAt } from '../renewal.js';
import type { StatePaths } from '../store/paths.js';
import { openRequestJournal } from './request-journal.js';

export interface IssueJobDeps {
  paths: StatePaths;
  clock: Clock;
  emit: (e: EngineEvent) => void;
  sessions: SessionRegistry;
  solvers: SolverPool;
  controls: Map<string, OrderControl>;
  newId: () => string;
  random?: () => number;
  /** Per-CA policy overrides from the settings file. */
  caPolicies?: Record<string, PolicyOverride>;
  /** Called after a certificate was saved (runs the deploy pipeline); its outcome goes into the issue outcome. */
  afterSave?: (certName: string) => Promise<DeployOutcome>;
}

/** Errors after which trying the next CA in the fallback list makes sense (not: a bad name, a cancel). */
const FALLBACK_KINDS = new Set(['timeout', 'rate-limited', 'network', 'ca-problem']);

/**
 * One certificate request from start to end: validates it, takes the certificate's lock, keeps the private key
 * in the journal before any order exists, and runs orders against the primary CA and then (after a phase
 * deadline or budget ran out, or when the operator switches) against the next CA, with the same key.
 */
export async function runIssueJob(deps: IssueJobDeps, request: IssueRequest, signal?: AbortSignal): Promise<IssueOutcome> {
  const { clock, emit, paths } = deps;
  const orderIds: string[] = [];
  const at = (): number => clock.now();
  let certName = request.certName ?? '';
  try {
    const challenge: ChallengeConfig = request.challenge ?? { method: 'http-01-standalone' };
    const domains = normalizeDomains(request.domains, { wildcardAllowed: false });
    certName = assertCertName(request.certName ?? (await certNameFor(paths, domains)) ?? defaultCertName(domains));
    const keyType: KeyType = request.keyType ?? 'ec-p256';
    const caQueue = [request.ca, ...(request.fallback ?? [])];
    const primary = resolve(request.ca, request, deps);
    // Resolve and check every CA now: a typo in the fallback list should fail before anything is ordered.
    for (const ca of [primary, ...(request.fallback ?? []).map((id) => resolve(id, request, deps))]) {
      await checkCaFits(ca, request, keyType, paths);
    }

    const requestedAt = clock.now();
    let waitedForLock = false;
    const lock = await acquireLock(paths, certName, {
      wait: request.waitForLock ?? false,
      clock,
      onWait: (owner) => {
        // Once, so a --wait run that sits here says why instead of looking frozen.
        if (!waitedForLock) {
          emit({ type: 'log', at: at(), level: 'info', certName, message: `Waiting for another certdeck (${describeLockOwner(owner)}) to finish with ${certName}.` });
        }
        waitedForLock = true;
      },
      ...(signal ? { signal } : {}),
    });
    try {
      // The process we queued behind may have issued exactly this certificate: ordering again would only spend
      // the CA's rate limit on a duplicate.
      const issuedMeanwhile = waitedForLock ? await issuedSince(paths, certName, { domains, keyType }, requestedAt) : undefined;
      if (issuedMeanwhile) {
        emit({ type: 'log', at: at(), level: 'info', certName, message: `${certName} was issued by the certdeck we waited for (serial ${issuedMeanwhile.serial}); not ordering again.` });
        return { certName, ok: true, orderId: '', orderIds, certificateDir: livePaths(paths, certName).dir };
      }
      const notDueUntil = request.onlyIfDue ? await notDueYet(paths, certName, { domains, keyType }, clock.now()) : undefined;
      if (notDueUntil !== undefined) {
        emit({ type: 'log', at: at(), level: 'info', certName, message: `${certName} is not due for renewal until ${new Date(notDueUntil).toISOString()}; nothing ordered.` });
        return { certName, ok: true, orderId: '', orderIds, certificateDir: livePaths(paths, certName).dir, notDueUntil };
      }
      const journal = await openRequestJournal(paths, certName, {
        domains,
        keyType,
        clock,
        createKey: () => createKey(keyType),
        ...(request.reuseKey ? { reuseKeyPem: (await readCertificate(paths, certName))?.keyPem } : {}),
      });
      let ca: ResolvedCa = primary;
      let replaces: string | undefined;
      /** After an operator's switch: the CA whose order stays resumable until the new CA accepts the new one. */
      let switchedFrom: { ca: ResolvedCa; reason: string } | undefined;
      let nextFallback = 1;
      let orderId = deps.newId();
      for (;;) {
        const thisOrder = orderId;
        orderIds.push(orderId);
        const policy: WaitPolicy = mergePolicy(ca.policy, request.policy);
        emit({ type: 'order:queued', at: at(), orderId, certName, domains, caId: ca.id, caName: ca.name, keyType, challenge: challenge.method, policy, ...(replaces ? { replaces } : {}) });
        const control = new OrderControl(signal);
        deps.controls.set(orderId, control);
        const solverDefaults = { host: ca.httpPort !== undefined ? '127.0.0.1' : '::', port: ca.httpPort ?? 80 };
        try {
          emit({ type: 'order:phase', at: at(), orderId, phase: 'account' });
          const session = await deps.sessions.get(ca, { agreeTos: request.agreeTos ?? false, ...(request.email ? { email: request.email } : {}), ...(request.eab ? { eab: request.eab } : {}) }, control.signal);
          const { solver, release } = await deps.solvers.acquire(challenge, solverDefaults);
          let result;
          try {
            const port = await journal.forCa(ca, switchedFrom ? { replacing: switchedFrom.reason } : {});
            result = await new OrderRunner({
              orderId,
              domains,
              caName: ca.name,
              keyPem: journal.keyPem,
              policy,
              session,
              solver,
              journal: port,
              control,
              clock,
              emit,
              ...(request.preferredChain ? { preferredChain: request.preferredChain } : {}),
              ...(deps.random ? { random: deps.random } : {}),
            }).run();
          } finally {
            await release();
          }
          emit({ type: 'order:phase', at: at(), orderId, phase: 'saving' });
          const [leaf, ...chain] = acme.crypto.splitPemChain(result.fullchainPem);
          const saved = await saveCertificate(paths, certName, {
            certPem: leaf ?? '',
            chainPem: chain.join('\n'),
            keyPem: journal.keyPem,
            meta: { domains, caId: ca.id, directoryUrl: ca.directoryUrl, keyType, savedAt: clock.now() },
          });
          await journal.finish('valid', 'issued');
          const { version: _v, versionDir: _d, ...summary } = saved;
          emit({ type: 'certificate:saved', at: at(), certificate: summary });
          emit({ type: 'order:finished', at: at(), orderId, outcome: 'valid', certificate: summary });
          const deploy = deps.afterSave ? await deps.afterSave(certName) : undefined;
          // No targets, no run: nothing to report (runId is empty then).
          return { certName, ok: true, orderId, orderIds, certificateDir: summary.dir, ...(deploy?.runId ? { deploy } : {}) };
        } catch (err) {
          const stop = control.stopRequest;
          if (stop?.kind === 'switch') {
            const next = resolve(stop.caId, request, deps);
            const reason = `switched to ${next.name} by the operator`;
            // Not abandoned in the journal yet: that happens when the new CA has accepted the new order (forCa).
            // A second switch before the first got an order: the journal still holds the first CA's order.
            switchedFrom = journal.keepsReplacedOrder && switchedFrom ? { ...switchedFrom, reason } : { ca, reason };
            journal.keepForSwitch();
            replaces = orderId;
            const replacedBy = deps.newId();
            emit({ type: 'order:finished', at: at(), orderId, outcome: 'abandoned', reason, replacedBy });
            orderId = replacedBy;
            ca = next;
            continue;
          }
          if (stop?.kind === 'suspend') {
            emit({ type: 'order:finished', at: at(), orderId, outcome: 'cancelled', reason: `${stop.reason}; the order resumes on the next run` });
            return { certName, ok: false, orderId, orderIds, error: new CancelledError(stop.reason).toInfo() };
          }
          if (err instanceof CancelledError || stop?.kind === 'cancel') {
            const reason = stop?.reason ?? (err instanceof Error ? err.message : 'cancelled');
            await journal.abandon(`cancelled: ${reason}`);
            emit({ type: 'order:finished', at: at(), orderId, outcome: 'cancelled', reason });
            return { certName, ok: false, orderId, orderIds, error: new CancelledError(reason).toInfo() };
          }
          let info = toErrorInfo(err);
          if (journal.keepsReplacedOrder && switchedFrom) {
            // The switch never got an order at the new CA: say that the one before it is still there to resume.
            const keep = `The order at ${switchedFrom.ca.name} from before the switch is kept and resumes on the next run with --ca ${switchedFrom.ca.id}.`;
            info = { ...info, hint: info.hint ? `${info.hint} ${keep}` : keep };
            emit({ type: 'log', at: at(), level: 'warn', orderId, message: keep });
          }
          const nextId = caQueue[nextFallback];
          if (nextId !== undefined && err instanceof EngineError && FALLBACK_KINDS.has(err.kind)) {
            nextFallback += 1;
            const next = resolve(nextId, request, deps);
            const reason = `${info.message} Falling back to ${next.name}.`;
            await journal.abandon(reason);
            switchedFrom = undefined;
            replaces = orderId;
            const replacedBy = deps.newId();
            emit({ type: 'order:finished', at: at(), orderId, outcome: 'abandoned', reason, error: info, replacedBy });
            orderId = replacedBy;
            ca = next;
            continue;
          }
          // A timeout or network failure leaves the journal as it is, so the next run resumes this order.
          if (!info.retryable) await journal.abandon(`failed: ${info.message}`);
          await journal.recordFailure(ca.id, info.message);
          emit({ type: 'order:finished', at: at(), orderId, outcome: 'failed', error: info });
          return { certName, ok: false, orderId, orderIds, error: info };
        } finally {
          deps.controls.delete(thisOrder);
        }
      }
    } finally {
      await lock.release();
    }
  } catch (err) {
    // Failures before any order existed (bad input, lock held, unwritable state): no order to attach them to.
    const info = toErrorInfo(err);
    emit({ type: 'log', at: at(), level: 'error', message: `${info.message}${info.hint ? ` ${info.hint}` : ''}`, ...(certName ? { certName } : {}) });
    return { certName, ok: false, orderId: orderIds.at(-1) ?? '', orderIds, error: info };
  }
}

/** What can be known without asking the CA: EAB credentials where the catalog says they are required, key family. */
async function checkCaFits(ca: ResolvedCa, request: IssueRequest, keyType: KeyType, paths: StatePaths): Promise<void> {
  if (ca.keyFamily && !keyType.startsWith(ca.keyFamily)) {
    throw new BadInputError('key-family', `${ca.name} issues only for ${ca.keyFamily.toUpperCase()} keys, and --key-type is ${keyType}.`, `Choose a ${ca.keyFamily} key type, or the CA's other endpoint.`);
  }
  if (ca.eabRequired && !request.eab) {
    const stored = await loadAccount(paths, ca.directoryUrl, request.email);
    if (!stored?.accountUrl && !stored?.eabHmacKey) {
      throw new BadInputError(
        'eab-required',
        `${ca.name} requires External Account Binding to create an account, and none was given.`,
        "Get an EAB key id and HMAC key from the CA's dashboard and pass --eab-kid / --eab-hmac-key (or CERTDECK_EAB_KID / CERTDECK_EAB_HMAC_KEY).",
      );
    }
  }
}

/**
 * The certificate already managed for exactly these names, in whatever order they were given: `issue b a --if-due`
 * after `issue a b` renews live/a instead of starting a second certificate live/b for the same names. The default
 * name's own directory wins when it matches, so nothing changes for the usual case.
 */
async function certNameFor(paths: StatePaths, domains: string[]): Promise<string | undefined> {
  const { certificates } = await listCertificates(paths).catch(() => ({ certificates: [] as CertificateSummary[] }));
  const same = certificates.filter((c) => sameDomainSet(c.domains, domains));
  return (same.find((c) => c.certName === defaultCertName(domains)) ?? same[0])?.certName;
}

type Wanted = { domains: string[]; keyType: KeyType };

/** The certificate on disk, if it is for exactly these names and this key type. */
async function storedFor(paths: StatePaths, certName: string, want: Wanted): Promise<StoredCertificate | undefined> {
  const stored = await readCertificate(paths, certName).catch(() => undefined);
  return stored && stored.meta.keyType === want.keyType && sameDomainSet(stored.meta.domains, want.domains) ? stored : undefined;
}

/** The certificate on disk, if it was saved at or after `since` for exactly these names and key type. */
async function issuedSince(paths: StatePaths, certName: string, want: Wanted, since: number): Promise<{ serial: string } | undefined> {
  const stored = await storedFor(paths, certName, want);
  return stored && Date.parse(stored.meta.savedAt) >= since ? { serial: stored.meta.serial } : undefined;
}

/**
 * When the certificate on disk still serves this request and is not in its renewal window: the time it becomes
 * due. Undefined means order now: no certificate, other names or key type, due already, or an order of this
 * request left unfinished (it is resumed, not abandoned).
 */
async function notDueYet(paths: StatePaths, certName: string, want: Wanted, now: number): Promise<number | undefined> {
  if ((await readJournal(paths, certName).catch(() => undefined))?.current) return undefined;
  const stored = await storedFor(paths, certName, want);
  if (!stored) return undefined;
  const dueAt = renewalDueAt(Date.parse(stored.meta.notBefore), Date.parse(stored.meta.notAfter));
  return now < dueAt ? dueAt : undefined;
}

function resolve(idOrUrl: string, request: IssueRequest, deps: Pick<IssueJobDeps, 'paths' | 'caPolicies'>): ResolvedCa {
  return resolveCa(idOrUrl, {
    sandboxDir: deps.paths.sandboxDir,
    ...(request.caBundlePath ? { caBundlePath: request.caBundlePath } : {}),
    ...(deps.caPolicies ? { caPolicies: deps.caPolicies } : {}),
  });
}

async function createKey(keyType: KeyType): Promise<string> {
  switch (keyType) {
    case 'ec-p256':
      return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
    case 'ec-p384':
      return (await acme.crypto.createPrivateEcdsaKey('P-384')).toString();
    case 'rsa-2048':
      return (await acme.crypto.createPrivateRsaKey(2048)).toString();
    case 'rsa-3072':
      return (await acme.crypto.createPrivateRsaKey(3072)).toString();
    case 'rsa-4096':
      return (await acme.crypto.createPrivateRsaKey(4096)).toString();
  }
}
