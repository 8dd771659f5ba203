/**
 * Puts HTTP-01 responses where the CA's validator will look (RFC 8555 8.3) and always takes them away again.
 * Solvers are shared by concurrent orders; `present` returns the function that removes what it added.
 */
export interface Http01Solver {
  /** Short text for logs: "standalone on 127.0.0.1:5002" or "webroot /var/www/html". */
  readonly description: string;
  present(token: string, keyAuthorization: string): Promise<() => Promise<void>>;
  /**
   * Resolves once the CA's validator has fetched this token's answer, when the solver can see that (the built-in
   * server can; a webroot served by another program cannot). The order runner polls right after it.
   */
  answered?(token: string): Promise<void>;
  /** Releases what the solver holds (a listening socket). */
  close(): Promise<void>;
}

export const CHALLENGE_PATH = '/.well-known/acme-challenge/';

/** RFC 8555 8.1: tokens are base64url; refusing anything else keeps a hostile token from escaping the webroot. */
export function isSafeToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{1,256}$/.test(token);
}
