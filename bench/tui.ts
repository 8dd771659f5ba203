/**
 * What the terminal UI costs: a dashboard frame with many active orders, an idle dashboard full of countdowns,
 * memory, and how soon `certdeck` shows its first frame.
 *
 *   node_modules/.bin/node --import tsx bench/tui.ts [--idle-seconds 30] [--frames 50] [--launches 5] [--parts frames,idle,launch]
 *
 * Frames: the dashboard (the real App, through Ink, with the options runTui uses) renders into a fake 140x45 TTY
 * over a FakeEngine folded from scripted events; a frame is timed from its cause (a one-second clock tick, or one
 * engine event) to Ink's onRender after the frame was written, frames spaced past Ink's 30 fps throttle.
 * Idle: 200 orders counting down on the system clock for real seconds; CPU from process.cpuUsage().
 * First frame: `node dist/cli.js` (no arguments) in tmux 100x30 until the dashboard is on screen (needs tmux and
 * a build: npm run build). Peak RSS: this process (which holds the 2000-order run) and the CLI's VmHWM.
 * List: `certdeck list --json` over 10,000 real certificates (list-scale.ts), first without and then with its cache.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ManualClock, systemClock, type Clock } from '../src/engine/core/clock.js';
import type { EngineEvent } from '../src/engine/events.js';
import { validateDomain } from '../src/engine/names.js';
import { loadWithProductionReact } from '../src/tui/react-build.js';
import { CLI } from '../test/support/cli.js';
import { DEFAULT_TEST_CAS, FakeEngine } from '../test/support/fake-engine.js';
import { FakeTtyIn, FakeTtyOut } from '../test/support/fake-tty.js';
import { TmuxTerminal, tmuxAvailable } from '../test/e2e/support/tmux-terminal.js';
import { DAY, certKnown, certificate, finished, hung, processingOrder, queued, phase, waitScheduled } from '../test/tui/fixtures.js';
import { measureList } from './list-scale.js';
import { median } from './stats.js';

// The UI as the CLI runs it: React's production build, unless NODE_ENV says otherwise (runTui does the same).
const [{ render }, { createElement }, { App }] = await loadWithProductionReact(() => Promise.all([import('ink'), import('react'), import('../src/tui/App.js')]));
const reactBuild = process.env.NODE_ENV === undefined ? 'production' : `NODE_ENV=${process.env.NODE_ENV}`;

/** Issue 18's targets. */
const TARGETS = { frame500Ms: 8, frameBigMs: 16, idleCpuPercent: 1, firstFrameMs: 250, rssMb: 150, list10kMs: 1000 };
const CLI_IDLE_SECONDS = 10;
const FRAME_SPACING_MS = 40; // past Ink's 30 fps throttle, so every frame renders at once (leading edge)

const { values } = parseArgs({
  options: {
    'idle-seconds': { type: 'string', default: '30' },
    frames: { type: 'string', default: '50' },
    launches: { type: 'string', default: '5' },
    parts: { type: 'string', default: 'frames,idle,launch,list' },
    'list-certs': { type: 'string', default: '10000' },
  },
});
const parts = new Set(values.parts.split(','));
const idleSeconds = Math.max(1, Number(values['idle-seconds']) || 30);
const frameCount = Math.max(5, Number(values.frames) || 50);
const launches = Math.max(1, Number(values.launches) || 5);

/**
 * `count` active orders at `at` (most processing with a countdown, every tenth hung, some authorizing), 20
 * certificates of mixed ages, and 20 finished orders: a busy operator's dashboard.
 */
function busyDashboard(count: number, at: number, opts: { delayMs?: (i: number) => number; certificates?: number } = {}): EngineEvent[] {
  const events: EngineEvent[] = [];
  for (let c = 0; c < (opts.certificates ?? 20); c++) {
    events.push(certKnown(certificate(`site-${c}.example`, { domains: [`site-${c}.example`, `www.site-${c}.example`], notBefore: at - c * 4 * DAY }), at));
  }
  for (let i = 0; i < count; i++) {
    const id = `o${i}`;
    const ca = DEFAULT_TEST_CAS[i % DEFAULT_TEST_CAS.length]!;
    const domains = [`app-${i}.example.org`, ...(i % 3 === 0 ? [`www.app-${i}.example.org`] : [])];
    if (i % 7 === 3) {
      events.push(queued(id, { domains, caId: ca.id, caName: ca.name, at: at - 20_000 }), phase(id, 'authorizing', at - 15_000));
      continue;
    }
    const since = at - (i % 240) * 1000;
    const delayMs = opts.delayMs?.(i) ?? 2_000 + (i % 30) * 1000;
    events.push(...processingOrder(id, { domains, caId: ca.id, caName: ca.name, at: since, delayMs, reason: i % 2 ? 'retry-after' : 'backoff' }));
    if (i % 10 === 0) events.push(hung(id, since, 5, at - 500));
  }
  for (let f = 0; f < 20; f++) {
    const id = `done${f}`;
    events.push(queued(id, { domains: [`old-${f}.example`], at: at - 3_600_000 }), finished(id, f % 4 ? 'valid' : 'failed', at - 3_000_000 + f * 1000));
  }
  return events;
}

