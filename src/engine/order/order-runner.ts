import acme from 'acme-client';
import type { Clock } from '../core/clock.js';
import { AcmeProblemError, CancelledError, EngineError, TimeoutError } from '../core/errors.js';
import { stripControl } from '../core/sanitize.js';
import type { AcmeChallengeStatus, AcmeOrderStatus, EngineEvent } from '../events.js';
import { firstPollMs, nextPollDelay, type WaitPhase, type WaitPolicy } from '../policy.js';
import { budgetExhausted, isRetryableStepError, waitBeforeRetry, withPolicyRetries, type RetryContext } from './retry-loop.js';
import type { AcmeAuthorization, AcmeOrder, AcmeSession } from '../acme/session.js';
import type { ChallengeSolver, ChallengeTask, SolverJournalPort } from '../challenge/solver.js';
import { formatCountdown, formatElapsed } from '../core/duration.js';
import type { OrderControl } from './order-control.js';
import { isOrderStatus, stepFor } from './order-steps.js';
import { hintForProblems, shortProblemType } from '../acme/problem-hints.js';

type Emit = (event: EngineEvent) => void;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventBody = DistributiveOmit<EngineEvent, 'at'>;

/** What the journal must remember for a restart to resume instead of ordering again. */
export interface OrderJournalPort {
  /** The order URL a previous run left for this very request at this CA, if any. */
  resumeUrl: string | undefined;
  /** With resumeUrl: when that order was created and (if so) finalized, so the view's times carry on from then. */
  resumed?: { createdAt: number; finalizeSentAt?: number };
  recordOrderUrl(url: string): Promise<void>;
  recordFinalizeSent(): Promise<void>;
  /** dns-01: the records that are (or may be) published, so a crashed run's successor cleans them up. */
  dns: SolverJournalPort;
}

export interface OrderRunInput {
  orderId: string;
  domains: string[];
  caName: string;
  keyPem: string;
  preferredChain?: string;
  /** ARI certID of the certificate this order renews (RFC 9773 5), sent in newOrder. */
  replaces?: string;
  /** ACME profile to ask for in newOrder. */
  profile?: string;
  policy: WaitPolicy;
  session: AcmeSession;
  solver: ChallengeSolver;
  journal: OrderJournalPort;
  control: OrderControl;
  clock: Clock;
  emit: Emit;
  random?: () => number;
}

export interface OrderRunResult {
  order: AcmeOrder;
  /** Leaf first, then the chain, as the CA sent it. */
  fullchainPem: string;
}

/**
 * Carries one ACME order from creation (or a journaled URL) to a downloaded certificate. A state machine over
 * the CA's real order status: every step that changes the order is preceded by a fresh read of it, every wait
 * goes through the policy (Retry-After or backoff, phase deadline, retry budget), and every transition is an
 * event.
 */
export class OrderRunner {
  private lastStatus: AcmeOrderStatus | undefined;
  private csrPem: string | undefined;
  private processingSince: number | undefined;
  private readonly random: () => number;

  constructor(private readonly input: OrderRunInput) {
    this.random = input.random ?? Math.random;
  }

  /** `at` defaults to now; waits pass the instant they computed their due time from, so `due - at` is the delay. */
  private emit(body: EventBody, at = this.input.clock.now()): void {
    this.input.emit({ ...body, at } as EngineEvent);
  }

  private get op() {
    return { orderId: this.input.orderId, signal: this.input.control.signal };
  }

  async run(): Promise<OrderRunResult> {
    let order = await this.openOrder();
    let failures = 0;
    for (;;) {
      this.noteStatus(order);
      const step = stepFor(order.status as AcmeOrderStatus);
      try {
        switch (step) {
          case 'authorize':
            order = await this.authorize(order);
            break;
          case 'finalize':
            order = await this.finalize(order);
            break;
          case 'await-processing':
            order = await this.awaitProcessing(order, undefined);
            break;
          case 'download':
            return await this.download(order);
          case 'report-invalid':
            throw await this.invalidOrderError(order);
        }
      } catch (err) {
        if (!isRetryableStepError(err)) throw err;
        failures += 1;
        if (failures > this.input.policy.maxRetries) throw budgetExhausted(err, step, failures - 1);
        await this.waitBeforeRetry(step, failures, err);
        // Read before write: whatever failed, the order may have moved on at the CA.
        order = await this.readOrder(order.url);
      }
    }
  }

