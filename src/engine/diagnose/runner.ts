import { CancelledError, EngineError } from '../core/errors.js';
import { throwIfAborted } from '../core/clock.js';
import type { CheckInfo, CheckProgress, CheckRecord, Finding } from './types.js';
import { worstOf } from './types.js';

/** What a check returns: its findings, and a one-line note for the list of checks when it found nothing. */
export interface CheckResult {
  findings: Finding[];
  note?: string;
  skipped?: boolean;
}

/**
 * Runs checks one after another and streams their progress, so a view can show each as running and then its result.
 * A check that throws becomes a finding of its own (the doctor must not die of the problem it diagnoses); only
 * cancellation ends the run.
 */
export class CheckRunner {
  readonly findings: Finding[] = [];
  readonly records: CheckRecord[] = [];

  constructor(
    private readonly listeners: { onFinding?: (f: Finding) => void; onProgress?: (p: CheckProgress) => void; signal?: AbortSignal },
  ) {}

  async run(check: CheckInfo, body: () => Promise<CheckResult | Finding[]>): Promise<Finding[]> {
    throwIfAborted(this.listeners.signal);
    this.emit({ type: 'started', check });
    let result: CheckResult;
    try {
      const raw = await body();
      result = Array.isArray(raw) ? { findings: raw } : raw;
    } catch (err) {
      if (err instanceof CancelledError || this.listeners.signal?.aborted) throw err;
      const finding: Finding = {
        id: 'doctor.check-failed',
        severity: 'warning',
        tier: check.tier,
        ...(check.certName === undefined ? {} : { certName: check.certName }),
        ...(check.caId === undefined ? {} : { caId: check.caId }),
        seen: `The check "${check.title}" could not run: ${err instanceof Error ? err.message : String(err)}`,
        todo: err instanceof EngineError && err.hint ? err.hint : 'Fix what the message names and run the doctor again.',
      };
      this.finish(check, { findings: [finding] }, 'failed');
      return [finding];
    }
    this.finish(check, result, result.skipped ? 'skipped' : result.findings.length ? 'findings' : 'ok');
    return result.findings;
  }

  /** Marks a check as not run (e.g. --offline), so the list still says why it is missing. */
  skip(check: CheckInfo, note: string): void {
    this.emit({ type: 'started', check });
    this.finish(check, { findings: [], note }, 'skipped');
  }

  private finish(check: CheckInfo, result: CheckResult, outcome: CheckRecord['outcome']): void {
    const worst = worstOf(result.findings);
    for (const f of result.findings) {
      this.findings.push(f);
      this.listeners.onFinding?.(f);
    }
    const record: CheckRecord = { check, outcome, ...(worst ? { worst } : {}), ...(result.note ? { note: result.note } : {}) };
    this.records.push(record);
    this.emit({ type: 'finished', check, outcome, ...(worst ? { worst } : {}), ...(result.note ? { note: result.note } : {}), findings: result.findings });
  }

  private emit(p: CheckProgress): void {
    try {
      this.listeners.onProgress?.(p);
    } catch {
      // A view's listener failing must not stop the diagnosis.
    }
  }
}
