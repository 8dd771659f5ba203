import https from 'node:https';
import { rootCertificates } from 'node:tls';
import acme from 'acme-client';
import type { Clock } from '../core/clock.js';
import type { EngineEvent } from '../events.js';
import type { ResolvedCa } from '../ca/catalog.js';
import type { Storage } from '../store/storage.js';
import { accountId, assertUsableAccountKey, loadAccount, markAccountDeactivated, saveAccount, saveAccountKey } from '../store/accounts.js';
import { BadInputError } from '../core/errors.js';
import { AcmeSession, type AcmeDirectory } from './session.js';
import { stripControl } from '../core/sanitize.js';
import { NoncePool } from './nonce-pool.js';
import type { Exchange } from './transport.js';

export interface AccountRequest {
  email?: string;
  agreeTos: boolean;
  eab?: { kid: string; hmacKey: string };
}

/**
 * One AcmeSession per CA and contact: concurrent orders share the directory, the account and the nonce pool,
 * and an account is registered at most once even when ten orders start together.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Promise<AcmeSession>>();
  private readonly agents = new Map<string, https.Agent>();
  private readonly nonces = new NoncePool();

  constructor(
    private readonly deps: { storage: Storage; clock: Clock; emit: (e: EngineEvent) => void; requestTimeoutMs?: number },
  ) {}

  /** `orderId` names the order whose start opens the session, so its history shows the directory and account exchanges. */
  get(ca: ResolvedCa, account: AccountRequest, signal?: AbortSignal, orderId?: string): Promise<AcmeSession> {
    const key = sessionKey(ca, account.email);
    let session = this.sessions.get(key);
    if (!session) {
      session = this.open(ca, account, signal, orderId);
      this.sessions.set(key, session);
      // A failed set-up (no ToS, EAB missing, CA down) must not poison later attempts.
      session.catch(() => this.sessions.delete(key));
    }
    return session;
  }

  private agentFor(ca: ResolvedCa): https.Agent {
    const key = `${ca.directoryUrl}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new https.Agent({
        keepAlive: true,
        maxSockets: 8,
        // A CA's own bundle is trusted for that CA only, on top of the system roots; never a global switch.
        ...(ca.caBundlePem ? { ca: [...rootCertificates, ca.caBundlePem] } : {}),
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /**
   * A session without an account, for what needs none: the directory (its profiles) and ARI's unauthenticated
   * renewalInfo. Same trust and transport as the CA's account sessions; nothing is registered.
   */
  anonymous(ca: ResolvedCa): AcmeSession {
    return this.newSession(ca);
  }

  /**
   * The CA's directory (terms of service, website, EAB requirement) read through the same trust and transport as
   * its orders. Needs no account and registers nothing: the setup shows the terms before anyone agrees to them.
   */
  async readDirectory(ca: ResolvedCa, signal?: AbortSignal): Promise<AcmeDirectory> {
    return this.anonymous(ca).loadDirectory(signal ? { signal } : {});
  }

  private newSession(ca: ResolvedCa): AcmeSession {
    const { clock, emit } = this.deps;
    return new AcmeSession({
      caId: ca.id,
      caName: ca.name,
      directoryUrl: ca.directoryUrl,
      httpsAgent: this.agentFor(ca),
      clock,
      nonces: this.nonces,
      ...(this.deps.requestTimeoutMs !== undefined ? { requestTimeoutMs: this.deps.requestTimeoutMs } : {}),
      onExchange: (x: Exchange, orderId) =>
        emit({
          type: 'http:exchange',
          at: x.at,
          caId: ca.id,
          method: x.method,
          // URLs inside JSON bodies (authorizations, challenges) come from the CA: safe for a terminal and a log.
          url: stripControl(x.url),
          durationMs: x.durationMs,
          ...(orderId ? { orderId } : {}),
          ...(x.status === undefined ? {} : { status: x.status }),
          ...(x.problem ? { problemType: x.problem.type, problemDetail: x.problem.detail } : {}),
          ...(x.retryAfterMs === undefined ? {} : { retryAfterMs: x.retryAfterMs }),
          ...(x.errorCode ? { errorCode: x.errorCode } : {}),
        }),
      // Only an order's requests: the view shows "POST finalize … 12s" on the order that waits for it.
      onRequestStart: (r, orderId) => {
        if (orderId) emit({ type: 'http:started', at: r.at, orderId, caId: ca.id, method: r.method, url: r.url });
      },
    });
  }

  private async open(ca: ResolvedCa, account: AccountRequest, signal?: AbortSignal, orderId?: string): Promise<AcmeSession> {
    const { storage, clock, emit } = this.deps;
    const session = this.newSession(ca);
    const op = { ...(signal ? { signal } : {}), ...(orderId ? { orderId } : {}) };
    await session.loadDirectory(op);
    const stored = await loadAccount(storage, ca.directoryUrl, account.email);
    if (stored?.deactivatedAt) {
      throw new BadInputError(
        'account-deactivated',
        `The account ${accountId(ca.directoryUrl, account.email)} at ${ca.name} was deactivated on ${stored.deactivatedAt}; it cannot order certificates any more.`,
        'Create another account (certdeck account add, or issue with another --email and --agree-tos).',
      );
    }
    if (stored) assertUsableAccountKey(storage, ca.directoryUrl, account.email, stored.keyPem);
    const eab = account.eab ?? (stored?.eabKid && stored.eabHmacKey ? { kid: stored.eabKid, hmacKey: stored.eabHmacKey } : undefined);
    const keyPem = stored?.keyPem ?? (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
    // The key is on disk before the CA ever sees it, so a crash between the two cannot orphan an account.
    if (!stored) await saveAccountKey(storage, ca.directoryUrl, account.email, keyPem);
    const result = await session.ensureAccount(
      {
        keyPem,
        agreeTos: account.agreeTos,
        ...(stored?.accountUrl ? { accountUrl: stored.accountUrl } : {}),
        ...(account.email ? { email: account.email } : {}),
        ...(eab ? { eab } : {}),
      },
      op,
    );
    if (result.created) {
      await saveAccount(storage, {
        directoryUrl: ca.directoryUrl,
        ...(account.email ? { email: account.email } : {}),
        keyPem,
        accountUrl: result.accountUrl,
        tosAgreed: true,
        createdAt: new Date(clock.now()).toISOString(),
        tosAgreedAt: new Date(clock.now()).toISOString(),
        ...(result.tosUrl ? { tosUrl: result.tosUrl } : {}),
        ...(eab ? { eabKid: eab.kid, eabHmacKey: eab.hmacKey } : {}),
      });
      emit({ type: 'log', at: clock.now(), level: 'info', message: `Registered a new account at ${ca.name}: ${stripControl(result.accountUrl)}` });
    }
    return session;
  }

  /**
   * RFC 8555 7.3.6: deactivates the account at the CA (through its session, so with the same trust and transport)
   * and records it, so no later run uses it again.
   */
  async deactivate(ca: ResolvedCa, email: string | undefined, signal?: AbortSignal): Promise<void> {
    const session = await this.get(ca, { agreeTos: false, ...(email ? { email } : {}) }, signal);
    await session.deactivateAccount(signal ? { signal } : {});
    this.sessions.delete(sessionKey(ca, email));
    await markAccountDeactivated(this.deps.storage, ca.directoryUrl, email, new Date(this.deps.clock.now()).toISOString());
    this.deps.emit({ type: 'log', at: this.deps.clock.now(), level: 'info', message: `Deactivated the account ${accountId(ca.directoryUrl, email)} at ${ca.name}.` });
  }

  /**
   * The stored account's status at the CA (POST-as-GET), or undefined when this home has no account URL for the CA
   * and e-mail. Registers nothing and writes nothing: the doctor must not create what it inspects.
   */
  async readAccount(ca: ResolvedCa, email: string | undefined, signal?: AbortSignal): Promise<{ status: string; contact?: string[] } | undefined> {
    const stored = await loadAccount(this.deps.storage, ca.directoryUrl, email);
    if (!stored?.accountUrl) return undefined;
    const session = await this.get(ca, { ...(email ? { email } : {}), agreeTos: false }, signal);
    return session.readAccount(signal ? { signal } : {});
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
    this.sessions.clear();
  }
}

function sessionKey(ca: ResolvedCa, email: string | undefined): string {
  return `${ca.directoryUrl}\n${email ?? ''}`;
}