  private noteStatus(order: AcmeOrder): void {
    const status = order.status as AcmeOrderStatus;
    if (!isOrderStatus(status)) {
      throw new EngineError('ca-problem', 'malformed-order', `${this.input.caName} returned an order with an unknown status ${stripControl(JSON.stringify(order.status) ?? 'undefined')}.`, {
        hint: 'The CA is misbehaving; run the command again later or switch CA.',
      });
    }
    if (status === 'processing' || status === 'valid') this.input.control.issuing = true;
    if (status === 'processing' && this.processingSince === undefined) this.processingSince = this.input.clock.now();
    if (status === this.lastStatus) return;
    this.lastStatus = status;
    this.emit({ type: 'order:status', orderId: this.input.orderId, status });
  }

  private phase(phase: 'creating' | 'authorizing' | 'finalizing' | 'processing' | 'downloading', detail?: string): void {
    this.emit({ type: 'order:phase', orderId: this.input.orderId, phase, ...(detail ? { detail } : {}) });
  }

  /** Resumes the journaled order when there is a usable one; otherwise creates a new order. */
  private async openOrder(): Promise<AcmeOrder> {
    const { journal, orderId } = this.input;
    if (journal.resumeUrl) {
      try {
        const order = await this.readOrder(journal.resumeUrl);
        if (order.status !== 'invalid') {
          this.checkIdentifiers(order);
          this.lastStatus = order.status as AcmeOrderStatus;
          this.emit({ type: 'order:created', orderId, orderUrl: order.url, status: order.status as AcmeOrderStatus, resumed: true, ...resumedTimes(journal.resumed), ...(order.expires ? { expires: order.expires } : {}) });
          return order;
        }
        this.emit({ type: 'log', orderId, level: 'warn', message: `The journaled order ${journal.resumeUrl} is invalid at the CA; creating a new order.` });
      } catch (err) {
        if (err instanceof CancelledError || !(err instanceof AcmeProblemError)) throw err;
        this.emit({ type: 'log', orderId, level: 'warn', message: `The journaled order ${journal.resumeUrl} cannot be read (${err.message}); creating a new order.` });
      }
    }
    this.phase('creating');
    const order = await this.withRetries('create the order', () => this.newOrder());
    // Journal first: a crash from here on resumes this order instead of creating another.
    await journal.recordOrderUrl(order.url);
    this.checkIdentifiers(order);
    this.lastStatus = order.status as AcmeOrderStatus;
    this.emit({ type: 'order:created', orderId, orderUrl: order.url, status: order.status as AcmeOrderStatus, resumed: false, ...(order.expires ? { expires: order.expires } : {}) });
    return order;
  }

  /** The order must be for exactly the requested identifiers (RFC 8555 7.4), no more and no fewer. */
  private checkIdentifiers(order: AcmeOrder): void {
    const ids = Array.isArray(order.identifiers) ? order.identifiers : [];
    const got = ids.map((i) => (i && i.type === 'dns' && typeof i.value === 'string' ? i.value.toLowerCase() : `${String(i?.type)}:${String(i?.value)}`));
    const want = this.input.domains.map((d) => d.toLowerCase());
    const extra = got.filter((g) => !want.includes(g));
    if (extra.length) throw this.notRequested(`identifiers ${extra.map((e) => stripControl(e)).join(', ')}`);
    const missing = want.filter((w) => !got.includes(w));
    if (missing.length) {
      throw new EngineError('ca-problem', 'order-names-differ', `${this.input.caName} created an order without ${missing.join(', ')}, which were requested.`, {
        hint: 'The CA is misbehaving; run the command again later or switch CA.',
      });
    }
  }

  private notRequested(what: string): EngineError {
    return new EngineError('ca-problem', 'unrequested-identifier', `${this.input.caName} added ${what} to the order, which certdeck did not request; the order is refused.`, {
      hint: 'Nothing was presented or installed for it. Report it to the CA, or issue from another CA.',
    });
  }

