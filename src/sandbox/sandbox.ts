import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../engine/core/clock.js';
import { BadInputError, ConfigError } from '../engine/core/errors.js';
import { sandboxStatePath, type SandboxCaState, type SandboxState } from '../engine/ca/sandbox-state.js';
import { resolveSandboxBinaries, type SandboxBinaries } from './binaries.js';
import { parseFaultSpec } from './fault/preset.js';
import type { FaultScenario } from './fault/scenario.js';
import type { FaultProxy } from './fault-proxy.js';
import { writeFileAtomic } from '../engine/store/atomic.js';
import { launchChalltestsrv, launchFaultProxy, launchPebble, type LaunchContext } from './launch.js';
import type { PebbleInstance } from './pebble-config.js';
import { ensureSandboxPki, type SandboxPki } from './pki.js';
import { assertPortsFree, DEFAULT_SANDBOX_PORTS, type SandboxPorts } from './ports.js';
import { terminate, type SandboxProcess } from './processes.js';
import { sandboxStatus, stopSandbox } from './sandbox-status.js';

export { sandboxStatus, stopSandbox } from './sandbox-status.js';

export interface StartSandboxOptions {
  /** Where the PKI, configs, logs and state.json live (normally `resolveStatePaths(env).sandboxDir`). */
  dir: string;
  /** @default DEFAULT_SANDBOX_PORTS (the CLI's fixed ports) */
  ports?: Partial<SandboxPorts>;
  /** PEBBLE_WFE_NONCEREJECT for both Pebbles. @default Pebble's own (5) */
  nonceRejectPercent?: number;
  /** PEBBLE_AUTHZREUSE for both Pebbles. @default Pebble's own (50) */
  authzReusePercent?: number;
  /**
   * PEBBLE_ALTERNATE_ROOTS for both Pebbles: this many extra roots, each cross-signing the intermediate (same name
   * and key, so only the roots' names differ), offered per certificate as `Link: rel="alternate"` chains, so
   * `--preferred-chain` can be exercised.
   * @default Pebble's own (0)
   */
  alternateRoots?: number;
  /** Puts the fault proxy in front of the "sandbox" CA: a scenario, or a `--fault` string ("none" = proxy only). */
  fault?: FaultScenario | string;
  /**
   * true (CLI): processes outlive this one, in their own process groups, the proxy as its own node process.
   * false (tests): ordinary children, the proxy in-process; `stop()` ends them, and so does this process's exit.
   */
  detached: boolean;
  /** Progress lines for people ("starting pebble on 127.0.0.1:14000"). */
  log?: (line: string) => void;
  /** Where PATH comes from when looking for pebble. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Explicit program paths instead of looking on PATH. */
  binaries?: Partial<SandboxBinaries>;
  /** @default systemClock */
  clock?: Clock;
  /** How long each listener may take to answer. @default 20000 */
  readyTimeoutMs?: number;
}

export interface RunningSandbox {
  dir: string;
  /** What was written to state.json. */
  state: SandboxState;
  ports: SandboxPorts;
  pki: SandboxPki;
  /** The in-process fault proxy (detached: false with a fault); a detached one is reached via its controlUrl. */
  proxy?: FaultProxy;
  /** Stops everything this sandbox started and removes state.json. Safe to call twice. */
  stop(): Promise<void>;
}

const CA_NAMES: Record<string, string> = { sandbox: 'Sandbox (Pebble)', 'sandbox-b': 'Sandbox B (Pebble)' };

/**
 * Starts the local sandbox: two Pebbles ("sandbox" and "sandbox-b") sharing one pebble-challtestsrv as their DNS,
 * and, when a fault scenario is asked for, the fault proxy in front of "sandbox". state.json is written last, so
 * its presence means everything answered. On any failure, whatever was started is stopped again.
 */
