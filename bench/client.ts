import { readFile } from 'node:fs/promises';
import type { FaultLogEntry } from '../src/sandbox/fault-proxy.js';
import { BenchRunError } from './timed-process.js';

/** What every client runner gets from the harness. */
export interface BenchContext {
  /** The counting proxy's ACME directory (every client talks to the CA through it). */
  directoryUrl: string;
  /** Pebble's validator connects to 127.0.0.1 on this port for HTTP-01. */
  httpPort: number;
  /** PEM of the root behind the CA's HTTPS listener. */
  caRootPath: string;
  /** The sandbox's state.json (certdeck's `--ca sandbox` reads it from `$CERTDECK_HOME/sandbox/`). */
  sandboxStatePath: string;
  /** A temp dir of this benchmark run, removed at the end. */
  workDir: string;
  signal: AbortSignal;
  /** Empties the proxy's log, runs `fn` timed, and returns the wall time and every request the CA received. */
  measure<T>(fn: () => Promise<T>): Promise<Measured<T>>;
}

export interface Measured<T> {
  ms: number;
  /** Wall-clock start and end (the proxy log's clock), to place the requests in the run. */
  startedAt: number;
  endedAt: number;
  requests: FaultLogEntry[];
  value: T;
}

/** Problem types of the error answers a client saw, when it can tell us (certdeck's NDJSON can). */
export type ProblemCounts = Record<string, number>;

export interface BenchClient {
  id: 'certdeck' | 'certdeck-default' | 'uacme' | 'lego';
  version: string;
  /** What (a) runs, for the notes under the table. */
  coldHow: string;
  /** What (b) runs. */
  batchHow: string;
  /** A fresh state dir: registers an account and issues one certificate for `name`. Timed. */
  cold(name: string): Promise<Measured<ProblemCounts | undefined>>;
  /** Issues one certificate per name with the account the first successful cold() registered. Timed. */
  batch(names: string[], concurrency?: number): Promise<Measured<ProblemCounts | undefined>>;
}

/** A client that cannot run here, and why (binary missing, not root, ...). */
export interface UnavailableClient {
  id: BenchClient['id'];
  reason: string;
}

/** Checks that a client left a real certificate behind: exit 0 alone is not proof. */
export async function expectCertificate(file: string, who: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new BenchRunError(`${who} exited 0 but wrote no certificate at ${file}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new BenchRunError(`${who} wrote ${file}, but it holds no PEM certificate`);
}
