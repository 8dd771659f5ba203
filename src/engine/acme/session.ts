import type { Agent as HttpsAgent } from 'node:https';
import acme from 'acme-client';
import type { Clock } from '../core/clock.js';
import { BadInputError, ConfigError, EngineError } from '../core/errors.js';
import { toEngineError } from './errors.js';
import type { NoncePool } from './nonce-pool.js';
import type { Exchange, OperationContext } from './transport.js';
import { runInOperation } from './transport.js';

/** The directory fields certdeck relies on (RFC 8555 7.1.1). */
export interface AcmeDirectory {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  revokeCert?: string;
  keyChange?: string;
  renewalInfo?: string;
  meta?: {
    termsOfService?: string;
    website?: string;
    externalAccountRequired?: boolean;
    profiles?: Record<string, string>;
  };
}

export type AcmeOrder = acme.Order;
export type AcmeAuthorization = acme.Authorization;

export interface OpOptions {
  orderId?: string;
  signal?: AbortSignal;
}

export interface SessionOptions {
  caId: string;
  caName: string;
  directoryUrl: string;
  httpsAgent?: HttpsAgent;
  clock: Clock;
  nonces: NoncePool;
  onExchange: (x: Exchange, orderId: string | undefined) => void;
}

export interface AccountCredentials {
  keyPem: string;
  accountUrl?: string;
  email?: string;
  agreeTos: boolean;
  eab?: { kid: string; hmacKey: string };
}

/** The parts of acme-client's internals we rely on; guarded by test/unit/acme-contract.test.ts. */
interface ClientInternals {
  api: {
    http: { directoryCache: unknown; directoryTimestamp: number };
    getAccountUrl(): string;
  };
}

/**
 * One CA + account: a typed wrapper over acme-client's Client in which every call runs inside the transport's
 * operation context (signal, trust, nonce pool, exchange capture) and every failure becomes an EngineError.
 * It never retries or waits; the order runner decides that from the policy.
 */
export class AcmeSession {
  private directory: AcmeDirectory | undefined;
  private client: acme.Client | undefined;

  constructor(readonly opts: SessionOptions) {}

  get caId(): string {
    return this.opts.caId;
  }

  private async op<T>(what: string, o: OpOptions, fn: (ctx: OperationContext) => Promise<T>): Promise<{ value: T; last: Exchange | undefined }> {
    const ctx: OperationContext = {
      clock: this.opts.clock,
      nonces: this.opts.nonces,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(this.opts.httpsAgent ? { httpsAgent: this.opts.httpsAgent } : {}),
      onExchange: (x) => this.opts.onExchange(x, o.orderId),
    };
    try {
      const value = await runInOperation(ctx, () => fn(ctx));
      return { value, last: ctx.last };
    } catch (err) {
      throw toEngineError(err, ctx, what, this.opts.caName);
    }
  }

  /** Fetches and checks the directory once per session. */
  async loadDirectory(o: OpOptions = {}): Promise<AcmeDirectory> {
    if (this.directory) return this.directory;
    const url = this.opts.directoryUrl;
    const { value } = await this.op('read the ACME directory', o, async () => {
      const resp = await acme.axios.get(url, { validateStatus: () => true, responseType: 'json' });
      return resp;
    });
    const data: unknown = value.data;
    if (value.status >= 400) {
      throw new ConfigError(
        'not-acme',
        `${url} answered HTTP ${value.status}, not an ACME directory.`,
        'Check the directory URL (it usually ends in /directory), or pick a CA from `certdeck --help` by id.',
      );
    }
    const dir = data as Partial<AcmeDirectory> | undefined;
    if (!dir || typeof dir !== 'object' || typeof dir.newNonce !== 'string' || typeof dir.newAccount !== 'string' || typeof dir.newOrder !== 'string') {
      throw new ConfigError(
        'not-acme',
        `${url} is not an ACME directory (no newNonce/newAccount/newOrder in its answer).`,
        'Check the directory URL (it usually ends in /directory), or pick a CA from `certdeck --help` by id.',
      );
    }
    this.directory = dir as AcmeDirectory;
    return this.directory;
  }

