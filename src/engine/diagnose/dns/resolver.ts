import { Resolver } from 'node:dns/promises';

/**
 * DNS lookups for the checks, through node's c-ares Resolver: the system's configured name servers by default, or a
 * given list ("127.0.0.1:8053" for the sandbox's pebble-challtestsrv). /etc/hosts is not consulted on purpose: a CA
 * resolves through public DNS, and a hosts entry would hide exactly what the checks are looking for.
 */

export type LookupResult<T> =
  | { kind: 'ok'; value: T }
  /** The name exists without records of this type, or does not exist at all: both mean "none". */
  | { kind: 'none'; code: 'ENODATA' | 'ENOTFOUND' }
  /** The lookup itself failed (SERVFAIL, refused, timeout): a CA would fail the same way. */
  | { kind: 'failed'; code: string; message: string };

export interface DnsLookups {
  /** The servers asked, for messages ("the system resolver" when empty). */
  readonly servers: readonly string[];
  a(name: string): Promise<LookupResult<string[]>>;
  aaaa(name: string): Promise<LookupResult<string[]>>;
  caa(name: string): Promise<LookupResult<RawCaa[]>>;
  txt(name: string): Promise<LookupResult<string[]>>;
}

/** node's resolveCaa shape: `{ critical, issue: "..." }`, one property tag per record. */
export type RawCaa = { critical: number } & Record<string, string | number>;

export function createLookups(servers?: readonly string[], opts: { timeoutMs?: number; tries?: number } = {}): DnsLookups {
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 3000, tries: opts.tries ?? 2 });
  if (servers && servers.length) resolver.setServers([...servers]);
  const wrap = async <T>(fn: () => Promise<T>): Promise<LookupResult<T>> => {
    try {
      return { kind: 'ok', value: await fn() };
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'EUNKNOWN';
      if (code === 'ENODATA' || code === 'ENOTFOUND') return { kind: 'none', code };
      return { kind: 'failed', code, message: (err as Error).message };
    }
  };
  return {
    servers: servers ? [...servers] : [],
    a: (name) => wrap(() => resolver.resolve4(name)),
    aaaa: (name) => wrap(() => resolver.resolve6(name)),
    caa: (name) => wrap(async () => (await resolver.resolveCaa(name)) as unknown as RawCaa[]),
    txt: (name) => wrap(async () => (await resolver.resolveTxt(name)).map((parts) => parts.join(''))),
  };
}

export function describeServers(lookups: DnsLookups): string {
  return lookups.servers.length ? `DNS server ${lookups.servers.join(', ')}` : 'the system resolver';
}

/** "SERVFAIL" for ESERVFAIL and friends: the words an operator sees in dig. */
export function dnsCodeWords(code: string): string {
  const words: Record<string, string> = {
    ESERVFAIL: 'SERVFAIL',
    EREFUSED: 'REFUSED',
    ETIMEOUT: 'a timeout',
    ECONNREFUSED: 'connection refused by the DNS server',
    ENOTIMP: 'NOTIMP',
  };
  return words[code] ?? code;
}
