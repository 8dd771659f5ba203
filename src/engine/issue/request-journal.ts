import type { ResolvedCa } from '../ca/catalog.js';
import type { Clock } from '../core/clock.js';
import { ConfigError } from '../core/errors.js';
import type { KeyType, OrderOutcome } from '../events.js';
import type { OrderJournalPort } from '../order/order-runner.js';
import { beginOrder, finishOrder, readJournal, readPendingKey, recordDnsCleaned, recordDnsPublished, recordFailure, recordFinalizeSent, recordOrderUrl, requestKeyOf } from '../store/journal.js';
import type { ChallengeConfig, Dns01Config } from '../api.js';
import type { PublishedRecord } from '../challenge/solver.js';
import type { Storage } from '../store/storage.js';
import { sameDomainSet } from '../names.js';

export interface RequestJournal {
  /** The certificate key every order of this request uses (same key across a CA switch). */
  readonly keyPem: string;
  /**
   * Prepares the journal for an order at `ca`: resumes the journaled order of the same request, else begins one.
   * With `replacing` (a switch of CA), an order still in flight at another CA stays the journal's order, resumable,
   * until the new CA has accepted the new order (its URL is recorded): a switch to a CA that cannot be reached
   * must not lose the order that was there.
   */
  forCa(ca: ResolvedCa, opts?: { replacing?: string }): Promise<OrderJournalPort>;
  /** The journal still names the order this request had before a switch (the new CA has not accepted one yet). */
  readonly keepsReplacedOrder: boolean;
  /**
   * An operator switched CA: until forCa has a new order accepted, the journaled order is the old one, and finish,
   * abandon and recordFailure leave it alone (the new CA may fail before forCa is even reached, at its account).
   */
  keepForSwitch(): void;
  /** Ends the order in flight (after the certificate was saved, for a valid one). */
  finish(outcome: OrderOutcome, reason: string): Promise<void>;
  abandon(reason: string): Promise<void>;
  /** Notes this run's failure (the order may stay in flight, to be resumed). */
  recordFailure(caId: string, reason: string): Promise<void>;
  /** dns-01 records an earlier run published and did not clean up (it crashed or its cleanup hook failed). */
  leftoverDnsRecords(): Promise<{ config: Dns01Config; records: PublishedRecord[] } | undefined>;
  dnsCleaned(records: PublishedRecord[]): Promise<void>;
}

/**
 * The request-level view of the journal: decides whether this run resumes an order a previous (crashed or
 * interrupted) run left, and keeps the private key on disk before any order is created.
 */
export async function openRequestJournal(
  storage: Storage,
  certName: string,
  opts: { domains: string[]; keyType: KeyType; clock: Clock; createKey: () => Promise<string>; reuseKeyPem?: string | undefined; challenge?: ChallengeConfig },
): Promise<RequestJournal> {
  let keyPem: string | undefined = opts.reuseKeyPem;
  /** Set while a switch's new order waits for its URL before it may replace the journaled one. */
  let deferredBegin: (() => Promise<void>) | undefined;
  const sameCertificate = (domains: string[], keyType: KeyType): boolean =>
    keyType === opts.keyType && sameDomainSet(domains, opts.domains);

  const self: RequestJournal = {
    get keyPem(): string {
      if (keyPem === undefined) throw new ConfigError('no-key', 'The certificate key was used before the journal was opened for a CA.');
      return keyPem;
    },
    get keepsReplacedOrder(): boolean {
      return deferredBegin !== undefined;
    },
    keepForSwitch() {
      deferredBegin = async () => undefined;
    },
    async forCa(ca, forOpts = {}) {
      deferredBegin = undefined;
      const journal = await readJournal(storage, certName);
      const current = journal?.current;
      const requestKey = requestKeyOf({ domains: opts.domains, caId: ca.id, keyType: opts.keyType });
      let resumeUrl: string | undefined;
      let resumed: { createdAt: number; finalizeSentAt?: number } | undefined;
      if (current && journal.requestKey === requestKey && current.directoryUrl === ca.directoryUrl) {
        const pending = await readPendingKey(storage, current).catch(() => undefined);
        if (pending !== undefined) {
          keyPem = pending;
          resumeUrl = current.orderUrl;
          resumed = { createdAt: current.startedAt, ...(current.finalizeSentAt === undefined ? {} : { finalizeSentAt: current.finalizeSentAt }) };
        }
      }
      if (resumeUrl === undefined) {
        // Same names and key type at another CA (switch or fallback): keep the key that was already on disk.
        if (keyPem === undefined && current && journal && sameCertificate(journal.request.domains, journal.request.keyType)) {
          keyPem = await readPendingKey(storage, current).catch(() => undefined);
        }
        keyPem ??= await opts.createKey();
        const key = keyPem;
        const begin = async (): Promise<void> =>
          void (await beginOrder(storage, certName, {
            request: { domains: opts.domains, caId: ca.id, directoryUrl: ca.directoryUrl, keyType: opts.keyType },
            keyPem: key,
            startedAt: opts.clock.now(),
            ...(forOpts.replacing ? { replacesReason: forOpts.replacing } : {}),
          }));
        if (forOpts.replacing && current?.orderUrl && current.directoryUrl !== ca.directoryUrl) deferredBegin = begin;
        else await begin();
      }
      return {
        resumeUrl,
        ...(resumeUrl && resumed ? { resumed } : {}),
        recordOrderUrl: async (url) => {
          const begin = deferredBegin;
          deferredBegin = undefined;
          if (begin) await begin();
          await recordOrderUrl(storage, certName, url);
        },
        recordFinalizeSent: async () => void (await recordFinalizeSent(storage, certName, opts.clock.now())),
        dns: {
          recordPublished: async (records) => {
            if (opts.challenge?.method === 'dns-01') await recordDnsPublished(storage, certName, opts.challenge, records);
          },
          recordCleaned: (records) => recordDnsCleaned(storage, certName, records),
        },
      };
    },
    async finish(outcome, reason) {
      // The new order of a switch never got a URL: the journaled order is the one before the switch, kept.
      if (deferredBegin) return;
      const journal = await readJournal(storage, certName);
      if (journal?.current) await finishOrder(storage, certName, { outcome, reason, at: opts.clock.now() });
    },
    abandon(reason) {
      return self.finish('abandoned', reason);
    },
    async leftoverDnsRecords() {
      const journal = await readJournal(storage, certName);
      return journal?.dnsRecords?.records.length ? journal.dnsRecords : undefined;
    },
    dnsCleaned(records) {
      return recordDnsCleaned(storage, certName, records);
    },
    recordFailure(caId, reason) {
      // The journal is still the replaced order's (its request, its CA): nothing of the new CA goes into it.
      if (deferredBegin) return Promise.resolve();
      return recordFailure(storage, certName, { at: opts.clock.now(), caId, reason });
    },
  };
  return self;
}