  /**
   * newOrder with `replaces` and `profile` when given. RFC 9773 5: a CA that says the certificate was already
   * replaced (409 alreadyReplaced) gets the same order once more without `replaces`: the renewal itself is wanted.
   */
  private async newOrder(): Promise<AcmeOrder> {
    const { session, domains, replaces, profile, orderId } = this.input;
    const extra = { ...(profile ? { profile } : {}) };
    if (!replaces) return session.createOrder(domains, this.op, extra);
    try {
      return await session.createOrder(domains, this.op, { ...extra, replaces });
    } catch (err) {
      if (!(err instanceof AcmeProblemError) || err.shortType !== 'alreadyReplaced') throw err;
      this.emit({ type: 'log', orderId, level: 'warn', message: `The CA says the certificate ${replaces} was already replaced (${err.message}); ordering again without "replaces".` });
      return session.createOrder(domains, this.op, extra);
    }
  }

  private async readOrder(url: string): Promise<AcmeOrder> {
    const { order } = await this.withRetries('read the order', () => this.input.session.getOrder(url, this.op));
    return order;
  }

  private async authorize(order: AcmeOrder): Promise<AcmeOrder> {
    const { session, solver, orderId, clock, control } = this.input;
    const type = solver.type;
    this.phase('authorizing', solver.description);
    const authzs = await this.withRetries('read the authorizations', () => session.getAuthorizations(order, this.op));
    // A CA may not slip in names nobody asked for: refused before anything is presented or reported valid. A
    // wildcard's authorization carries its base name (RFC 8555 7.1.4).
    const requested = new Set(this.input.domains.map((d) => d.toLowerCase().replace(/^\*\./, '')));
    for (const authz of authzs) {
      const value = authz.identifier?.value;
      if (authz.identifier?.type !== 'dns' || typeof value !== 'string' || !requested.has(value.toLowerCase())) {
        throw this.notRequested(`an authorization for ${stripControl(JSON.stringify(authz.identifier?.value ?? authz.identifier) ?? '?')}`);
      }
    }
    const pending: Array<{ authz: AcmeAuthorization; challenge: AcmeAuthorization['challenges'][number]; task: ChallengeTask }> = [];
    for (const authz of authzs) {
      const domain = nameOf(authz);
      if (authz.status === 'valid') {
        this.emitAuthz(authz, 'valid');
        continue;
      }
      if (authz.status !== 'pending') {
        throw new AcmeProblemError({ type: 'urn:ietf:params:acme:error:unauthorized', status: 403, detail: `The authorization for ${domain} is ${authz.status}.`,
          hint: 'This order can no longer be completed; run the same command again and certdeck starts a new order (certdeck log NAME shows why the authorization failed).',
        });
      }
      const challenge = authz.challenges.find((c) => c.type === type);
      if (!challenge) {
        const offered = authz.challenges.map((c) => c.type).join(', ') || 'none';
        throw new AcmeProblemError({
          type: 'urn:ietf:params:acme:error:unsupportedIdentifier',
          status: 400,
          detail: `The CA offers no ${type} challenge for ${domain} (offered: ${offered}).`,
          hint: authz.wildcard ? 'Wildcard names can only be validated with dns-01: pass --challenge dns-01 with a --dns-hook.' : `Choose one of the offered challenge types with --challenge.`,
        });
      }
      const task: ChallengeTask = { domain, identifier: authz.identifier.value, wildcard: authz.wildcard === true, token: challenge.token, keyAuthorization: await session.keyAuthorization(challenge) };
      pending.push({ authz, challenge, task });
      this.emitAuthz(authz, 'pending', type, challenge.status as AcmeChallengeStatus);
    }
    if (pending.length === 0) return order;
    const attempt = solver.begin({ orderId, signal: control.signal, clock, emit: (e) => this.emit(e), journal: this.input.journal.dns });
    try {
      // Every answer in place before the first is announced: the CA may validate the moment it hears of one.
      await attempt.prepare(pending.map((p) => p.task));
      for (const p of pending) {
        if (p.challenge.status === 'pending') await this.answerChallenge(p.authz, p.challenge);
        this.emitAuthz(p.authz, 'pending', type, 'processing');
      }
      const answered = attempt.answered?.bind(attempt);
      const validated = answered ? Promise.all(pending.map((p) => answered(p.task))) : undefined;
      // One POST-as-GET of the order covers every name; per-authorization reads happen only to explain a failure.
      const settled = await this.pollUntil('authorization', order, undefined, (o) => o.status !== 'pending', validated);
      if (settled.status === 'invalid') return settled;
      for (const p of pending) this.emitAuthz(p.authz, 'valid', type, 'valid');
      return settled;
    } catch (err) {
      if (err instanceof CancelledError) await this.deactivate(pending.map((p) => p.authz));
      throw err;
    } finally {
      await attempt.cleanup().catch(() => undefined);
    }
  }

