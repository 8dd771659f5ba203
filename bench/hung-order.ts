/**
 * An order hung in "processing": how many polls certdeck makes in 10 minutes under its policies, against a fixed
 * 15 s interval (acme.sh), and how long cancelling takes until everything is cleaned up.
 *
 *   node_modules/.bin/node --import tsx bench/hung-order.ts [--cancel-runs N]
 *
 * Polls are counted twice: computed from the policy (nextPollDelay, no jitter) and measured by running the real engine
 * against Pebble behind the fault proxy on a fake clock (ten minutes take well under a second). Cancel latency is
 * real time: engine.cancel() until the issue promise settles, then the HTTP-01 listener and the lock are checked.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadCatalog } from '../src/engine/ca/catalog.js';
import { formatSpan } from '../src/engine/core/duration.js';
import { DEFAULT_POLICY, mergePolicy, nextPollDelay, type WaitPolicy } from '../src/engine/policy.js';
import { lockFile } from '../src/engine/store/lock.js';
import type { FaultScenario } from '../src/sandbox/fault-proxy.js';
import { challengeResponse, driveIssue, engineHarness, requestsOf, SteppingClock } from '../test/support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../test/support/sandbox-harness.js';

const HANG_MS = 10 * 60_000;
const ACME_SH_INTERVAL_MS = 15_000;

const { values } = parseArgs({ options: { 'cancel-runs': { type: 'string', default: '5' } } });
const cancelRuns = Math.max(1, Number(values['cancel-runs']) || 5);

/** Polls within `windowMs` of processing, and whether the policy's own deadline ends it first. */
function computedPolls(policy: WaitPolicy, windowMs: number, random: () => number = () => 0.5): number {
  let elapsed = 0;
  let polls = 0;
  for (let attempt = 1; ; attempt++) {
    const remaining = windowMs - elapsed;
    if (remaining <= 0) return polls;
    elapsed += Math.min(nextPollDelay(policy, attempt, undefined, random).delayMs, remaining);
    polls += 1;
  }
}

function policies(): Array<{ name: string; policy: WaitPolicy }> {
  const catalog = loadCatalog();
  const entry = (id: string): WaitPolicy => {
    const found = catalog.find((c) => c.id === id);
    if (!found) throw new Error(`no CA "${id}" in the catalog`);
    return mergePolicy(DEFAULT_POLICY, found.policy);
  };
  return [
    { name: 'certdeck default', policy: DEFAULT_POLICY },
    { name: 'letsencrypt', policy: entry('letsencrypt') },
    { name: 'zerossl', policy: entry('zerossl') },
  ];
}

/** Runs the engine through a 10-minute hang on a fake clock; returns the polls the proxy answered after finalize. */
async function measuredPolls(sb: TestSandbox, policy: WaitPolicy, certName: string): Promise<{ polls: number; code: string | undefined; hungAt: number | undefined }> {
  sb.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
  sb.proxy!.clearLog();
  const clock = new SteppingClock();
  const h = engineHarness(sb, { clock });
  try {
    // Every field of the policy, with a 10-minute processing deadline: the engine behaves as under that CA's policy.
    const override = { ...policy, deadlines: { ...policy.deadlines, processing: HANG_MS } };
    const outcome = await driveIssue(sb, h, h.issue({ domains: [certName], policy: override }), { realTimeoutMs: 120_000 });
    const log = sb.proxy!.log();
    const afterFinalize = log.slice(log.findIndex((e) => e.resource === 'finalize') + 1);
    const polls = requestsOf(afterFinalize, 'order').filter((e) => e.status === 200).length;
    const hung = h.of('order:hung', outcome.orderId)[0];
    return { polls, code: outcome.error?.code, hungAt: hung ? hung.at - hung.since : undefined };
  } finally {
    await h.close();
  }
}

interface CancelSample {
  ms: number;
  clean: boolean;
}

