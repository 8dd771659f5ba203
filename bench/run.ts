/**
 * `npm run bench`: certdeck's issuance against Debian's uacme and lego, side by side, in one run, against a local
 * Pebble (PEBBLE_VA_NOSLEEP=1, nonce rejection off) behind the sandbox's counting proxy, with real HTTP-01.
 *
 *   (a) one certificate from a cold process, account registration included (fresh state dir per client)
 *   (b) ten single-name certificates, account registered: certdeck in one --each run, peers one call each
 *   (c) CA requests per certificate in the (b) setting (the proxy's log)
 *   (d) `certdeck --version` start-up, next to a bare `node -e 0`
 *   (e) 50, 100, 200 single-name certificates in one `--each` run, against a raw-JWS client's ceiling (scale.ts)
 *
 * certdeck runs twice throughout: with the default wait policy of a CA given by directory URL (what a real CA gets,
 * `certdeck-default`) and with `--ca sandbox` (the sandbox's tuned policy, `certdeck`); each gets its own table.
 *
 * Options: --cold-rounds N (3), --batch-rounds N (3), --lego-certs N (10; fewer are scaled to 10),
 * --startup-runs N (20), --scale 50,100,200, --scale-concurrency N (10), --skip uacme,lego,scale,default,sandbox.
 * Everything runs on loopback; every process and temp dir is removed.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sandboxStatePath } from '../src/engine/ca/sandbox-state.js';
import { startTestSandbox, type TestSandbox } from '../test/support/sandbox-harness.js';
import type { BenchClient, BenchContext, Measured, UnavailableClient } from './client.js';
import { CERTDECK_CLI, certdeckClient, type CertdeckBenchClient } from './client-certdeck.js';
import { legoClient } from './client-lego.js';
import { uacmeClient } from './client-uacme.js';
import { resultFor, runBatchPhase, runColdPhase, type ClientResult, type PhasePlan } from './phases.js';
import { renderNotes, renderResults } from './report.js';
import { renderScale, runScalePhase, type ScalePlan, type ScaleRow } from './scale.js';
import { measureStartup, type StartupTimes } from './startup.js';
import { seconds } from './stats.js';

const say = (line = ''): void => void process.stdout.write(`${line}\n`);

function options(): {
  coldRounds: number;
  batchRounds: number;
  legoCerts: number;
  startupRuns: number;
  scale: number[];
  scaleConcurrency: number;
  skip: Set<string>;
} {
  const { values } = parseArgs({
    options: {
      'cold-rounds': { type: 'string', default: '3' },
      'batch-rounds': { type: 'string', default: '3' },
      'lego-certs': { type: 'string', default: '10' },
      'startup-runs': { type: 'string', default: '20' },
      scale: { type: 'string', default: '50,100,200' },
      'scale-concurrency': { type: 'string', default: '10' },
      skip: { type: 'string', default: '' },
    },
  });
  const whole = (flag: string, text: string | undefined): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} ${JSON.stringify(text)}: give a whole number of at least 1`);
    return n;
  };
  return {
    coldRounds: whole('cold-rounds', values['cold-rounds']),
    batchRounds: whole('batch-rounds', values['batch-rounds']),
    legoCerts: whole('lego-certs', values['lego-certs']),
    startupRuns: whole('startup-runs', values['startup-runs']),
    scale: (values.scale ?? '').split(',').filter(Boolean).map((n) => whole('scale', n)),
    scaleConcurrency: whole('scale-concurrency', values['scale-concurrency']),
    skip: new Set((values.skip ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
  };
}

/** Other work on the machine slows every client; the figures are only comparable within one run. */
function loadNote(): string {
  const cores = os.availableParallelism();
  const [one] = os.loadavg();
  const busy = (one ?? 0) > cores ? ' (busier than its cores: expect noisy figures)' : '';
  return `${cores} cores, load average ${(one ?? 0).toFixed(2)}${busy}`;
}

