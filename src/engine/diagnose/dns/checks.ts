import { networkInterfaces } from 'node:os';
import type { Finding } from '../types.js';
import { evaluateCaa, findRelevantCaa } from './caa.js';
import { describeServers, dnsCodeWords, type DnsLookups } from './resolver.js';

/**
 * The DNS checks of one name, shared by the doctor and the setup's preflight: where it points, whether CAA lets the
 * chosen CA issue, and whether a dns-01 answer was left behind.
 */

export interface NameAddresses {
  name: string;
  a: string[];
  aaaa: string[];
  /** Whether one of the addresses is configured on this host. */
  pointsHere: boolean;
}

export interface CaForCaa {
  id: string;
  name: string;
  caaIdentifiers?: readonly string[];
  /** false for a test CA that ignores CAA (Pebble). @default true */
  caaEnforced?: boolean;
}

function finder(certName: string | undefined) {
  return (id: string, severity: Finding['severity'], seen: string, todo: string, caId?: string): Finding => ({
    id,
    severity,
    tier: 'dns',
    ...(certName === undefined ? {} : { certName }),
    ...(caId === undefined ? {} : { caId }),
    seen,
    todo,
  });
}

function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

export async function checkAddresses(lookups: DnsLookups, name: string, certName?: string): Promise<{ findings: Finding[]; addresses: NameAddresses; note?: string }> {
  const f = finder(certName);
  const [a, aaaa] = await Promise.all([lookups.a(name), lookups.aaaa(name)]);
  const addresses: NameAddresses = { name, a: a.kind === 'ok' ? a.value : [], aaaa: aaaa.kind === 'ok' ? aaaa.value : [], pointsHere: false };
  const mine = localAddresses();
  addresses.pointsHere = [...addresses.a, ...addresses.aaaa].some((ip) => mine.has(ip));
  const via = describeServers(lookups);
  const failed = [a, aaaa].find((r) => r.kind === 'failed');
  if (failed && failed.kind === 'failed' && addresses.a.length + addresses.aaaa.length === 0) {
    return {
      addresses,
      findings: [f('dns.lookup-failed', 'error', `Looking up ${name} through ${via} failed with ${dnsCodeWords(failed.code)}.`, 'The CA sees the same failure and cannot validate: fix the zone or its name servers (dig +trace ' + name + ').')],
    };
  }
  if (addresses.a.length + addresses.aaaa.length === 0) {
    return {
      addresses,
      findings: [f('dns.no-address', 'error', `${name} has no A or AAAA record (asked ${via}).`, `Create an A (and/or AAAA) record for ${name} pointing at this server; HTTP-01 needs the CA to reach it. Names without one need dns-01.`)],
    };
  }
  const list = [...addresses.a, ...addresses.aaaa].join(', ');
  const findings: Finding[] = [];
  if (failed && failed.kind === 'failed') {
    findings.push(f('dns.lookup-failed', 'warning', `${name}: the ${failed === a ? 'A' : 'AAAA'} lookup failed with ${dnsCodeWords(failed.code)} (the other gave ${list}).`, 'CAs may try both address families; fix the failing lookup at the name servers.'));
  }
  return { addresses, findings, note: `${name} → ${list}${addresses.pointsHere ? ' (this host)' : ''}` };
}

export async function checkCaa(
  lookups: DnsLookups,
  name: string,
  ca: CaForCaa,
  opts: { accountUri?: string; method?: string; certName?: string },
): Promise<{ findings: Finding[]; note: string }> {
  const f = finder(opts.certName);
  const relevant = await findRelevantCaa(lookups, name);
  if (relevant.kind === 'failed') {
    return {
      findings: [f('dns.caa-lookup-failed', 'error', `The CAA lookup for ${relevant.at} (on the way up from ${name}) failed with ${dnsCodeWords(relevant.code)}.`, 'CAs refuse to issue when a CAA lookup fails: fix the name servers of that zone (dig CAA ' + relevant.at + ').', ca.id)],
      note: '',
    };
  }
  if (relevant.kind === 'none') return { findings: [], note: `${name}: no CAA records, any CA may issue` };
  const verdict = evaluateCaa(relevant.properties, {
    wildcard: name.startsWith('*.'),
    ...(ca.caaIdentifiers ? { caIdentifiers: ca.caaIdentifiers } : {}),
    ...(opts.accountUri ? { accountUri: opts.accountUri } : {}),
    ...(opts.method ? { method: opts.method } : {}),
  });
  const where = `CAA at ${relevant.at}${relevant.at === name.replace(/^\*\./, '') ? '' : ` (inherited by ${name})`}`;
  if (verdict.allowed === true) return { findings: [], note: `${name}: ${where}: ${verdict.reason}` };
  if (verdict.allowed === 'unknown') {
    return { findings: [f('dns.caa-unknown-ca', 'warning', `${where}: ${verdict.reason}.`, `Check that the CA's CAA domain is in the record: ${relevant.at} CAA 0 issue "<the CA's domain>".`, ca.id)], note: '' };
  }
  const add = ca.caaIdentifiers?.[0] ?? '<the CA>';
  const enforced = ca.caaEnforced !== false;
  return {
    findings: [
      f(
        'dns.caa-forbids',
        'error',
        `${where} forbids ${ca.name}: ${verdict.reason}.${enforced ? '' : ' (This test CA does not check CAA itself; a public CA would refuse.)'}`,
        `Add a record allowing it, e.g. ${relevant.at}. CAA 0 ${name.startsWith('*.') && verdict.applicable.length && relevant.properties.some((p) => p.tag === 'issuewild') ? 'issuewild' : 'issue'} "${add}", or choose a CA the record names.`,
        ca.id,
      ),
    ],
    note: '',
  };
}

/** A TXT record at _acme-challenge left by an earlier dns-01 order (or another client) with no order running now. */
export async function checkChallengeRecords(lookups: DnsLookups, name: string, orderRunning: boolean, certName?: string): Promise<Finding[]> {
  const host = `_acme-challenge.${name.replace(/^\*\./, '')}`;
  const txt = await lookups.txt(host);
  if (txt.kind !== 'ok' || txt.value.length === 0 || orderRunning) return [];
  return [
    finder(certName)(
      'dns.leftover-challenge',
      'warning',
      `${host} still has ${txt.value.length} TXT record${txt.value.length === 1 ? '' : 's'} (${txt.value.map((v) => JSON.stringify(v)).join(', ')}) and no order is running.`,
      `Delete them: a dns-01 hook that does not clean up leaves them, and too many values at one name slow down or break later validations.`,
    ),
  ];
}
