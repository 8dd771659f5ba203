import type { IssueOutcome, IssueRequest } from '../api.js';
import type { Clock } from '../core/clock.js';
import { BadInputError, toErrorInfo, type ErrorInfo } from '../core/errors.js';
import type { EngineEvent, RenewalPlan } from '../events.js';
import { readCertificate, type StoredCertificate } from '../store/cert-files.js';
import { readJournal } from '../store/journal.js';
import type { StatePaths } from '../store/paths.js';
import { readRenewalState, writeRenewalState, type RenewalState } from '../store/renewal-state.js';
import { readStoredRequest, type StoredRequest } from '../store/stored-request.js';
import { nextAriState, type RenewalInfoAnswer } from './ari.js';
import { ariCertId } from './cert-id.js';
import { renewalPlan } from './plan.js';
import { retryDelayMs } from './retry-schedule.js';

/**
 * `certdeck renew`: for each managed certificate, decide (offline first) whether it is due, and renew the due ones
 * with their stored request. Order of the decision, kindest to the CA first:
 *   1. inside its retry schedule after failed renewals -> skipped, saying when it tries next (--force overrides);
 *   2. --force, an unfinished order of it (resumed), or expired -> now (no ARI for an expired certificate);
 *   3. its CA advertised ARI at issuance -> ask renewalInfo when the cached answer's Retry-After has passed (a CA
 *      that cannot be reached leaves the cached window or the lifetime rule to decide: never a failure);
 *   4. due when the time chosen inside the window, or the lifetime rule, has passed.
 * A CA without ARI is not contacted at all unless something is due.
 */

export type RenewAction = 'renewed' | 'not-due' | 'backoff' | 'failed';

export interface RenewResult {
  certName: string;
  action: RenewAction;
  /** Why it was renewed now (forced, ARI window, lifetime rule, unfinished order, expired). */
  reason?: string;
  plan?: RenewalPlan;
  /** The ARI certID sent as `replaces` (when the CA advertises ARI). */
  replaces?: string;
  issue?: IssueOutcome;
  error?: ErrorInfo;
  /** For failed and backoff: the certificate on disk has not expired yet. */
  certificateStillValid?: boolean;
}

export interface RenewDeps {
  paths: StatePaths;
  clock: Clock;
  random: () => number;
  emit: (e: EngineEvent) => void;
  /** The names of every certificate on disk. */
  certNames: () => Promise<string[]>;
  issue: (request: IssueRequest) => Promise<IssueOutcome>;
  /** GET renewalInfo/certID through the CA's transport (trust of its stored CA bundle). */
  fetchRenewalInfo: (stored: StoredRequest, certId: string) => Promise<RenewalInfoAnswer>;
  /** A catalog or sandbox CA id for a certificate without a stored request. */
  caFor: (cert: StoredCertificate) => string;
}

export interface RenewOptions {
  names?: string[];
  force?: boolean;
}

export async function renewCertificates(deps: RenewDeps, opts: RenewOptions, signal?: AbortSignal): Promise<RenewResult[]> {
  const all = await deps.certNames();
  const wanted = opts.names?.length ? opts.names : all;
  const results: RenewResult[] = [];
  for (const certName of wanted) {
    if (signal?.aborted) break;
    results.push(await renewOne(deps, certName, opts.force ?? false).catch((err: unknown) => failed(certName, toErrorInfo(err))));
  }
  return results;
}

function failed(certName: string, error: ErrorInfo, certificateStillValid?: boolean): RenewResult {
  return { certName, action: 'failed', error, ...(certificateStillValid === undefined ? {} : { certificateStillValid }) };
}