interface Mounted {
  engine: FakeEngine;
  stdout: FakeTtyOut;
  renders: number;
  nextRender(): Promise<void>;
  unmount(): void;
}

/** The dashboard as runTui mounts it, plus onRender to time frames and interactive: the fake TTY is not CI. */
function mountDashboard(engine: FakeEngine, clock: Clock, columns: number, rows: number): Mounted {
  const stdout = new FakeTtyOut(columns, rows, false);
  let waiting: Array<() => void> = [];
  const mounted: Mounted = {
    engine,
    stdout,
    renders: 0,
    nextRender: () => new Promise<void>((resolve) => waiting.push(resolve)),
    unmount: () => instance.unmount(),
  };
  const instance = render(createElement(App, { engine, clock, mode: { kind: 'dashboard' }, validateDomain: (raw: string) => validateDomain(raw, { wildcardAllowed: false }), color: true }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: new FakeTtyIn() as unknown as NodeJS.ReadStream,
    stderr: new FakeTtyOut(columns, rows, false) as unknown as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
    incrementalRendering: true,
    alternateScreen: true,
    interactive: true,
    onRender: () => {
      mounted.renders += 1;
      const resolve = waiting;
      waiting = [];
      for (const r of resolve) r();
    },
  });
  return mounted;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface FrameCost {
  orders: number;
  tickMs: number;
  eventMs: number;
  tickP95Ms: number;
  /** CPU time of this process per tick frame (less sensitive than wall time to other work on the machine). */
  tickCpuMs: number;
  rendersPerTick: number;
  rendersPerEvent: number;
  bytesPerTick: number;
  /** RSS with this dashboard mounted, after its frames. */
  rssMb: number;
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? Number.NaN;
}

async function frameCost(orders: number, certificates = 20): Promise<FrameCost> {
  const clock = new ManualClock();
  const engine = new FakeEngine({ events: busyDashboard(orders, clock.now(), { certificates }) });
  const ui = mountDashboard(engine, clock, 140, 45);
  await pause(100);
  const ticks: number[] = [];
  const tickCpu: number[] = [];
  const events: number[] = [];
  let tickRenders = 0;
  let eventRenders = 0;
  let tickBytes = 0;
  for (let i = 0; i < frameCount + 5; i++) {
    // A clock tick: every countdown moves.
    await pause(FRAME_SPACING_MS);
    let rendered = ui.nextRender();
    const rendersBefore = ui.renders;
    const bytesBefore = ui.stdout.bytes;
    const cpuBefore = process.cpuUsage();
    let started = performance.now();
    await clock.advance(1000);
    await rendered;
    if (i >= 5) {
      ticks.push(performance.now() - started);
      const cpu = process.cpuUsage(cpuBefore);
      tickCpu.push((cpu.user + cpu.system) / 1000);
    }
    await pause(FRAME_SPACING_MS);
    if (i >= 5) {
      tickRenders += ui.renders - rendersBefore;
      tickBytes += ui.stdout.bytes - bytesBefore;
    }
    // An engine event: one order polled again (the snapshot changes, the tree re-renders from it).
    rendered = ui.nextRender();
    const eventRendersBefore = ui.renders;
    started = performance.now();
    const id = `o${(i * 7 + 1) % orders}`;
    engine.emit(waitScheduled(id, { at: clock.now(), delayMs: 5000, reason: 'backoff', attempt: 2 + i }));
    await rendered;
    if (i >= 5) events.push(performance.now() - started);
    await pause(FRAME_SPACING_MS); // a second, throttled render would land in here
    if (i >= 5) eventRenders += ui.renders - eventRendersBefore;
  }
  const rssMb = process.memoryUsage().rss / 1048576;
  ui.unmount();
  return {
    rssMb,
    orders,
    tickMs: median(ticks),
    eventMs: median(events),
    tickP95Ms: p95(ticks),
    tickCpuMs: median(tickCpu),
    rendersPerTick: tickRenders / frameCount,
    rendersPerEvent: eventRenders / frameCount,
    bytesPerTick: tickBytes / frameCount,
  };
}

interface IdleCost {
  cpuPercent: number;
  frames: number;
  bytesPerSecond: number;
}

/** 200 orders counting down on the real clock for `seconds`: the CPU the idle dashboard costs. */
async function idleCost(seconds: number): Promise<IdleCost> {
  const now = Date.now();
  // Long waits, so every countdown keeps moving for the whole measurement and nothing else happens.
  const engine = new FakeEngine({ events: busyDashboard(200, now, { delayMs: (i) => 600_000 + i * 1000 }) });
  const ui = mountDashboard(engine, systemClock, 140, 45);
  await pause(1500); // mounted and past the first frames
  const rendersBefore = ui.renders;
  const bytesBefore = ui.stdout.bytes;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await pause(seconds * 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMs = performance.now() - started;
  const frames = ui.renders - rendersBefore;
  const bytes = ui.stdout.bytes - bytesBefore;
  ui.unmount();
  return { cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100, frames, bytesPerSecond: bytes / (elapsedMs / 1000) };
}

interface Launch {
  firstFrameMs: number[];
  baselineMs: number;
  cliPeakRssMb?: number;
  /** CPU of the real dashboard process sitting idle (its clock ticking), % of one core. */
  cliIdleCpuPercent?: number;
}

/** user + system CPU seconds of a process so far, from /proc (Linux). */
async function processCpuSeconds(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may contain spaces, hence the last ')'): utime and stime are 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_SECOND : undefined;
}
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** `certdeck` (the dashboard) started in an already running tmux pane, until its first frame is on screen. */
async function firstFrame(runs: number): Promise<Launch | string> {
  if (!tmuxAvailable()) return 'tmux is not installed';
  if (!existsSync(CLI)) return `${CLI} is missing: run npm run build`;
  const home = await mkdtemp(path.join(os.tmpdir(), 'certdeck-bench-tui-'));
  const term = await TmuxTerminal.start(['sleep', '600'], { env: { CERTDECK_HOME: home } });
  try {
    const timeTo = async (command: string[], seen: (screen: string) => boolean): Promise<number> => {
      const started = performance.now();
      await term.respawn(command);
      await term.waitFor((s) => seen(s) || undefined, 'the first frame', 30_000);
      return performance.now() - started;
    };
    // What tmux and the screen polling add on their own: a program that prints at once.
    const baseline: number[] = [];
    for (let i = 0; i < 3; i++) baseline.push(await timeTo(['printf', 'ready'], (s) => s.includes('ready')));
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await timeTo([process.execPath, CLI], (s) => s.startsWith('certdeck') && s.includes('q quit')));
    const result: Launch = { firstFrameMs: times, baselineMs: median(baseline) };
    // The last one stays up: its CPU while idle on a real terminal, then the high-water mark of its memory.
    const pid = await term.programPid();
    if (pid !== undefined) {
      await pause(2000);
      const cpuBefore = await processCpuSeconds(pid);
      const started = performance.now();
      await pause(CLI_IDLE_SECONDS * 1000);
      const cpuAfter = await processCpuSeconds(pid);
      if (cpuBefore !== undefined && cpuAfter !== undefined) result.cliIdleCpuPercent = ((cpuAfter - cpuBefore) * 100_000) / (performance.now() - started);
      const hwm = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''));
      if (hwm) result.cliPeakRssMb = Number(hwm[1]) / 1024;
    }
    return result;
  } finally {
    await term.kill();
    await rm(home, { recursive: true, force: true });
  }
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 0)} ms`;
const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');

async function main(): Promise<void> {
  console.log(`certdeck TUI bench (node ${process.version}, ${os.cpus().length} cores, React ${reactBuild} build)\n`);
  const startRss = process.memoryUsage().rss / 1048576;
  if (parts.has('frames')) {
    console.log(`Dashboard frame (140x45, median of ${frameCount}; a frame = cause -> written):`);
    await frameCost(50); // warm-up: the first scenario would otherwise also pay for the JIT
    const scenarios: Array<{ orders: number; certs: number; target?: number }> = [
      { orders: 50, certs: 20 },
      { orders: 500, certs: 20, target: TARGETS.frame500Ms },
      { orders: 2000, certs: 20 },
      { orders: 500, certs: 5000, target: TARGETS.frameBigMs },
    ];
    for (const { orders: n, certs, target: limit } of scenarios) {
      const c = await frameCost(n, certs);
      const worst = Math.max(c.tickMs, c.eventMs);
      const target = limit === undefined ? '' : `   target <= ${limit} ms: ${verdict(worst <= limit)}`;
      console.log(
        `  ${String(n).padStart(5)} orders ${String(certs).padStart(5)} certs  clock tick ${ms(c.tickMs)} (p95 ${ms(c.tickP95Ms)}, CPU ${ms(c.tickCpuMs)}) engine event ${ms(c.eventMs)}` +
          `  · renders per tick ${c.rendersPerTick.toFixed(1)}, per event ${c.rendersPerEvent.toFixed(1)}, ${Math.round(c.bytesPerTick)} B/tick, RSS ${c.rssMb.toFixed(0)} MB${target}`,
      );
    }
  }

  if (parts.has('idle')) {
    console.log(`\nIdle dashboard, 200 countdowns, ${idleSeconds} s on the system clock:`);
    const idle = await idleCost(idleSeconds);
    console.log(
      `  CPU ${idle.cpuPercent.toFixed(2)} % of one core · ${idle.frames} frames (${(idle.frames / idleSeconds).toFixed(2)}/s) · ` +
        `${Math.round(idle.bytesPerSecond)} B/s to the terminal   target < ${TARGETS.idleCpuPercent} %: ${verdict(idle.cpuPercent < TARGETS.idleCpuPercent)}`,
    );
  }

  let launch: Launch | string | undefined;
  if (parts.has('launch')) {
    console.log(`\nFirst frame of \`certdeck\` (dashboard) in tmux 100x30, ${launches} launches:`);
    launch = await firstFrame(launches);
    if (typeof launch === 'string') console.log(`  skipped: ${launch}`);
    else {
      const first = median(launch.firstFrameMs);
      console.log(
        `  median ${ms(first)} (runs: ${launch.firstFrameMs.map((t) => Math.round(t)).join(', ')} ms; tmux + polling alone: ${ms(launch.baselineMs)})` +
          `   target <= ${TARGETS.firstFrameMs} ms: ${verdict(first <= TARGETS.firstFrameMs)}`,
      );
      if (launch.cliIdleCpuPercent !== undefined) {
        console.log(`  then idle for ${CLI_IDLE_SECONDS} s (empty dashboard, its clock ticking): CPU ${launch.cliIdleCpuPercent.toFixed(2)} % of one core (from /proc, 10 ms resolution)`);
      }
    }
  }

  if (parts.has('list')) {
    const count = Math.max(1, Number(values['list-certs']) || 10_000);
    console.log(`\n\`certdeck list --json\` over ${count} certificates (synthetic home of real certificates, built once into bench/results/):`);
    const t = await measureList(count, 3);
    const cached = median(t.cachedMs);
    console.log(
      `  with the list cache: median ${ms(cached)} (runs: ${t.cachedMs.map((x) => Math.round(x)).join(', ')} ms)   target <= ${TARGETS.list10kMs} ms: ${verdict(cached <= TARGETS.list10kMs)}`,
    );
    console.log(`  first listing (no cache: every certificate and key verified, then the cache written): ${ms(t.firstMs)}; ${t.listed} listed`);
  }

  console.log('\nPeak RSS:');
  if (typeof launch === 'object' && launch.cliPeakRssMb !== undefined) {
    console.log(`  certdeck dashboard process (VmHWM, after a few idle seconds)  ${launch.cliPeakRssMb.toFixed(0)} MB   target < ${TARGETS.rssMb} MB: ${verdict(launch.cliPeakRssMb < TARGETS.rssMb)}`);
  }
  // Not the product: tsx compiles on the fly, the fake engines hold thousands of scripted orders, and V8 grows its
  // young generation under Ink's per-frame garbage (the live heap after a GC stays near 30 MB).
  console.log(`  this bench process: ${startRss.toFixed(0)} MB before any dashboard (node + tsx), peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

await main();