  /**
   * Read before write: when the answer to the challenge POST is lost (reset, timeout, 5xx), the CA may have taken
   * it and started validating. Posting again would then be refused ("Cannot update challenge with status valid")
   * and fail an order that is about to succeed, so every retry first re-reads the authorization and only answers
   * again while the challenge is still pending.
   */
  private async answerChallenge(authz: AcmeAuthorization, challenge: AcmeAuthorization['challenges'][number]): Promise<void> {
    const { session, orderId } = this.input;
    const domain = authz.identifier.value;
    await withPolicyRetries(
      this.retryContext,
      'answer the challenge',
      () => session.completeChallenge(challenge, this.op),
      { beforeRetry: async () => {
        const fresh = await this.withRetries('read the authorization', () => session.getAuthorization(authz.url, this.op));
        const seen = fresh.challenges.find((c) => c.url === challenge.url);
        if (fresh.status === 'pending' && (seen === undefined || seen.status === 'pending')) return { done: false };
        this.emit({
          type: 'log',
          orderId,
          level: 'info',
          message: `The CA already has the challenge answer for ${domain} (authorization ${fresh.status}, challenge ${seen?.status ?? 'unknown'}); the lost reply is not re-sent.`,
        });
        return { done: true, value: undefined };
      } },
    );
  }

  private emitAuthz(authz: AcmeAuthorization, status: AcmeAuthorization['status'], challengeType?: string, challengeStatus?: AcmeChallengeStatus, error?: string): void {
    this.emit({
      type: 'authz:updated',
      orderId: this.input.orderId,
      url: authz.url,
      domain: nameOf(authz),
      status,
      ...(challengeType ? { challengeType } : {}),
      ...(challengeStatus ? { challengeStatus } : {}),
      ...(error ? { error: stripControl(error) } : {}),
    });
  }

  /** RFC 8555 7.5.2: give pending authorizations back so they don't count against the account. Best effort. */
  private async deactivate(authzs: AcmeAuthorization[]): Promise<void> {
    const signal = AbortSignal.timeout(2000);
    await Promise.all(
      authzs.map(async (authz) => {
        try {
          await this.input.session.deactivateAuthorization(authz, { orderId: this.input.orderId, signal });
          this.emitAuthz(authz, 'deactivated');
        } catch {
          // The CA may refuse (already valid) or be unreachable; the cancel itself must not fail because of it.
        }
      }),
    );
  }

  private csr(): Promise<string> {
    if (this.csrPem) return Promise.resolve(this.csrPem);
    const [first] = this.input.domains;
    return acme.crypto
      .createCsr({ ...(first && first.length <= 64 ? { commonName: first } : {}), altNames: this.input.domains }, this.input.keyPem)
      .then(([, csr]) => {
        this.csrPem = csr.toString();
        return this.csrPem;
      });
  }

  private async finalize(order: AcmeOrder): Promise<AcmeOrder> {
    this.phase('finalizing');
    const csr = await this.csr();
    await this.input.journal.recordFinalizeSent();
    this.input.control.issuing = true;
    let result: { order: AcmeOrder; retryAfterMs: number | undefined };
    try {
      result = await this.input.session.finalize(order, csr, this.op);
    } catch (err) {
      if (err instanceof AcmeProblemError && err.shortType === 'orderNotReady') {
        this.emit({ type: 'log', orderId: this.input.orderId, level: 'warn', message: 'The CA answered orderNotReady to finalize; re-reading the order instead of finalizing again.' });
        return this.readOrder(order.url);
      }
      throw err;
    }
    const next = { ...result.order, url: order.url };
    this.noteStatus(next);
    if (next.status === 'processing') return this.awaitProcessing(next, result.retryAfterMs);
    return next;
  }

  private async awaitProcessing(order: AcmeOrder, retryAfterMs: number | undefined): Promise<AcmeOrder> {
    this.phase('processing');
    return this.pollUntil('processing', order, retryAfterMs, (o) => o.status !== 'processing');
  }

