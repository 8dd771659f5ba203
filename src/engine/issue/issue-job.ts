import acme from 'acme-client';
import type { DeployOutcome, IssueOutcome, IssueRequest } from '../api.js';
import { systemClock, type Clock } from '../core/clock.js';
import { AcmeProblemError, BadInputError, CancelledError, EngineError, StorageError, toErrorInfo } from '../core/errors.js';
import { accountId, loadAccount } from '../store/accounts.js';
import type { EngineEvent, KeyType } from '../events.js';
import { mergePolicy, type WaitPolicy } from '../policy.js';
import { resolveCa, type ResolvedCa } from '../ca/catalog.js';
import type { SessionRegistry } from '../acme/session-registry.js';
import { solverDefaultsFor, type SolverPool } from '../challenge/solver-pool.js';
import { cleanupLeftoverRecords, hookEnvFor } from '../challenge/dns01/leftovers.js';
import { OrderControl, stopIntent } from '../order/order-control.js';
import { OrderRunner } from '../order/order-runner.js';
import { withPolicyRetries } from '../order/retry-loop.js';
import { livePaths, readCertificate, saveCertificate } from '../store/cert-files.js';
import { describeLockOwner } from '../store/lock.js';
import type { Locker, Storage } from '../store/storage.js';
import { issuedSince, notDueYet } from '../renew/index.js';
import type { StatePaths } from '../store/paths.js';
import type { SettingsData } from '../store/settings.js';
import { writeStoredRequest } from '../store/stored-request.js';
import { isShared, materializeCertificate, publishCertificate } from '../store/shared-certificates.js';
import { openRequestJournal } from './request-journal.js';
import { resolveIssueRequest, type EffectiveRequest } from './resolve-request.js';
import { checkIssuedCertificate } from './check-issued.js';
import { orderExtras } from './order-extras.js';