/** engine.cancel() to settled promise, real time, with the listener and lock checked afterwards. */
async function cancelOnce(sb: TestSandbox, scenario: FaultScenario, ready: 'processing' | 'retry', certName: string): Promise<CancelSample> {
  sb.proxy!.setScenario(scenario);
  const h = engineHarness(sb);
  try {
    const work = h.issue({ domains: [certName] });
    const orderId =
      ready === 'processing'
        ? (await h.waitFor('wait:scheduled', (w) => w.phase === 'processing' && w.attempt >= 2)).orderId
        : (await h.waitFor('retry:scheduled')).orderId;
    const started = performance.now();
    h.engine.cancel(orderId, 'bench');
    const outcome = await work;
    const ms = performance.now() - started;
    const listenerClosed = (await challengeResponse(sb.httpPort, 'bench')) === 'refused';
    const clean = outcome.error?.kind === 'cancelled' && listenerClosed && !existsSync(lockFile(h.paths, certName));
    return { ms, clean };
  } finally {
    await h.close();
  }
}

function summary(samples: CancelSample[]): string {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  const clean = samples.filter((s) => s.clean).length;
  return `min ${ms[0]!.toFixed(1)} ms, median ${median.toFixed(1)} ms, max ${ms.at(-1)!.toFixed(1)} ms; cleaned up ${clean}/${samples.length}`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

async function main(): Promise<void> {
  if (!pebbleAvailable()) {
    console.error('pebble and pebble-challtestsrv are needed (apt-get install pebble pebble-challtestsrv).');
    process.exitCode = 2;
    return;
  }
  const sb = await startTestSandbox({ fault: { rules: [{ kind: 'hang-processing' }] }, nonceRejectPercent: 0 });
  try {
    console.log(`Order hung in "processing" for ${formatSpan(HANG_MS)}, no Retry-After from the CA`);
    console.log('');
    const header = `${pad('policy', 20)}${pad('floor..cap', 12)}${pad('polls/10m', 11)}${pad('(jitter range)', 16)}${pad('measured', 10)}${pad('hung flagged', 14)}own deadline`;
    console.log(header);
    console.log('-'.repeat(header.length + 24));
    let i = 0;
    for (const { name, policy } of policies()) {
      const computed = computedPolls(policy, HANG_MS);
      const fewest = computedPolls(policy, HANG_MS, () => 1);
      const most = computedPolls(policy, HANG_MS, () => 0);
      const measured = await measuredPolls(sb, policy, `bench-${i++}.example.test`);
      const own = policy.deadlines.processing;
      const ownText =
        own >= HANG_MS
          ? `${formatSpan(own)}: still waiting at 10m`
          : `${formatSpan(own)}: gives up after ${computedPolls(policy, own)} polls`;
      console.log(
        `${pad(name, 20)}${pad(`${formatSpan(policy.floorMs)}..${formatSpan(policy.capMs)}`, 12)}${pad(String(computed), 11)}${pad(`${fewest}-${most}`, 16)}${pad(`${measured.polls}${measured.code === 'processing-timeout' ? '' : '?'}`, 10)}${pad(measured.hungAt === undefined ? '-' : `at ${formatSpan(measured.hungAt)}`, 14)}${ownText}`,
      );
    }
    console.log(`${pad('acme.sh (fixed 15s)', 20)}${pad('15s', 12)}${pad(String(HANG_MS / ACME_SH_INTERVAL_MS), 11)}${pad('-', 16)}${pad('-', 10)}${pad('never', 14)}none: polls every 15s for ever (field report 1)`);
    console.log('');
    console.log('computed: nextPollDelay with zero jitter; measured: the engine against Pebble behind the fault proxy on a fake');
    console.log('clock, polls the CA answered after finalize, processing deadline set to 10m.');
    console.log('');

    console.log(`Cancel latency (real time, ${cancelRuns} runs each): engine.cancel() -> issue settled, listener and lock gone`);
    const hung: CancelSample[] = [];
    const retry: CancelSample[] = [];
    for (let run = 0; run < cancelRuns; run++) {
      sb.proxy!.clearLog();
      hung.push(await cancelOnce(sb, { rules: [{ kind: 'hang-processing' }] }, 'processing', `cancel-hung-${run}.example.test`));
      retry.push(
        await cancelOnce(sb, { rules: [{ kind: 'rate-limit', match: 'new-order', count: 1, retryAfterSeconds: 60 }] }, 'retry', `cancel-retry-${run}.example.test`),
      );
    }
    console.log(`  hung in processing:        ${summary(hung)}`);
    console.log(`  waiting 60s to retry (429): ${summary(retry)}`);
  } finally {
    await sb.stop();
  }
}

await main();
