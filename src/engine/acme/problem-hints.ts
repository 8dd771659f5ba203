/**
 * What to do about each ACME problem type (RFC 8555 6.7, plus the ones CAs send in practice): the "next step" every
 * failure carries to the headless output and the TUI. Written for the operator who has to act now, so each one says
 * where to look and what to run, not what the RFC calls it.
 */
const HINTS: Record<string, string> = {
  connection:
    'The CA could not connect to this host to fetch the challenge answer: check that the name resolves to this machine (dig +short NAME), that port 80 is open from the internet (firewall, security group, NAT) and that nothing else answers on it; then run the same command again.',
  dns: 'The CA could not resolve the name: check that its A/AAAA (or CNAME) records exist at the authoritative name servers (dig +trace NAME) and that DNSSEC validates; fix DNS, wait for the TTL, then run again.',
  unauthorized:
    'The CA fetched something other than the expected challenge answer: check that NAME points to this host, that the web server (or --webroot) serves /.well-known/acme-challenge/ from the directory certdeck writes to, and that no redirect or proxy rewrites it.',
  incorrectResponse:
    'The challenge answer the CA received did not match: another server (a load balancer, an old vhost, a CDN) answers for this name. Point the name at this host or use --webroot on the server that really answers.',
  tls: 'The CA hit a TLS error while validating (often a redirect from http:// to an https:// site with a broken certificate): fix or remove that redirect for /.well-known/acme-challenge/, then run again.',
  caa: 'A CAA record forbids this CA for the name: add the CA\'s domain to the CAA record (e.g. 0 issue "letsencrypt.org"), or issue from a CA the record allows (--ca).',
  rejectedIdentifier: 'The CA refuses to issue for this name (its policy or a blocklist): check the spelling, drop the name from the request, or use another CA.',
  unsupportedIdentifier: 'The CA does not issue for this kind of name (an IP address, a wildcard over http-01): change the name or the challenge type.',
  rateLimited:
    'The CA rate-limited this account or these names: wait until the Retry-After time (certdeck log NAME shows it), stop re-running in a loop, and use a staging CA while testing.',
  badCSR: 'The CA rejected the certificate request: usually a key type or size it does not accept, or a name it will not put in a certificate; try --key-type ec-p256 or rsa-2048.',
  badPublicKey: 'The CA does not accept this key type: choose another --key-type (ec-p256 and rsa-2048 are accepted everywhere).',
  serverInternal: 'The CA had an internal error: certdeck retried within its budget; run the same command again later (the order resumes), or switch to another CA.',
  orderNotReady: 'The order was not ready to finalize: certdeck re-reads it and follows its real state; if this persists, run the same command again (the order resumes).',
  accountDoesNotExist:
    'The CA does not know the stored account (deleted, or a different CA behind the same URL): remove the account file under accounts/ in the state home and run again to register a new one.',
  unauthorizedAccount: 'The account is not allowed to do this (deactivated or unauthorized): check its state in the CA\'s dashboard, or register a new account.',
  externalAccountRequired: "This CA requires External Account Binding: get an EAB key id and HMAC key from the CA's dashboard and pass --eab-kid / --eab-hmac-key (or CERTDECK_EAB_KID / CERTDECK_EAB_HMAC_KEY).",
  userActionRequired: 'The CA needs you to act first, usually to agree to new terms of service: open the instance URL in the detail, then run again (with --agree-tos if asked).',
  badNonce: 'The CA rejected a replayed nonce: certdeck retries with a fresh one by itself; if it keeps happening, check that no proxy caches or replays requests to the CA.',
  badSignatureAlgorithm: 'The CA does not accept the account key\'s signature algorithm: register a new account (remove its file under accounts/) and report this CA to certdeck.',
  malformed: 'The CA found the request malformed: check --ca points at the right directory URL; if it does, this is a certdeck or CA bug (report it with certdeck log NAME --json).',
  invalidContact: 'The CA refused the contact address: pass a real e-mail with --email.',
  unsupportedContact: 'The CA refused the contact address: pass a plain mailto e-mail with --email.',
  alreadyRevoked: 'The certificate is already revoked: nothing to do for it; issue a new one.',
  badRevocationReason: 'The CA does not accept that revocation reason: use another one.',
  invalidProfile: 'The CA does not offer this certificate profile (any more): choose one its directory lists (meta.profiles), or use --profile instead of --require-profile to fall back to the default.',
  alreadyReplaced: 'Another order already replaced this certificate (ARI): certdeck orders without "replaces" on the next run.',
};

/** The problem type without its URN prefix ("urn:ietf:params:acme:error:caa" -> "caa"). */
export function shortProblemType(type: string): string {
  return type.replace('urn:ietf:params:acme:error:', '');
}

/** What to do about a problem of this type, when certdeck knows. */
export function hintForProblem(type: string | undefined): string | undefined {
  return type === undefined ? undefined : HINTS[shortProblemType(type)];
}

/**
 * The next step for a problem with per-name subproblems (an invalid order, a compound error): one hint per distinct
 * type, naming the identifiers it applies to, so "a.test failed DNS, b.test failed CAA" gets both fixes.
 */
export function hintForProblems(type: string | undefined, subproblems: ReadonlyArray<{ type?: string; identifier?: string }> = []): string | undefined {
  const byType = new Map<string, string[]>();
  for (const sp of subproblems) {
    if (!sp.type || !hintForProblem(sp.type)) continue;
    const names = byType.get(sp.type) ?? [];
    if (sp.identifier) names.push(sp.identifier);
    byType.set(sp.type, names);
  }
  if (byType.size === 0) return hintForProblem(type);
  if (byType.size === 1) return hintForProblem([...byType.keys()][0]);
  return [...byType.entries()].map(([t, names]) => `${names.length ? `${names.join(', ')}: ` : ''}${hintForProblem(t)}`).join(' ');
}