export interface IssueJobDeps {
  paths: StatePaths;
  /** Accounts, stored requests and the order journal. */
  storage: Storage;
  /** The certificate's lock (across processes, and across nodes with a shared backend). */
  locker: Locker;
  clock: Clock;
  emit: (e: EngineEvent) => void;
  sessions: SessionRegistry;
  solvers: SolverPool;
  controls: Map<string, OrderControl>;
  newId: () => string;
  random?: () => number;
  /** The operator's settings (defaults, per-CA policies, per-certificate settings), read once by the runtime. */
  settings: SettingsData;
  /** The time an issued certificate must be valid at (see EngineOptions.validityClock). @default systemClock */
  validityClock?: Clock;
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
  const { clock, emit, paths, storage } = deps;
  const orderIds: string[] = [];
  const at = (): number => clock.now();
  let certName = request.certName ?? '';
  try {
    const { effective, note } = await resolveIssueRequest({ storage, paths, settings: deps.settings, resolve: (id, bundle) => resolveWith(id, bundle, deps) }, request);
    certName = effective.certName;
    if (note) emit({ type: 'log', at: at(), level: 'info', certName, message: note });
    const { challenge, domains, keyType } = effective;
    const caQueue = [effective.ca, ...effective.fallback];
    const primary = resolve(effective.ca, effective, deps);
    // Resolve and check every CA now: a typo in the fallback list should fail before anything is ordered.
    for (const ca of [primary, ...effective.fallback.map((id) => resolve(id, effective, deps))]) {
      await checkCaFits(ca, effective, keyType, storage);
    }

    const requestedAt = clock.now();
    let waitedForLock = false;
    const lock = await deps.locker.lock(certName, {
      wait: effective.waitForLock,
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
      // In a fleet, the node we queued behind (or any node, earlier) may have stored a newer certificate: serve it
      // from local files first, so the checks below (issued meanwhile, not due yet) see what the fleet has.
      if (isShared(storage)) await materializeCertificate(storage, paths, certName);
      // The process we queued behind may have issued exactly this certificate: ordering again would only spend
      // the CA's rate limit on a duplicate.
      const issuedMeanwhile = waitedForLock ? await issuedSince(paths, certName, { domains, keyType }, requestedAt) : undefined;
      if (issuedMeanwhile) {
        emit({ type: 'log', at: at(), level: 'info', certName, message: `${certName} was issued by the certdeck we waited for (serial ${issuedMeanwhile.serial}); not ordering again.` });
        return { certName, ok: true, orderId: '', orderIds, certificateDir: livePaths(paths, certName).dir };
      }
      const notDueUntil = effective.onlyIfDue ? await notDueYet(paths, certName, { domains, keyType }, clock.now(), storage) : undefined;
      if (notDueUntil !== undefined) {
        emit({ type: 'log', at: at(), level: 'info', certName, message: `${certName} is not due for renewal until ${new Date(notDueUntil).toISOString()}; nothing ordered.` });
        return { certName, ok: true, orderId: '', orderIds, certificateDir: livePaths(paths, certName).dir, notDueUntil };
      }
      const journal = await openRequestJournal(storage, certName, {
        domains,
        keyType,
        clock,
        createKey: () => createKey(keyType),
        ...(effective.reuseKey ? { reuseKeyPem: (await readCertificate(paths, certName))?.keyPem } : {}),
        challenge,
      });
      await cleanupLeftoverRecords(journal, { certName, hookEnv: hookEnvFor(primary), clock, emit });
      let ca: ResolvedCa = primary;
      let caSpec = effective.ca;
      let replaces: string | undefined;
      /** After an operator's switch: the CA whose order stays resumable until the new CA accepts the new one. */
      let switchedFrom: { ca: ResolvedCa; reason: string } | undefined;
      let renewalInfoUrl: string | undefined;
      let nextFallback = 1;
      let orderId = deps.newId();
      for (;;) {
        const thisOrder = orderId;
        orderIds.push(orderId);
        const policy: WaitPolicy = mergePolicy(ca.policy, ...effective.policies);
        emit({ type: 'order:queued', at: at(), orderId, certName, domains, caId: ca.id, caName: ca.name, keyType, challenge: challenge.method, policy, ...(replaces ? { replaces } : {}) });
        const control = new OrderControl(signal);
        deps.controls.set(orderId, control);
        const solverDefaults = solverDefaultsFor(ca, clock);
        try {
          emit({ type: 'order:phase', at: at(), orderId, phase: 'account' });
          const account = { agreeTos: effective.agreeTos, ...(effective.email ? { email: effective.email } : {}), ...(effective.eab ? { eab: effective.eab } : {}) };
          // A 429 or 5xx from the directory or the account endpoint is a busy CA, as anywhere else: wait and ask
          // again within the budget. A refused connection or a wrong URL fails at once (nothing is ordered yet).
          const retry = { orderId, policy, clock, control, emit, random: deps.random ?? Math.random };
          const session = await withPolicyRetries(retry, 'reach the CA', () => deps.sessions.get(ca, account, control.signal, orderId), {
            only: (err) => err instanceof AcmeProblemError,
          });
          const extras = await orderExtras(session, ca, effective, (message) => emit({ type: 'log', at: at(), level: 'warn', orderId, certName, message }));
          renewalInfoUrl = (await session.loadDirectory()).renewalInfo;
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
              ...(effective.preferredChain ? { preferredChain: effective.preferredChain } : {}),
              ...extras,
              ...(deps.random ? { random: deps.random } : {}),
            }).run();
          } finally {
            await release();
          }
          // Checked before anything is installed: names, validity, chain and key (a CA is not trusted blindly).
          checkIssuedCertificate({ fullchainPem: result.fullchainPem, keyPem: journal.keyPem, domains, now: (deps.validityClock ?? systemClock).now(), caName: ca.name });
          emit({ type: 'order:phase', at: at(), orderId, phase: 'saving' });
          const [leaf, ...chain] = acme.crypto.splitPemChain(result.fullchainPem);
          const saved = await saveCertificate(paths, certName, {
            certPem: leaf ?? '',
            chainPem: chain.join('\n'),
            keyPem: journal.keyPem,
            meta: { domains, caId: ca.id, directoryUrl: ca.directoryUrl, keyType, savedAt: clock.now() },
          }).catch((err: unknown) => {
            // The CA has issued: the journal keeps the order, so the next run downloads it instead of ordering again.
            if (!(err instanceof StorageError)) throw err;
            throw new StorageError(
              `${err.message} The certificate was issued but could not be saved.`,
              `${err.hint ?? 'Fix the storage problem.'} Then run the same command again: the order resumes and the certificate is downloaded again, without a new order.`,
              err,
            );
          });
          // Shared before the journal lets go of the order: a crash in between resumes it (a download, no new order).
          if (isShared(storage)) {
            const local = await readCertificate(paths, certName);
            if (local) await publishCertificate(storage, certName, local);
          }
          await journal.finish('valid', 'issued');
          await remember(storage, effective, caSpec, ca, clock.now(), renewalInfoUrl);
          const { version: _v, versionDir: _d, ...summary } = saved;
          emit({ type: 'certificate:saved', at: at(), certificate: summary });
          emit({ type: 'order:finished', at: at(), orderId, outcome: 'valid', certificate: summary });
          const deploy = deps.afterSave ? await deps.afterSave(certName) : undefined;
          // No targets, no run: nothing to report (runId is empty then).
          return { certName, ok: true, orderId, orderIds, certificateDir: summary.dir, ...(deploy?.runId ? { deploy } : {}) };
        } catch (err) {
          const stop = stopIntent(control.signal);
          if (stop?.kind === 'switch') {
            const next = resolve(stop.caId, effective, deps);
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
            caSpec = stop.caId;
            continue;
          }
          if (stop?.kind === 'suspend') {
            emit({ type: 'order:finished', at: at(), orderId, outcome: 'cancelled', reason: `${stop.reason}; the order resumes on the next run` });
            return { certName, ok: false, orderId, orderIds, error: new CancelledError(stop.reason).toInfo() };
          }
          if ((err instanceof CancelledError || stop?.kind === 'cancel') && control.issuing) {
            // Finalize was sent: the CA is issuing (or has issued) this certificate. Abandoning the order now would
            // make the next run order, and pay for, a second certificate for the same request; keep it instead.
            const reason = `${stop?.reason ?? 'stopped'}; the certificate is already being issued, the next run resumes this order and downloads it`;
            emit({ type: 'order:finished', at: at(), orderId, outcome: 'cancelled', reason });
            return { certName, ok: false, orderId, orderIds, error: new CancelledError(reason).toInfo() };
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
            const next = resolve(nextId, effective, deps);
            const reason = `${info.message} Falling back to ${next.name}.`;
            await journal.abandon(reason);
            switchedFrom = undefined;
            replaces = orderId;
            const replacedBy = deps.newId();
            emit({ type: 'order:finished', at: at(), orderId, outcome: 'abandoned', reason, error: info, replacedBy });
            orderId = replacedBy;
            ca = next;
            caSpec = nextId;
            continue;
          }
          // A timeout or network failure leaves the journal as it is, so the next run resumes this order; so does a
          // storage failure (a full disk while saving): the CA has issued, and the next run downloads it again.
          if (!info.retryable && info.kind !== 'storage') await journal.abandon(`failed: ${info.message}`);
          await journal.recordFailure(ca.id, info.message).catch(() => undefined);
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
async function checkCaFits(ca: ResolvedCa, request: EffectiveRequest, keyType: KeyType, storage: Storage): Promise<void> {
  if (ca.keyFamily && !keyType.startsWith(ca.keyFamily)) {
    throw new BadInputError('key-family', `${ca.name} issues only for ${ca.keyFamily.toUpperCase()} keys, and --key-type is ${keyType}.`, `Choose a ${ca.keyFamily} key type, or the CA's other endpoint.`);
  }
  if (ca.eabRequired && !request.eab) {
    const stored = await loadAccount(storage, ca.directoryUrl, request.email);
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
 * After a saved certificate: what obtained it, so every later run (renew, --if-due, a plain re-issue) obtains it
 * the same way without asking again. The CA is the one that issued (after a fallback or a switch, that one).
 */
async function remember(storage: Storage, effective: EffectiveRequest, caSpec: string, ca: ResolvedCa, now: number, renewalInfoUrl: string | undefined): Promise<void> {
  await writeStoredRequest(storage, {
    formatVersion: 1,
    certName: effective.certName,
    domains: effective.domains,
    ca: caSpec,
    directoryUrl: ca.directoryUrl,
    ...(effective.caBundlePath ? { caBundlePath: effective.caBundlePath } : {}),
    account: accountId(ca.directoryUrl, effective.email),
    keyType: effective.keyType,
    ...(effective.reuseKey ? { reuseKey: true } : {}),
    challenge: effective.challenge,
    ...(effective.preferredChain ? { preferredChain: effective.preferredChain } : {}),
    ...(effective.fallback.length ? { fallback: effective.fallback } : {}),
    ...(effective.policy ? { policy: effective.policy } : {}),
    ...(effective.profile ? { profile: effective.profile } : {}),
    ...(renewalInfoUrl ? { renewalInfoUrl } : {}),
    savedAt: new Date(now).toISOString(),
  });
}

function resolve(idOrUrl: string, request: Pick<EffectiveRequest, 'caBundlePath'>, deps: Pick<IssueJobDeps, 'paths' | 'settings'>): ResolvedCa {
  return resolveWith(idOrUrl, request.caBundlePath, deps);
}

function resolveWith(idOrUrl: string, caBundlePath: string | undefined, deps: Pick<IssueJobDeps, 'paths' | 'settings'>): ResolvedCa {
  return resolveCa(idOrUrl, {
    sandboxDir: deps.paths.sandboxDir,
    ...(caBundlePath ? { caBundlePath } : {}),
    ...(deps.settings.caPolicies ? { caPolicies: deps.settings.caPolicies } : {}),
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
