import { isIP } from 'node:net';
import { lookup, Resolver } from 'node:dns/promises';
import type { Clock } from '../../core/clock.js';
import { BadInputError, EngineError, TimeoutError } from '../../core/errors.js';
import { formatElapsed } from '../../core/duration.js';
import type { PropagationRecord } from '../../events.js';
import { stripControl } from './text.js';

/**
 * "Published" is not "visible to the CA": a DNS API accepts a record long before every authoritative server has
 * it. certdeck checks, once per order, that every record is answered by every server it checks, before any
 * challenge is answered (certbot only sleeps; lego requires agreement too but solves records one at a time).
 *
 *   authoritative  the zone's own name servers (SOA found by climbing labels, then its NS set), lego's default
 *   resolvers      the --dns-resolver servers only (for networks that block port 53 to the outside, split views,
 *                  or a test DNS such as pebble-challtestsrv, which answers no SOA/NS)
 *   wait           no check: sleep a fixed time (certbot's --dns-*-propagation-seconds)
 */

export type PropagationMode = 'authoritative' | 'resolvers' | 'wait';

export interface PropagationOptions {
  mode: PropagationMode;
  /** HOST[:PORT] (IPv6 as [ADDR]:PORT); used as the servers in "resolvers" mode, for the SOA/NS climb otherwise. */
  resolvers: string[];
  /** "wait" mode: how long. */
  waitMs?: number;
  timeoutMs: number;
  /** Between checks. @default 2000 (lego's and CertMagic's interval) */
  intervalMs?: number;
  /** One query's time limit. @default 4000 */
  queryTimeoutMs?: number;
}

export interface PropagationProgress {
  mode: PropagationMode;
  startedAt: number;
  deadlineAt: number;
  checks: number;
  nextCheckAt?: number;
  records: PropagationRecord[];
  done: boolean;
}

interface Ctx {
  clock: Clock;
  signal: AbortSignal;
  progress: (p: PropagationProgress) => void;
}

export const DEFAULT_INTERVAL_MS = 2_000;
const DEFAULT_QUERY_TIMEOUT_MS = 4_000;

export async function awaitPropagation(records: Array<{ fqdn: string; value: string }>, opts: PropagationOptions, ctx: Ctx): Promise<void> {
  const { clock, signal } = ctx;
  const startedAt = clock.now();
  const unique = dedupe(records);
  if (opts.mode === 'wait') {
    const waitMs = opts.waitMs ?? 0;
    const view = unique.map((r) => ({ ...r, servers: [] }));
    ctx.progress({ mode: 'wait', startedAt, deadlineAt: startedAt + waitMs, checks: 0, nextCheckAt: startedAt + waitMs, records: view, done: false });
    await clock.sleep(waitMs, signal);
    ctx.progress({ mode: 'wait', startedAt, deadlineAt: startedAt + waitMs, checks: 0, records: view, done: true });
    return;
  }
  const deadlineAt = startedAt + opts.timeoutMs;
  const queryTimeoutMs = opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const resolvers = await Promise.all(opts.resolvers.map((r) => serverAddress(r)));
  const serversFor = new Map<string, string[]>();
  for (const r of unique) {
    serversFor.set(r.fqdn, opts.mode === 'resolvers' ? resolvers : await authoritativeServers(r.fqdn, resolvers, queryTimeoutMs, signal));
  }
  let view: PropagationRecord[] = unique.map((r) => ({ ...r, servers: serversFor.get(r.fqdn)!.map((server) => ({ server, seen: false })) }));
  for (let checks = 1; ; checks++) {
    view = await Promise.all(
      view.map(async (r) => ({
        ...r,
        // A server that already answered the value is not asked again: propagation does not go backwards, and
        // fewer queries keep a slow zone from rate-limiting us.
        servers: await Promise.all(r.servers.map((s) => (s.seen ? s : checkServer(r, s.server, queryTimeoutMs, signal)))),
      })),
    );
    const done = view.every((r) => r.servers.every((s) => s.seen));
    const now = clock.now();
    const nextCheckAt = done ? undefined : Math.min(now + (opts.intervalMs ?? DEFAULT_INTERVAL_MS), deadlineAt);
    ctx.progress({ mode: opts.mode, startedAt, deadlineAt, checks, records: view, done, ...(nextCheckAt === undefined ? {} : { nextCheckAt }) });
    if (done) return;
    if (now >= deadlineAt) throw notPropagated(view, opts, now - startedAt);
    await clock.sleep(nextCheckAt! - now, signal);
  }
}