async function main(): Promise<number> {
  const opts = options();
  try {
    await access(CERTDECK_CLI);
  } catch {
    throw new Error(`${CERTDECK_CLI} is missing: run \`npm run build\` (npm run bench does it first)`);
  }
  const started = performance.now();
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second Ctrl+C leaves at once; the sandbox's own exit hook still kills its children.
    if (++interrupts > 1) process.exit(130);
    say(`\n${signal}: stopping the clients and cleaning up (again to leave at once)`);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-bench-'));
  let sandbox: TestSandbox | undefined;
  try {
    say('certdeck issuance benchmark: starting the local Pebble sandbox ...');
    // Nonce rejection off: a rejected nonce costs a retry, and how many a client happens to draw would blur
    // the request counts (c) and the times. Validation without Pebble's random sleep (PEBBLE_VA_NOSLEEP=1).
    sandbox = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 });
    const proxy = sandbox.proxy;
    if (!proxy) throw new Error('the sandbox started without its counting proxy');
    const ctx: BenchContext = {
      directoryUrl: sandbox.directoryUrl('sandbox'),
      httpPort: sandbox.httpPort,
      caRootPath: sandbox.state.caBundlePath,
      sandboxStatePath: sandboxStatePath(sandbox.dir),
      workDir,
      signal: abort.signal,
      async measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
        abort.signal.throwIfAborted();
        proxy.clearLog();
        const startedAt = Date.now();
        const t0 = performance.now();
        const value = await fn();
        const ms = performance.now() - t0;
        return { ms, startedAt, endedAt: Date.now(), requests: proxy.log(), value };
      },
    };
    say(`  CA: Pebble behind the counting proxy ${ctx.directoryUrl}; PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0 (nonce rejection off, so request counts compare)`);
    say(`  HTTP-01 for real: Pebble's validator connects to 127.0.0.1:${ctx.httpPort}, where each client serves the answer`);
    say('  keys: P-256 for accounts and certificates in every client');
    say(`  machine: ${loadNote()}`);

    const certdecks: CertdeckBenchClient[] = [];
    for (const policy of ['default', 'sandbox'] as const) if (!opts.skip.has(policy)) certdecks.push(await certdeckClient(ctx, policy));
    if (certdecks.length === 0) throw new Error('--skip default,sandbox leaves no certdeck to measure');
    const candidates: Array<BenchClient | UnavailableClient> = [...certdecks];
    for (const [id, make] of [['uacme', uacmeClient], ['lego', legoClient]] as const) {
      candidates.push(opts.skip.has(id) ? { id, reason: 'skipped with --skip' } : await make(ctx));
    }
    const results = new Map<string, ClientResult>(candidates.map((c) => [c.id, resultFor(c)]));
    const clients = candidates.filter((c): c is BenchClient => !('reason' in c));
    for (const c of candidates) say(`  ${c.id}: ${'reason' in c ? `SKIPPED (${c.reason})` : c.version}`);
    say();

    const plan: PhasePlan = { coldRounds: opts.coldRounds, batchRounds: opts.batchRounds, legoBatchCerts: opts.legoCerts, log: say, signal: abort.signal };
    await runColdPhase(clients, results, plan);
    await runBatchPhase(clients, results, plan);
    let scaleRows: ScaleRow[] = [];
    const scalePlan: ScalePlan = { sizes: opts.scale, concurrency: opts.scaleConcurrency, log: say };
    if (!opts.skip.has('scale') && opts.scale.length && !abort.signal.aborted) {
      say(`  (e) machine before: ${loadNote()}`);
      scaleRows = await runScalePhase(ctx, certdecks, scalePlan);
    }
    let startup: StartupTimes | undefined;
    if (!abort.signal.aborted) {
      try {
        startup = await measureStartup(opts.startupRuns, abort.signal);
      } catch (err) {
        say(`(d) FAILED\n${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (abort.signal.aborted) return 130;

    const all = [...results.values()];
    say();
    for (const c of certdecks) {
      say(c.id === 'certdeck' ? "certdeck with --ca sandbox (the sandbox's tuned wait policy):" : 'certdeck with the CA given by directory URL (the default wait policy, what a real CA gets):');
      say(renderResults(all, startup, c.id));
      say();
    }
    if (scaleRows.length) say(renderScale(scaleRows, scalePlan));
    say();
    say(renderNotes(all, startup, { coldRounds: opts.coldRounds, batchRounds: opts.batchRounds }));
    say();
    say(`benchmark took ${seconds(performance.now() - started)}; machine at the end: ${loadNote()}`);
    const failed = all.some((r) => r.cold.failures.length || r.batch.failures.length) || !startup || scaleRows.some((r) => r.failure);
    return failed ? 1 : 0;
  } finally {
    await sandbox?.stop();
    await rm(workDir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
