/**
 * Nonces the CA hands back in every response (Replay-Nonce), kept per server origin. acme-client asks newNonce
 * for a fresh one before every signed POST, doubling the requests; answering that HEAD from this pool makes each
 * POST one request. A nonce is single-use, so `take` removes it; a stale one costs one badNonce round trip,
 * which the library retries with the fresh nonce from the error (RFC 8555 6.5).
 */
export class NoncePool {
  private readonly byOrigin = new Map<string, string[]>();

  constructor(private readonly limit = 16) {}

  put(url: string, nonce: string): void {
    const origin = originOf(url);
    if (!origin) return;
    const list = this.byOrigin.get(origin) ?? [];
    list.push(nonce);
    if (list.length > this.limit) list.shift();
    this.byOrigin.set(origin, list);
  }

  take(url: string): string | undefined {
    const origin = originOf(url);
    if (!origin) return undefined;
    // Newest first: the oldest are the likeliest to have expired at the CA.
    return this.byOrigin.get(origin)?.pop();
  }

  size(url: string): number {
    const origin = originOf(url);
    return origin ? (this.byOrigin.get(origin)?.length ?? 0) : 0;
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