export async function startSandbox(opts: StartSandboxOptions): Promise<RunningSandbox> {
  const clock = opts.clock ?? systemClock;
  const env = opts.env ?? process.env;
  const binaries = resolveSandboxBinaries(env, opts.binaries);
  checkPercent('nonce reject percent', opts.nonceRejectPercent);
  checkPercent('authz reuse percent', opts.authzReusePercent);
  checkAlternateRoots(opts.alternateRoots);
  const scenario = typeof opts.fault === 'string' ? parseFaultSpec(opts.fault) : opts.fault;
  const scenarioLabel = typeof opts.fault === 'string' ? opts.fault : opts.fault && JSON.stringify(opts.fault);
  const ports: SandboxPorts = { ...DEFAULT_SANDBOX_PORTS, ...opts.ports };
  const dir = path.resolve(opts.dir);

  await clearStaleState(dir, clock);
  const listening: Array<keyof SandboxPorts> = ['pebble', 'pebbleManagement', 'pebbleB', 'pebbleBManagement', 'dns', 'challtestsrvManagement'];
  if (scenario) listening.push('proxy', 'proxyControl');
  await assertPortsFree(ports, listening, clock);

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pki = await ensureSandboxPki(dir, clock.now());
  const ctx: LaunchContext = {
    dir,
    ports,
    pki,
    binaries,
    env: childEnv(env, opts),
    detached: opts.detached,
    clock,
    readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
    say: opts.log ?? (() => undefined),
    started: [],
  };
  let proxy: FaultProxy | undefined;
  try {
    await truncateLogs(dir);
    const challtestsrvUrl = await launchChalltestsrv(ctx);
    const instances: PebbleInstance[] = [
      { id: 'sandbox', listenPort: ports.pebble, managementPort: ports.pebbleManagement },
      { id: 'sandbox-b', listenPort: ports.pebbleB, managementPort: ports.pebbleBManagement },
    ];
    const pebbles = await Promise.all(instances.map((instance) => launchPebble(ctx, instance)));
    const front = scenario ? await launchFaultProxy(ctx, scenario, scenarioLabel ?? 'none') : undefined;
    proxy = front?.inProcess;

    const cas = instances.map((instance, i): SandboxCaState => {
      const urls = pebbles[i]!;
      const proxied = instance.id === 'sandbox' && front !== undefined;
      return {
        id: instance.id,
        name: `${CA_NAMES[instance.id] ?? instance.id}${proxied ? ' behind the fault proxy' : ''}`,
        directoryUrl: proxied ? front.directoryUrl : urls.directoryUrl,
        pebbleDirectoryUrl: urls.directoryUrl,
        managementUrl: urls.managementUrl,
        ...(proxied ? { faultProxy: { controlUrl: front.controlUrl, scenario: scenarioLabel ?? 'none' } } : {}),
      };
    });
    const state: SandboxState = {
      version: 1,
      startedAt: new Date(clock.now()).toISOString(),
      caBundlePath: pki.rootCertPath,
      httpPort: ports.http01,
      tlsAlpnPort: ports.tlsAlpn01,
      dnsPort: ports.dns,
      challtestsrvUrl,
      cas,
      pids: ctx.started.map((p) => p.pid),
    };
    await writeFileAtomic(sandboxStatePath(dir), JSON.stringify(state, null, 2) + '\n', { mode: 0o644, dirMode: 0o755 });
    ctx.say(`sandbox ready: ${cas.map((ca) => `${ca.id} ${ca.directoryUrl}`).join(', ')}`);
    return running(dir, state, ports, pki, ctx.started, proxy, opts.detached, clock);
  } catch (err) {
    await proxy?.close();
    await terminate(ctx.started.map((p) => p.pid), clock);
    throw err;
  }
}

function running(
  dir: string,
  state: SandboxState,
  ports: SandboxPorts,
  pki: SandboxPki,
  started: SandboxProcess[],
  proxy: FaultProxy | undefined,
  detached: boolean,
  clock: Clock,
): RunningSandbox {
  // Children of a non-detached sandbox must not outlive this process, even when a test fails before stop().
  const killOnExit = (): void => {
    for (const p of started) if (!p.exit) p.child?.kill('SIGKILL');
  };
  if (!detached) process.on('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  return {
    dir,
    state,
    ports,
    pki,
    ...(proxy ? { proxy } : {}),
    stop() {
      stopped ??= (async () => {
        process.off('exit', killOnExit);
        await proxy?.close();
        await stopSandbox(dir, { clock, onlyIfStartedAt: state.startedAt });
        await terminate(started.map((p) => p.pid), clock);
      })();
      return stopped;
    },
  };
}

/** Environment of the sandbox's processes: the knobs we own are set (or cleared) explicitly. */
function childEnv(env: NodeJS.ProcessEnv, opts: StartSandboxOptions): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, PEBBLE_VA_NOSLEEP: '1' };
  delete out.PEBBLE_WFE_NONCEREJECT;
  delete out.PEBBLE_AUTHZREUSE;
  delete out.PEBBLE_ALTERNATE_ROOTS;
  // A test runner's marker would make a node child (the proxy) think it is a test file.
  delete out.NODE_TEST_CONTEXT;
  if (opts.nonceRejectPercent !== undefined) out.PEBBLE_WFE_NONCEREJECT = String(opts.nonceRejectPercent);
  if (opts.authzReusePercent !== undefined) out.PEBBLE_AUTHZREUSE = String(opts.authzReusePercent);
  if (opts.alternateRoots !== undefined) out.PEBBLE_ALTERNATE_ROOTS = String(opts.alternateRoots);
  return out;
}

function checkPercent(what: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    throw new BadInputError('bad-percent', `The ${what} must be a whole number from 0 to 100, not ${value}.`);
  }
}

/** Pebble generates every chain's keys before it listens, so a large count would just outlast the ready timeout. */
const MAX_ALTERNATE_ROOTS = 10;

function checkAlternateRoots(value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0 || value > MAX_ALTERNATE_ROOTS) {
    throw new BadInputError('bad-alternate-roots', `The number of alternate roots must be a whole number from 0 to ${MAX_ALTERNATE_ROOTS}, not ${value}.`);
  }
}

/** A state.json whose processes still run means a sandbox is up; one whose processes died is cleared away. */
async function clearStaleState(dir: string, clock: Clock): Promise<void> {
  const status = await sandboxStatus(dir);
  if (!status) return;
  if (status.alive) {
    throw new ConfigError(
      'sandbox-running',
      `A sandbox is already running from ${dir} (started ${status.state.startedAt}).`,
      'Use it as it is, or stop it first with `certdeck sandbox stop`.',
    );
  }
  await stopSandbox(dir, { clock });
}

async function truncateLogs(dir: string): Promise<void> {
  // Each start gets fresh logs, so an error message's "see <log>" shows this run only.
  await rm(path.join(dir, 'logs'), { recursive: true, force: true });
  await mkdir(path.join(dir, 'logs'), { recursive: true, mode: 0o700 });
}
