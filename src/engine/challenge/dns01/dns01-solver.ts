import { EngineError, toErrorInfo } from '../../core/errors.js';
import type { ChallengeAttempt, ChallengeSolver, ChallengeTask, PublishedRecord, SolverContext } from '../solver.js';
import type { DnsHooks } from './hooks.js';
import { awaitPropagation, type PropagationOptions } from './propagation.js';
import { stripControl } from './text.js';

/** RFC 8555 8.4: the TXT record lives at `_acme-challenge.` + the identifier (a wildcard's base name). */
export function challengeRecordName(identifier: string): string {
  return `_acme-challenge.${identifier.replace(/\.$/, '')}.`;
}

/**
 * dns-01 through the operator's hooks. prepare publishes every record of the order (the journal notes each one
 * before its hook runs, so a crash mid-publish still gets cleaned up on the next run), then waits once for all of
 * them to propagate; cleanup runs the cleanup hook for every record that was (or may have been) published.
 */
export class Dns01Solver implements ChallengeSolver {
  readonly type = 'dns-01' as const;

  constructor(
    private readonly hooks: DnsHooks,
    private readonly propagation: PropagationOptions,
  ) {}

  get description(): string {
    const p = this.propagation;
    const check = p.mode === 'wait' ? `then a ${Math.round((p.waitMs ?? 0) / 1000)}s wait` : p.mode === 'resolvers' ? `propagation checked at ${p.resolvers.join(', ')}` : 'propagation checked at the authoritative servers';
    return `${this.hooks.description}, ${check}`;
  }

  begin(ctx: SolverContext): ChallengeAttempt {
    const published: PublishedRecord[] = [];
    const { hooks, propagation } = this;
    const status = (r: PublishedRecord, s: 'publishing' | 'published' | 'ready' | 'failed' | 'cleaned' | 'cleanup-failed', detail?: string): void =>
      ctx.emit({ type: 'challenge:status', orderId: ctx.orderId, domain: r.domain, challengeType: 'dns-01', status: s, record: r.fqdn, value: r.value, ...(detail ? { detail } : {}) });
    return {
      async prepare(tasks: ChallengeTask[]) {
        const allIdentifiers = tasks.map((t) => t.identifier);
        for (const [i, task] of tasks.entries()) {
          const record: PublishedRecord = {
            fqdn: challengeRecordName(task.identifier),
            value: task.keyAuthorization,
            domain: task.domain,
            identifier: task.identifier,
            allIdentifiers,
            remaining: tasks.length - i - 1,
          };
          // Write-ahead: the record is in the journal before the hook may have published it.
          published.push(record);
          await ctx.journal.recordPublished(published);
          status(record, 'publishing');
          try {
            const output = await hooks.present(record, ctx.signal);
            if (output) record.authOutput = stripControl(output);
          } catch (err) {
            status(record, 'failed', toErrorInfo(err).message);
            throw err;
          }
          status(record, 'published');
        }
        await ctx.journal.recordPublished(published);
        await awaitPropagation(published, propagation, {
          clock: ctx.clock,
          signal: ctx.signal,
          progress: (p) =>
            ctx.emit({
              type: 'dns:propagation',
              orderId: ctx.orderId,
              mode: p.mode,
              startedAt: p.startedAt,
              deadlineAt: p.deadlineAt,
              checks: p.checks,
              records: p.records,
              done: p.done,
              ...(p.nextCheckAt === undefined ? {} : { nextCheckAt: p.nextCheckAt }),
            }),
        }).catch((err: unknown) => {
          for (const r of published) status(r, 'failed', err instanceof EngineError ? err.message : String(err));
          throw err;
        });
        for (const r of published) status(r, 'ready');
      },
      async cleanup() {
        const records = published.splice(0);
        if (records.length === 0) return;
        const cleaned = await cleanupRecords(hooks, records, (r, ok, detail) => status(r, ok ? 'cleaned' : 'cleanup-failed', detail));
        await ctx.journal.recordCleaned(cleaned).catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {}
}

/**
 * Runs the cleanup hook for each record, one after another (hooks that edit a zone file are rarely safe to run
 * twice at once). Returns the records that are gone; a failed cleanup stays in the journal for the next run.
 */
export async function cleanupRecords(hooks: DnsHooks, records: PublishedRecord[], report: (r: PublishedRecord, ok: boolean, detail?: string) => void): Promise<PublishedRecord[]> {
  const cleaned: PublishedRecord[] = [];
  for (const r of records) {
    try {
      await hooks.cleanup(r);
      cleaned.push(r);
      report(r, true);
    } catch (err) {
      report(r, false, toErrorInfo(err).message);
    }
  }
  return cleaned;
}