  /**
   * Makes the account usable: reuses a stored account URL without asking the CA, or registers (once) when
   * there is none. Returns the account URL and whether it was created now.
   */
  async ensureAccount(cred: AccountCredentials, o: OpOptions = {}): Promise<{ accountUrl: string; created: boolean; tosUrl?: string }> {
    const dir = await this.loadDirectory(o);
    const tosUrl = dir.meta?.termsOfService;
    const client = new acme.Client({
      directoryUrl: this.opts.directoryUrl,
      accountKey: cred.keyPem,
      ...(cred.accountUrl ? { accountUrl: cred.accountUrl } : {}),
      ...(cred.eab ? { externalAccountBinding: cred.eab } : {}),
    });
    // Hand the already-validated directory to the library so it does not fetch it a second time.
    const internals = client as unknown as ClientInternals;
    internals.api.http.directoryCache = dir;
    internals.api.http.directoryTimestamp = Math.floor(Date.now() / 1000);
    this.client = client;
    if (cred.accountUrl) return { accountUrl: cred.accountUrl, created: false, ...(tosUrl ? { tosUrl } : {}) };

    if (dir.meta?.externalAccountRequired && !cred.eab) {
      throw new BadInputError(
        'eab-required',
        `${this.opts.caName} requires External Account Binding to create an account.`,
        'Pass --eab-kid and --eab-hmac-key (or CERTDECK_EAB_KID / CERTDECK_EAB_HMAC_KEY) from the CA\'s account dashboard.',
      );
    }
    if (!cred.agreeTos) {
      throw new BadInputError(
        'tos-required',
        `Creating an account at ${this.opts.caName} requires agreeing to its terms of service${tosUrl ? ` (${tosUrl})` : ''}.`,
        'Read them, then pass --agree-tos.',
      );
    }
    await this.op('create the ACME account', o, () =>
      client.createAccount({
        termsOfServiceAgreed: true,
        ...(cred.email ? { contact: [`mailto:${cred.email}`] } : {}),
      }),
    );
    return { accountUrl: client.getAccountUrl(), created: true, ...(tosUrl ? { tosUrl } : {}) };
  }

  /** RFC 8555 7.3.6: the account stops being usable at the CA, for good. */
  async deactivateAccount(o: OpOptions): Promise<void> {
    const client = this.requireClient();
    await this.op('deactivate the account', o, () => client.updateAccount({ status: 'deactivated' }));
  }

  private requireClient(): acme.Client {
    if (!this.client) throw new EngineError('bug', 'no-account', 'ACME session used before its account was set up.');
    return this.client;
  }

  async createOrder(domains: string[], o: OpOptions): Promise<AcmeOrder> {
    const client = this.requireClient();
    const { value } = await this.op('create the order', o, () =>
      client.createOrder({ identifiers: domains.map((value) => ({ type: 'dns', value })) }),
    );
    return value;
  }

  /** POST-as-GET of the order; also returns the Retry-After the CA sent with it. */
  async getOrder(url: string, o: OpOptions): Promise<{ order: AcmeOrder; retryAfterMs: number | undefined }> {
    const client = this.requireClient();
    const { value, last } = await this.op('read the order', o, () => client.getOrder({ url } as AcmeOrder));
    return { order: value, retryAfterMs: last?.retryAfterMs };
  }

  async getAuthorizations(order: AcmeOrder, o: OpOptions): Promise<AcmeAuthorization[]> {
    const client = this.requireClient();
    const { value } = await this.op('read the authorizations', o, () => client.getAuthorizations(order));
    return value;
  }

  async keyAuthorization(challenge: acme.Authorization['challenges'][number]): Promise<string> {
    return this.requireClient().getChallengeKeyAuthorization(challenge);
  }

  async completeChallenge(challenge: acme.Authorization['challenges'][number], o: OpOptions): Promise<void> {
    const client = this.requireClient();
    await this.op('answer the challenge', o, () => client.completeChallenge(challenge));
  }

  async deactivateAuthorization(authz: AcmeAuthorization, o: OpOptions): Promise<void> {
    const client = this.requireClient();
    await this.op('deactivate the authorization', o, () => client.deactivateAuthorization(authz));
  }

  async finalize(order: AcmeOrder, csrPem: string, o: OpOptions): Promise<{ order: AcmeOrder; retryAfterMs: number | undefined }> {
    const client = this.requireClient();
    const { value, last } = await this.op('finalize the order', o, () => client.finalizeOrder(order, csrPem));
    return { order: value, retryAfterMs: last?.retryAfterMs };
  }

  /** POST-as-GET of the account (RFC 8555 7.3.2): its status at the CA, for the doctor. Never creates one. */
  async readAccount(o: OpOptions = {}): Promise<{ status: string; contact?: string[] }> {
    const client = this.requireClient();
    // With an account URL set, acme-client's updateAccount({}) is a plain POST-as-GET of that URL.
    const { value } = await this.op('read the account', o, () => client.updateAccount({}));
    const account = value as { status?: unknown; contact?: unknown };
    return {
      status: typeof account.status === 'string' ? account.status : 'unknown',
      ...(Array.isArray(account.contact) ? { contact: account.contact.map(String) } : {}),
    };
  }

  /** Downloads the chain of a valid order (the alternate whose issuer matches `preferredChain`, when given). */
  async downloadCertificate(order: AcmeOrder, preferredChain: string | undefined, o: OpOptions): Promise<string> {
    const client = this.requireClient();
    const { value } = await this.op('download the certificate', o, () => client.getCertificate(order, preferredChain));
    return value;
  }
}