  private async download(order: AcmeOrder): Promise<OrderRunResult> {
    this.phase('downloading');
    const pem = await this.withRetries('download the certificate', () =>
      this.input.session.downloadCertificate(order, this.input.preferredChain, this.op),
    );
    return { order, fullchainPem: pem };
  }

  private async invalidOrderError(order: AcmeOrder): Promise<AcmeProblemError> {
    const orderError = (order as AcmeOrder & { error?: { type?: string; detail?: string } }).error;
    const reasons: Array<{ type?: string; detail?: string; identifier?: string }> = [];
    try {
      const authzs = await this.input.session.getAuthorizations(order, this.op);
      for (const authz of authzs) {
        const failed = authz.challenges.find((c) => c.status === 'invalid') as (AcmeAuthorization['challenges'][number] & { error?: { type?: string; detail?: string } }) | undefined;
        const detail = failed?.error?.detail ?? (authz.status !== 'valid' ? `authorization ${authz.status}` : undefined);
        if (detail) {
          reasons.push({ identifier: nameOf(authz), detail, ...(failed?.error?.type ? { type: failed.error.type } : {}) });
          const shown = failed?.error?.type ? `${shortProblemType(failed.error.type)}: ${detail}` : detail;
          this.emitAuthz(authz, authz.status, failed?.type, failed?.status as AcmeChallengeStatus | undefined, shown);
        }
      }
    } catch {
      // The order's own error is still worth reporting if the authorizations can't be read.
    }
    const first = reasons[0];
    const type = orderError?.type ?? first?.type ?? 'urn:ietf:params:acme:error:unauthorized';
    const detail = reasons.length
      ? reasons.map((r) => `${r.identifier}: ${r.type ? `${shortProblemType(r.type)}: ` : ''}${r.detail}`).join('; ')
      : (orderError?.detail ?? 'the CA marked the order invalid');
    const hint = hintForProblems(type, reasons);
    return new AcmeProblemError({ type, status: 403, detail: `Order is invalid: ${detail}`, subproblems: reasons, ...(hint ? { hint } : {}) });
  }

  /**
   * Polls the order until `done`, honouring Retry-After, backoff, the phase deadline (which keepWaiting can move)
   * and retryNow. In "processing" it flags the order as hung once it has been processing past the threshold.
   */
  private async pollUntil(
    phase: WaitPhase,
    order: AcmeOrder,
    firstRetryAfterMs: number | undefined,
    done: (o: AcmeOrder) => boolean,
    validated?: Promise<unknown>,
  ): Promise<AcmeOrder> {
    const { clock, policy, control, orderId } = this.input;
    const startedAt = phase === 'processing' ? (this.processingSince ?? clock.now()) : clock.now();
    // This wait owns its deadline: keep-waiting intents move it here, and the move is reported from here, next to
    // every other wait event.
    let deadlineAt = startedAt + policy.deadlines[phase];
    let extensions = 0;
    const releaseKeepWaiting = control.whileWaiting((intent) => {
      deadlineAt += intent.extraMs ?? policy.deadlines[phase];
      extensions += 1;
      this.emit({ type: 'wait:extended', orderId, phase, deadlineAt });
    });
    let retryAfterMs = firstRetryAfterMs;
    let hungReported = -1;
    let current = order;
    try {
      let step = 1;
      for (let attempt = 1; ; attempt++) {
        const now = clock.now();
        // When the solver sees the validator fetch the answers, the first wait stands for the first two backoff
        // steps: poll once every answer was fetched (plus half the early first poll's delay, for the CA to record
        // the result), at the latest when the second poll would have been. One poll that finds the result.
        const hinted = attempt === 1 && validated !== undefined && retryAfterMs === undefined;
        const planned = hinted
          ? { delayMs: nextPollDelay(policy, 1, undefined, this.random).delayMs + nextPollDelay(policy, 2, undefined, this.random).delayMs, reason: 'backoff' as const }
          : nextPollDelay(policy, step, retryAfterMs, this.random);
        step += hinted ? 2 : 1;
        const remaining = deadlineAt - now;
        if (remaining <= 0) throw this.deadlineError(phase, current, now - startedAt, attempt - 1, deadlineAt - startedAt);
        // Only the CA's own figure counts here: the floor a Retry-After of 0 was raised to is ours, and is capped below.
        if (planned.reason === 'retry-after' && retryAfterMs !== undefined && retryAfterMs > remaining) {
          throw new TimeoutError(
            `${phase}-retry-after-beyond-deadline`,
            `The CA asked to wait ${formatCountdown(planned.delayMs)} (Retry-After) before the next poll, but the ${phase} deadline is in ${formatCountdown(remaining)}.`,
            'Keep waiting with a longer --poll-timeout, come back later (the order resumes), or switch to another CA.',
          );
        }
        // Backoff never sleeps past the deadline: the last poll happens at the deadline itself.
        const delayMs = Math.min(planned.delayMs, remaining);
        const nextPollAt = now + delayMs;
        this.emit({ type: 'wait:scheduled', orderId, phase, attempt, nextPollAt, delayMs, reason: planned.reason, deadlineAt, startedAt }, now);
        const since = this.processingSince;
        const hungAt = phase === 'processing' && since !== undefined && hungReported !== extensions ? since + policy.hungAfterMs : undefined;
        if (hungAt !== undefined && hungAt < nextPollAt) {
          // Flag the order hung the moment the threshold passes, even mid-wait: with backoff at its cap the next
          // poll can be a minute away, and the operator's choice (keep waiting, cancel, switch) shouldn't wait.
          if (hungAt > now) await control.sleep(clock, hungAt - now);
          if (clock.now() >= hungAt) {
            hungReported = extensions;
            this.emit({ type: 'order:hung', orderId, since: since!, polls: attempt - 1, nextPollAt });
            await control.sleep(clock, nextPollAt - clock.now());
          } // else retryNow cut the wait short: poll now
        } else {
          const early = hinted ? validated!.then(() => clock.sleep(firstPollMs(policy) / 2, control.signal)) : undefined;
          await control.sleep(clock, delayMs, early);
        }
        const read = await this.withRetries('read the order', () => this.input.session.getOrder(current.url, this.op));
        current = read.order;
        retryAfterMs = read.retryAfterMs;
        this.noteStatus(current);
        if (done(current)) return current;
      }
    } finally {
      releaseKeepWaiting();
    }
  }

