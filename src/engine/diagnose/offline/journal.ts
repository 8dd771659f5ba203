import { hostname } from 'node:os';
import { DEFAULT_STALE_AFTER_MS, describeLockOwner, isStale, lockFile, readOwner, type LockPurpose } from '../../store/lock.js';
import type { Journal } from '../../store/journal.js';
import { journalFile } from '../../store/journal.js';
import type { StatePaths } from '../../store/paths.js';
import type { Finding } from '../types.js';
import { modeOf } from './fs-facts.js';

/** The offline checks of a certificate's work in progress: locks, the order journal and its last failure. */

function finder(certName: string) {
  return (id: string, severity: Finding['severity'], seen: string, todo: string): Finding => ({ id, severity, tier: 'offline', certName, seen, todo });
}

/** Whether a live process on this host holds the certificate's issue lock (an order in the journal is then running). */
export async function lockHeldByLiveOwner(paths: StatePaths, certName: string, now: number): Promise<boolean> {
  const found = await readOwner(lockFile(paths, certName, 'issue'));
  return found.state === 'owned' && !isStale(found, now, DEFAULT_STALE_AFTER_MS);
}

export async function checkLocks(paths: StatePaths, certName: string, now: number): Promise<Finding[]> {
  const f = finder(certName);
  const findings: Finding[] = [];
  for (const purpose of ['issue', 'deploy'] as LockPurpose[]) {
    const file = lockFile(paths, certName, purpose);
    const found = await readOwner(file);
    if (found.state === 'gone') continue;
    if (found.state === 'garbled') {
      findings.push(f('lock.stale', 'warning', `The ${purpose} lock ${file} is not a certdeck lock record (garbled or written by something else).`, `certdeck takes it over on the next run; to clear it now: rm ${file}`));
      continue;
    }
    const who = describeLockOwner(found.owner);
    if (isStale(found, now, DEFAULT_STALE_AFTER_MS)) {
      const why = found.owner.host === hostname() ? `process ${found.owner.pid} no longer exists` : `it is from host ${found.owner.host} and older than ${DEFAULT_STALE_AFTER_MS / 3_600_000} h`;
      findings.push(
        f('lock.stale', 'warning', `The ${purpose} lock ${file} was left by ${who}; ${why}.`, `Harmless: the next certdeck run takes it over. To clear it now: rm ${file}`),
      );
    } else {
      findings.push(f('lock.held', 'info', `The ${purpose} lock is held by ${who}.`, 'Another certdeck is working on this certificate; wait for it, or pass --wait to queue behind it.'));
    }
  }
  return findings;
}

export function checkUnfinishedOrder(journal: Journal | undefined, liveOwner: boolean, paths: StatePaths): Finding[] {
  const current = journal?.current;
  if (!journal || !current) return [];
  const f = finder(journal.certName);
  const resume = `certdeck issue ${journal.request.domains.join(' ')} --name ${journal.certName} --ca ${journal.request.caId}`;
  const started = new Date(current.startedAt).toISOString();
  const order = current.orderUrl ? `order ${current.orderUrl}` : 'an order not yet created at the CA';
  if (liveOwner) {
    return [f('order.running', 'info', `${order} (started ${started}) is being worked on right now.`, 'Watch it in the TUI (certdeck), or with certdeck log.')];
  }
  if (current.finalizeSentAt !== undefined) {
    return [
      f(
        'order.unfinished',
        'warning',
        `${order} was finalized at ${new Date(current.finalizeSentAt).toISOString()} but its certificate was never saved (the run was interrupted).`,
        `Resume it, do not start over (the CA may already have issued): ${resume}`,
      ),
    ];
  }
  return [f('order.unfinished', 'warning', `${order}, started ${started}, was interrupted; it is in ${journalFile(paths, journal.certName)}.`, `Resume it (no new order is created): ${resume}`)];
}

export async function checkPendingKey(journal: Journal | undefined): Promise<Finding[]> {
  const current = journal?.current;
  if (!journal || !current) return [];
  if ((await modeOf(current.keyFile)) !== undefined) return [];
  return [
    finder(journal.certName)(
      'order.key-missing',
      'error',
      `The unfinished order's private key ${current.keyFile} is gone: the order cannot be finished with it.`,
      'Run the issue command again: certdeck abandons that order and starts a new one.',
    ),
  ];
}

/** What to do after the common ACME problem types (RFC 8555 6.7), for a failure recorded by an earlier run. */
const PROBLEM_TODO: Record<string, string> = {
  rateLimited: 'Wait until the CA\'s Retry-After time (the doctor\'s CA tier shows the local history against its limits); test on a staging CA meanwhile.',
  unauthorized: 'The CA could not validate the names: check that they resolve to this host and the challenge port is reachable from the internet (the DNS tier below).',
  connection: 'The CA could not connect to this host for HTTP-01: check firewalls, port forwarding and that nothing else answers on port 80.',
  dns: 'The CA could not resolve a name: fix its A/AAAA records (the DNS tier below shows what it resolves to).',
  caa: 'A CAA record forbids this CA: add it to the record or pick a CA the record names (the DNS tier below shows the record).',
  rejectedIdentifier: 'The CA will not issue for a name (policy or blocklist): remove it from the request or use another CA.',
  badCSR: 'The CA rejected the key or request: try another key type (--key-type ec-p256 or rsa-2048).',
  serverInternal: 'The CA had an internal error: run again later, or issue from another CA (--fallback).',
  orderNotReady: 'The order was not ready when finalized: run again; certdeck re-reads the order and follows its real state.',
  accountDoesNotExist: 'The CA no longer knows the stored account: move its directory aside and issue again with --agree-tos.',
  externalAccountRequired: 'The CA needs External Account Binding: pass --eab-kid and --eab-hmac-key from its dashboard.',
  userActionRequired: 'The CA needs you to act, often to agree to new terms of service: see the URL in the reason.',
};

/** The problem type a recorded reason starts with ("rateLimited: too many ..."), as the engine's errors word it. */
export function problemTypeOf(reason: string): string | undefined {
  const m = /^([a-zA-Z]+):/.exec(reason);
  return m && m[1]! in PROBLEM_TODO ? m[1] : undefined;
}

/** The last failed run of the request, if it came after the certificate on disk was issued. */
export function checkLastFailure(journal: Journal | undefined, certNotBefore: number | undefined, certValid: boolean): Finding[] {
  const failure = journal?.lastFailure;
  if (!journal || !failure) return [];
  if (certNotBefore !== undefined && failure.at <= certNotBefore) return [];
  // Newer journals may carry the error's kind and problem type; older ones only the message, which starts with the type.
  const extra = failure as { kind?: string; problemType?: string; hint?: string };
  const type = extra.problemType?.replace('urn:ietf:params:acme:error:', '') ?? problemTypeOf(failure.reason);
  const kind = [extra.kind, type].filter((k, i, all) => k && all.indexOf(k) === i).join(', ');
  const todo = extra.hint ?? (type ? PROBLEM_TODO[type] : undefined);
  return [
    finder(journal.certName)(
      'renewal.last-failed',
      certValid ? 'warning' : 'error',
      `The last run at ${failure.caId} failed on ${new Date(failure.at).toISOString()}${kind ? ` (${kind})` : ''}: ${failure.reason}`,
      todo ?? (certValid ? 'The certificate on disk is still valid; fix the cause above, then renew (the DNS and CA checks below may name it).' : 'No valid certificate is on disk; fix the cause above and issue again.'),
    ),
  ];
}
