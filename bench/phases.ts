import type { FaultLogEntry } from '../src/sandbox/fault-proxy.js';
import type { BenchClient, Measured, ProblemCounts, UnavailableClient } from './client.js';
import { requestBreakdown, seconds } from './stats.js';

/** How many certificates (b) is about: its figures are always for this many. */
export const BATCH_SIZE = 10;

export interface PhaseResult {
  /** Wall time of each successful round; for (b), scaled to BATCH_SIZE certificates. */
  ms: number[];
  /** CA requests of each successful round. */
  requests: number[];
  /** Start of the run to the first request at the CA, per successful round: start-up before any ACME work. */
  toFirstRequestMs: number[];
  /** First to last request at the CA, per successful round: the ACME exchange itself, waits included. */
  protocolMs: number[];
  /** Certificates issued over the successful rounds. */
  certs: number;
  /** Every request of the successful rounds, for the breakdown. */
  log: FaultLogEntry[];
  problems: ProblemCounts;
  failures: string[];
  /** (b) measured with fewer certificates than BATCH_SIZE and scaled up. */
  measuredCerts?: number;
}

export interface ClientResult {
  id: BenchClient['id'];
  version?: string;
  coldHow?: string;
  batchHow?: string;
  /** Why this client was skipped. */
  unavailable?: string;
  cold: PhaseResult;
  batch: PhaseResult;
}

export interface PhasePlan {
  /** Rounds of (a), each client alternating with the others, each round a fresh state dir. */
  coldRounds: number;
  /** Rounds of (b) per client, alternating between clients (lego gets one, at the end: it is slow). */
  batchRounds: number;
  /** Certificates in lego's (b) round; fewer than BATCH_SIZE are scaled up to it. */
  legoBatchCerts: number;
  log: (line: string) => void;
  /** Ctrl+C: no new runs start. */
  signal: AbortSignal;
}

const emptyPhase = (): PhaseResult => ({ ms: [], requests: [], toFirstRequestMs: [], protocolMs: [], certs: 0, log: [], problems: {}, failures: [] });

export function resultFor(client: BenchClient | UnavailableClient): ClientResult {
  if ('reason' in client) return { id: client.id, unavailable: client.reason, cold: emptyPhase(), batch: emptyPhase() };
  return { id: client.id, version: client.version, coldHow: client.coldHow, batchHow: client.batchHow, cold: emptyPhase(), batch: emptyPhase() };
}

/** (a): one certificate from a cold process with account registration, rounds interleaved across clients. */
export async function runColdPhase(clients: BenchClient[], results: Map<string, ClientResult>, plan: PhasePlan): Promise<void> {
  for (let round = 1; round <= plan.coldRounds; round++) {
    for (const client of clients) {
      if (plan.signal.aborted) return;
      const phase = results.get(client.id)!.cold;
      const name = `${client.id}-a${round}.bench.test`;
      try {
        const m = await client.cold(name);
        record(phase, m, m.ms, 1);
        plan.log(`(a) ${client.id.padEnd(8)} round ${round}: ${seconds(m.ms)}, ${m.requests.length} CA requests`);
      } catch (err) {
        phase.failures.push(messageOf(err));
        plan.log(`(a) ${client.id.padEnd(8)} round ${round}: FAILED\n${messageOf(err)}`);
      }
    }
  }
}

/**
 * (b): BATCH_SIZE single-name certificates with the account already registered. Rounds alternate between the
 * clients (load on the machine then hits them alike); lego, slow, runs once at the end.
 */
export async function runBatchPhase(clients: BenchClient[], results: Map<string, ClientResult>, plan: PhasePlan): Promise<void> {
  const quick = clients.filter((c) => c.id !== 'lego');
  for (let round = 1; round <= plan.batchRounds; round++) {
    for (const client of quick) await batchRound(client, results.get(client.id)!.batch, round, BATCH_SIZE, plan);
  }
  const lego = clients.find((c) => c.id === 'lego');
  if (lego) await batchRound(lego, results.get(lego.id)!.batch, 1, Math.min(BATCH_SIZE, plan.legoBatchCerts), plan);
  for (const client of clients) {
    const phase = results.get(client.id)!.batch;
    if (phase.log.length) plan.log(`    ${client.id} requests in (b): ${requestBreakdown(phase.log)}`);
  }
}

async function batchRound(client: BenchClient, phase: PhaseResult, round: number, certs: number, plan: PhasePlan): Promise<void> {
  if (plan.signal.aborted) return;
  if (certs < BATCH_SIZE) phase.measuredCerts = certs;
  const names = Array.from({ length: certs }, (_, i) => `${client.id}-b${round}-${i + 1}.bench.test`);
  try {
    const m = await client.batch(names);
    const scaledMs = (m.ms * BATCH_SIZE) / certs;
    record(phase, m, scaledMs, certs);
    const scaled = certs < BATCH_SIZE ? ` (${certs} certs in ${seconds(m.ms)}, scaled to ${BATCH_SIZE})` : '';
    plan.log(`(b) ${client.id.padEnd(8)} round ${round}: ${seconds(scaledMs)}${scaled}, ${m.requests.length} CA requests`);
  } catch (err) {
    phase.failures.push(messageOf(err));
    plan.log(`(b) ${client.id.padEnd(8)} round ${round}: FAILED\n${messageOf(err)}`);
  }
}

function record(phase: PhaseResult, m: Measured<ProblemCounts | undefined>, ms: number, certs: number): void {
  phase.ms.push(ms);
  phase.requests.push(m.requests.length);
  const first = m.requests[0];
  const last = m.requests.at(-1);
  if (first) phase.toFirstRequestMs.push(Math.max(0, first.at - m.startedAt));
  if (first && last) phase.protocolMs.push(last.at - first.at);
  phase.certs += certs;
  phase.log.push(...m.requests);
  for (const [kind, n] of Object.entries(m.value ?? {})) phase.problems[kind] = (phase.problems[kind] ?? 0) + n;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