async function renewOne(deps: RenewDeps, certName: string, force: boolean): Promise<RenewResult> {
  const { paths, clock, emit } = deps;
  const log = (level: 'info' | 'warn', message: string): void => emit({ type: 'log', at: clock.now(), level, certName, message });
  const cert = await readCertificate(paths, certName);
  if (!cert) {
    const err = new BadInputError('unknown-certificate', `There is no certificate named ${certName} in ${paths.liveDir}.`, 'See `certdeck list` for the certificates certdeck manages.');
    log('warn', err.message);
    return failed(certName, err.toInfo());
  }
  const notBefore = Date.parse(cert.meta.notBefore);
  const notAfter = Date.parse(cert.meta.notAfter);
  const stored = await readStoredRequest(paths, certName).catch(() => undefined);
  let state = await readRenewalState(paths, certName, cert.meta.serial).catch((): RenewalState => ({ formatVersion: 1, certName, serial: cert.meta.serial }));
  const now = clock.now();
  const stillValid = notAfter > now;

  const retry = state.retry;
  if (!force && retry && Date.parse(retry.nextAttemptAt) > now) {
    log('info', `${certName}: renewal failed ${retry.failures} time${retry.failures === 1 ? '' : 's'} (last: ${retry.lastError}); next attempt at ${retry.nextAttemptAt} (--force to try now).`);
    return { certName, action: 'backoff', plan: renewalPlan({ notBefore, notAfter }, state), certificateStillValid: stillValid };
  }

  // ARI only for a CA that advertised it, and never for an expired certificate (RFC 9773 4.3).
  const certId = stored?.renewalInfoUrl ? safeCertId(cert.certPem) : undefined;
  let reason: string | undefined;
  if (force) reason = 'forced (--force)';
  else if ((await readJournal(paths, certName).catch(() => undefined))?.current) reason = 'an unfinished order of it is resumed';
  else if (!stillValid) reason = 'it has expired';
  else {
    if (stored?.renewalInfoUrl && certId) {
      const ari = state.ari;
      if (!ari || ari.certId !== certId || Date.parse(ari.nextFetchAt) <= now) {
        state = { ...state, ari: await askAri(deps, stored, certId, state) };
        await writeRenewalState(paths, state).catch((err: unknown) => log('warn', `Could not cache the ARI answer: ${toErrorInfo(err).message}`));
        if (state.ari?.lastError) log('warn', `${certName}: no usable ARI answer from the CA (${state.ari.lastError}); deciding from ${state.ari.window ? 'the last window it sent' : 'the lifetime rule'}.`);
      }
    }
    const plan = renewalPlan({ notBefore, notAfter }, state);
    if (now < plan.dueAt) {
      const explanation = plan.ari?.explanationUrl ? ` (CA explains: ${plan.ari.explanationUrl})` : '';
      log('info', `${certName} is not due for renewal until ${new Date(plan.dueAt).toISOString()} (${plan.source === 'ari' ? 'time chosen in the ARI window' : 'lifetime rule'})${explanation}; nothing ordered.`);
      return { certName, action: 'not-due', plan };
    }
    reason = plan.source === 'ari' ? `the time chosen in the CA's ARI window (${new Date(plan.dueAt).toISOString()}) has passed` : 'it is in its renewal window (lifetime rule)';
  }
  log('info', `Renewing ${certName}: ${reason}.`);

  const request: IssueRequest = {
    certName,
    domains: stored?.domains ?? cert.meta.domains,
    ...(stored ? {} : { ca: deps.caFor(cert), keyType: cert.meta.keyType as IssueRequest['keyType'] & string }),
    ...(certId && stored ? { replacing: { certId, directoryUrl: stored.directoryUrl } } : {}),
  };
  const outcome = await deps.issue(request);
  const result: RenewResult = {
    certName,
    action: outcome.ok ? 'renewed' : 'failed',
    reason,
    issue: outcome,
    ...(request.replacing ? { replaces: request.replacing.certId } : {}),
  };
  if (outcome.ok) return result;
  if (outcome.error?.kind === 'cancelled') return { ...result, ...(outcome.error ? { error: outcome.error } : {}) };
  // The retry schedule: 1 min, 10 min, 100 min, then daily, counted per certificate across runs.
  const failures = (state.retry?.failures ?? 0) + 1;
  const at = clock.now();
  const message = outcome.error?.message ?? 'unknown error';
  state = { ...state, retry: { failures, lastAt: new Date(at).toISOString(), lastError: message, nextAttemptAt: new Date(at + retryDelayMs(failures)).toISOString() } };
  await writeRenewalState(paths, state).catch((err: unknown) => log('warn', `Could not record the retry schedule: ${toErrorInfo(err).message}`));
  log('warn', `${certName}: renewal failed (${failures} in a row); next attempt at ${state.retry!.nextAttemptAt}.`);
  return { ...result, ...(outcome.error ? { error: outcome.error } : {}), certificateStillValid: outcome.certificateStillValid ?? stillValid, plan: renewalPlan({ notBefore, notAfter }, state) };
}

async function askAri(deps: RenewDeps, stored: StoredRequest, certId: string, state: RenewalState) {
  const url = stored.renewalInfoUrl!;
  const now = deps.clock.now();
  try {
    const answer = await deps.fetchRenewalInfo(stored, certId);
    return nextAriState(state.ari, { certId, url }, deps.clock.now(), deps.random, { answer });
  } catch (err) {
    return nextAriState(state.ari, { certId, url }, now, deps.random, { error: toErrorInfo(err).message });
  }
}

function safeCertId(certPem: string): string | undefined {
  try {
    return ariCertId(certPem);
  } catch {
    return undefined;
  }
}
