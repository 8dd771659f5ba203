import type { Clock } from '../core/clock.js';

/**
 * Nonces the CA hands back in every response to a POST (Replay-Nonce), kept per server origin. acme-client asks
 * newNonce for a fresh one before every signed POST, doubling the requests; answering that HEAD from this pool
 * makes each POST one request. A nonce is single-use, so it is handed out once; a stale one costs one badNonce
 * round trip, which the library retries with the fresh nonce from the error (RFC 8555 6.5).
 *
 * When the pool is empty but a request to the CA is on its way back with a nonce nobody has claimed yet, a caller
 * waits for that one (bounded) instead of asking newNonce: ten orders started at once then cost about half as many
 * newNonce requests, instead of a burst of ten against the CA's newNonce rate limit.
 */
export class NoncePool {
  private readonly byOrigin = new Map<string, OriginNonces>();

  constructor(private readonly limit = 16) {}

  /** A request that will bring a nonce back (a POST, or a HEAD whose owner will POST next) went out. */
  started(url: string): void {
    const o = this.origin(url);
    if (o) o.sources++;
  }

  /** That request came back; `nonce` is what it brought that nobody else uses, if anything. */
  finished(url: string, nonce: string | undefined): void {
    const o = this.origin(url);
    if (!o) return;
    o.sources = Math.max(0, o.sources - 1);
    if (nonce !== undefined) this.give(o, nonce);
  }

  put(url: string, nonce: string): void {
    const o = this.origin(url);
    if (o) this.give(o, nonce);
  }

  take(url: string): string | undefined {
    // Newest first: the oldest are the likeliest to have expired at the CA.
    return this.origin(url)?.nonces.pop();
  }

  /**
   * A nonce from the pool; else, if a request in flight will bring one that no other caller waits for, that one,
   * waiting at most `maxWaitMs`; else undefined (ask the CA's newNonce).
   */
  async next(url: string, wait: { clock: Clock; maxWaitMs: number; signal?: AbortSignal }): Promise<string | undefined> {
    const o = this.origin(url);
    if (!o) return undefined;
    const pooled = o.nonces.pop();
    if (pooled !== undefined || o.sources <= o.waiters.length) return pooled;
    return new Promise<string | undefined>((resolve) => {
      const stop = new AbortController();
      const waiter = (nonce: string | undefined): void => {
        stop.abort();
        resolve(nonce);
      };
      o.waiters.push(waiter);
      const gaveUp = (): void => {
        const i = o.waiters.indexOf(waiter);
        if (i < 0) return; // already handed a nonce
        o.waiters.splice(i, 1);
        resolve(undefined);
      };
      const signal = wait.signal ? AbortSignal.any([stop.signal, wait.signal]) : stop.signal;
      wait.clock.sleep(wait.maxWaitMs, signal).then(gaveUp, gaveUp);
    });
  }

  size(url: string): number {
    return this.origin(url)?.nonces.length ?? 0;
  }

  private give(o: OriginNonces, nonce: string): void {
    const waiter = o.waiters.shift();
    if (waiter) return waiter(nonce);
    o.nonces.push(nonce);
    if (o.nonces.length > this.limit) o.nonces.shift();
  }

  private origin(url: string): OriginNonces | undefined {
    let key: string;
    try {
      key = new URL(url).origin;
    } catch {
      return undefined;
    }
    let o = this.byOrigin.get(key);
    if (!o) this.byOrigin.set(key, (o = { nonces: [], sources: 0, waiters: [] }));
    return o;
  }
}

interface OriginNonces {
  nonces: string[];
  /** Requests in flight that will bring a nonce back. */
  sources: number;
  waiters: Array<(nonce: string | undefined) => void>;
}
