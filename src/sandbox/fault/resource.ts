/** What an ACME request is about, from Pebble's URL layout (the proxy only ever fronts Pebble). */
export type ResourceKind =
  | 'directory'
  | 'new-nonce'
  | 'new-account'
  | 'account'
  | 'new-order'
  | 'order'
  | 'finalize'
  | 'authz'
  | 'challenge'
  | 'cert'
  | 'key-change'
  | 'revoke'
  | 'other';

/** A rule's target: one resource kind, or every request. */
export type ResourceMatch = ResourceKind | 'any';

export const RESOURCE_MATCHES: readonly ResourceMatch[] = [
  'directory',
  'new-nonce',
  'new-account',
  'account',
  'new-order',
  'order',
  'finalize',
  'authz',
  'challenge',
  'cert',
  'key-change',
  'revoke',
  'other',
  'any',
];

// Pebble 2.4's paths (wfe.go); prefixes end in "/" where an id follows.
const PEBBLE_PATHS: ReadonlyArray<[prefix: string, kind: ResourceKind, exact: boolean]> = [
  ['/dir', 'directory', true],
  ['/nonce-plz', 'new-nonce', true],
  ['/sign-me-up', 'new-account', true],
  ['/my-account/', 'account', false],
  ['/order-plz', 'new-order', true],
  ['/my-order/', 'order', false],
  ['/finalize-order/', 'finalize', false],
  ['/authZ/', 'authz', false],
  ['/chalZ/', 'challenge', false],
  ['/certZ/', 'cert', false],
  ['/rollover-account-key', 'key-change', true],
  ['/revoke-cert', 'revoke', true],
];

export function classifyResource(pathname: string): ResourceKind {
  for (const [prefix, kind, exact] of PEBBLE_PATHS) {
    if (exact ? pathname === prefix : pathname.startsWith(prefix)) return kind;
  }
  return 'other';
}

export function isResourceMatch(value: unknown): value is ResourceMatch {
  return typeof value === 'string' && (RESOURCE_MATCHES as readonly string[]).includes(value);
}

export function resourceMatches(match: ResourceMatch | undefined, kind: ResourceKind): boolean {
  return match === undefined || match === 'any' || match === kind;
}

/**
 * The order an order or finalize response is about. Pebble uses the same id in /my-order/<id> and
 * /finalize-order/<id>, so the id ties a finalize to later polls of its order.
 */
export function orderKey(pathname: string): string | undefined {
  const match = /^\/(?:my-order|finalize-order)\/([^/?]+)/.exec(pathname);
  return match?.[1];
}