function dedupe(records: Array<{ fqdn: string; value: string }>): Array<{ fqdn: string; value: string }> {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.fqdn} ${r.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function checkServer(record: { fqdn: string; value: string }, server: string, timeoutMs: number, signal: AbortSignal): Promise<PropagationRecord['servers'][number]> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([server]);
  const cancel = (): void => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const answers = (await resolver.resolveTxt(record.fqdn.replace(/\.$/, ''))).map((chunks) => chunks.join(''));
    const seen = answers.includes(record.value);
    return { server, seen, answer: answers.length ? answers.map((a) => JSON.stringify(stripControl(a).slice(0, 80))).join(', ') : 'no TXT record' };
  } catch (err) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : err;
    return { server, seen: false, answer: describeDnsError(err) };
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

function describeDnsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code === 'ENODATA' || code === 'ENOTFOUND') return 'no TXT record';
  if (code === 'ETIMEOUT') return 'no answer (timeout)';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ESERVFAIL') return 'SERVFAIL';
  if (code === 'EREFUSED') return 'REFUSED';
  return stripControl(code || (err as Error).message);
}

function notPropagated(view: PropagationRecord[], opts: PropagationOptions, elapsedMs: number): TimeoutError {
  const missing = view.filter((r) => r.servers.some((s) => !s.seen));
  const text = missing
    .map((r) => {
      const lagging = r.servers.filter((s) => !s.seen);
      return `${r.fqdn} TXT "${r.value}" not seen at ${lagging.length} of ${r.servers.length} servers (${lagging.map((s) => `${s.server} answered ${s.answer ?? 'nothing'}`).join('; ')})`;
    })
    .join('. ');
  return new TimeoutError(
    'dns-propagation-timeout',
    `DNS propagation did not finish within ${formatElapsed(elapsedMs)} (${opts.mode} check): ${text}.`,
    opts.mode === 'resolvers'
      ? 'Check that the hook publishes to the zone these resolvers see, raise --dns-propagation-timeout, or choose other --dns-resolver servers.'
      : 'Check that the hook publishes to the zone its name servers serve, raise --dns-propagation-timeout, or check through --dns-resolver servers with --dns-propagation resolvers.',
  );
}

/** "1.2.3.4", "1.2.3.4:5353", "[::1]:53", "ns.example.net" -> what Resolver.setServers takes (it wants addresses). */
export async function serverAddress(spec: string): Promise<string> {
  const parsed = parseHostPort(spec);
  if (!parsed) throw new BadInputError('bad-dns-resolver', `--dns-resolver ${JSON.stringify(spec)} is not HOST or HOST:PORT.`, 'Examples: 192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53, ns1.example.net.');
  let host = parsed.host;
  if (!isIP(host)) {
    try {
      host = (await lookup(host)).address;
    } catch {
      throw new BadInputError('bad-dns-resolver', `The DNS resolver ${parsed.host} cannot be resolved to an address.`, 'Give its IP address instead.');
    }
  }
  const bracketed = isIP(host) === 6 ? `[${host}]` : host;
  return parsed.port === undefined ? host : `${bracketed}:${parsed.port}`;
}

export function parseHostPort(spec: string): { host: string; port?: number } | undefined {
  const text = spec.trim();
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([A-Za-z0-9.-]+)(?::(\d+))?$/.exec(text);
  const m = v6 ?? (isIP(text) === 6 ? [text, text, undefined] : plain);
  if (!m || !m[1]) return undefined;
  if (m[2] === undefined) return { host: m[1] };
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: m[1], port };
}

/**
 * The zone's name servers for a record: climb from the record's name to the first name with an SOA (the zone
 * apex), take its NS set and their addresses. Asks the given resolvers, or the system's when there are none.
 */
async function authoritativeServers(fqdn: string, resolvers: string[], timeoutMs: number, signal: AbortSignal): Promise<string[]> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (resolvers.length) resolver.setServers(resolvers);
  const cancel = (): void => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    let labels = fqdn.replace(/\.$/, '').split('.');
    let zone: string | undefined;
    while (labels.length > 1 && zone === undefined) {
      const name = labels.join('.');
      try {
        await resolver.resolveSoa(name);
        zone = name;
      } catch {
        labels = labels.slice(1);
      }
    }
    if (zone === undefined) throw noZone(fqdn, 'no SOA record was found for it or any parent name');
    const names = await resolver.resolveNs(zone).catch(() => [] as string[]);
    const addresses = new Set<string>();
    for (const ns of names) {
      for (const ip of await resolver.resolve4(ns).catch(() => [] as string[])) addresses.add(ip);
      for (const ip of await resolver.resolve6(ns).catch(() => [] as string[])) addresses.add(ip);
    }
    if (addresses.size === 0) throw noZone(fqdn, `the zone ${zone} lists no name server with an address`);
    return [...addresses].sort();
  } catch (err) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : err;
    throw err;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

function noZone(fqdn: string, why: string): EngineError {
  return new EngineError('config', 'dns-zone-not-found', `Cannot find the authoritative name servers for ${fqdn}: ${why}.`, {
    hint: 'Check the name, or check propagation through resolvers you trust: --dns-resolver HOST[:PORT] (with --dns-propagation resolvers).',
  });
}