  /** `deadlineMs` is the deadline that applied, which keepWaiting may have moved past the policy's. */
  private deadlineError(phase: WaitPhase, order: AcmeOrder, elapsedMs: number, polls: number, deadlineMs: number): TimeoutError {
    const ca = this.input.caName;
    const what = phase === 'processing' ? 'still processing' : phase === 'authorization' ? 'still validating its authorizations' : 'not downloadable';
    const configured = this.input.policy.deadlines[phase];
    const extended = deadlineMs > configured ? ` (extended by ${formatElapsed(deadlineMs - configured)})` : '';
    return new TimeoutError(
      `${phase}-timeout`,
      `Order ${order.url} at ${ca} was ${what} after ${formatElapsed(elapsedMs)} (${polls} polls); the ${phase} deadline of ${formatElapsed(deadlineMs)}${extended} ran out.`,
      phase === 'processing'
        ? 'The CA is slow or stuck. Run the same command again later to resume this order, raise --poll-timeout, or re-issue from another CA with --fallback / switch CA.'
        : 'Check that the challenge is reachable by the CA, then run the same command again (the order resumes).',
    );
  }

  private get retryContext(): RetryContext {
    const { orderId, policy, clock, control, emit } = this.input;
    return { orderId, policy, clock, control, emit, random: this.random };
  }

  private waitBeforeRetry(operation: string, attempt: number, err: EngineError): Promise<void> {
    return waitBeforeRetry(this.retryContext, operation, attempt, err);
  }

  /** Retries a read-only request after network errors, 429 and 5xx, each retry a freshly signed request. */
  private withRetries<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return withPolicyRetries(this.retryContext, operation, fn);
  }
}

/** The name as the certificate lists it: RFC 8555 7.1.4 gives a wildcard's authorization its base name plus a flag. */
function nameOf(authz: AcmeAuthorization): string {
  return authz.wildcard ? `*.${authz.identifier.value}` : authz.identifier.value;
}

/** The journal's times of a resumed order, as order:created carries them. */
function resumedTimes(resumed: OrderJournalPort['resumed']): { createdAt?: number; processingSince?: number } {
  if (!resumed) return {};
  return { createdAt: resumed.createdAt, ...(resumed.finalizeSentAt === undefined ? {} : { processingSince: resumed.finalizeSentAt }) };
}
