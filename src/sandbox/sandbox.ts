import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../engine/core/clock.js';
import { BadInputError, ConfigError } from '../engine/core/errors.js';
import { sandboxStatePath, type SandboxCaState, type SandboxState } from '../engine/ca/sandbox-state.js';
import { resolveSandboxBinaries, type SandboxBinaries } from './binaries.js';
import { parseFaultSpec } from './fault/preset.js';
import type { FaultScenario } from './fault/scenario.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { writeFileAtomic } from './fs-atomic.js';
import { simpleRequest } from './https-request.js';
import { writePebbleConfig, type PebbleInstance } from './pebble-config.js';
import { ensureSandboxPki, type SandboxPki } from './pki.js';
import { assertPortsFree, DEFAULT_SANDBOX_PORTS, type SandboxPorts } from './ports.js';
import { spawnLogged, terminate, type SandboxProcess } from './processes.js';
import { spawnProxyProcess } from './proxy-process.js';
import { waitUntilReady } from './readiness.js';
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
  const say = opts.log ?? (() => undefined);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 20_000;
  const binaries = resolveSandboxBinaries(env, opts.binaries);
  checkPercent('nonce reject percent', opts.nonceRejectPercent);
  checkPercent('authz reuse percent', opts.authzReusePercent);
  const scenario = typeof opts.fault === 'string' ? parseFaultSpec(opts.fault) : opts.fault;
  const scenarioLabel = typeof opts.fault === 'string' ? opts.fault : opts.fault && JSON.stringify(opts.fault);
  const ports: SandboxPorts = { ...DEFAULT_SANDBOX_PORTS, ...opts.ports };
  const dir = path.resolve(opts.dir);

  await clearStaleState(dir, clock);
  const listening: Array<keyof SandboxPorts> = ['pebble', 'pebbleManagement', 'pebbleB', 'pebbleBManagement', 'dns', 'challtestsrvManagement'];
  if (scenario) listening.push('proxy', 'proxyControl');
  await assertPortsFree(ports, listening);

  await mkdir(path.join(dir, 'logs'), { recursive: true, mode: 0o700 });
  const pki = await ensureSandboxPki(dir, clock.now());
  const childEnv = pebbleEnv(env, opts);
  const logPath = (name: string): string => path.join(dir, 'logs', `${name}.log`);
  const started: SandboxProcess[] = [];
  let proxy: FaultProxy | undefined;
  const ready = (what: string, proc: SandboxProcess, probe: () => Promise<boolean>): Promise<void> =>
    waitUntilReady({ what, probe, proc, logPath: proc.logPath, clock, timeoutMs: readyTimeoutMs });

  try {
    await truncateLogs(dir);
    say(`starting pebble-challtestsrv (DNS 127.0.0.1:${ports.dns}, every name -> 127.0.0.1)`);
    const challtestsrv = await spawnLogged({
      name: 'pebble-challtestsrv',
      command: binaries.challtestsrv,
      // Only DNS and management: its HTTP/TLS listeners would take the ports certdeck's challenge server needs, and
      // an empty IPv6 default stops Pebble from dialling [::1] first.
      args: ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-http01', '', '-https01', '', '-tlsalpn01', '',
        '-dns01', `127.0.0.1:${ports.dns}`, '-management', `127.0.0.1:${ports.challtestsrvManagement}`],
      env: childEnv,
      logPath: logPath('challtestsrv'),
      detached: opts.detached,
    });
    started.push(challtestsrv);
    const challtestsrvUrl = `http://127.0.0.1:${ports.challtestsrvManagement}`;
    await ready('pebble-challtestsrv', challtestsrv, async () => (await simpleRequest(challtestsrvUrl, { timeoutMs: 1000 })).status > 0);

    const instances: PebbleInstance[] = [
      { id: 'sandbox', listenPort: ports.pebble, managementPort: ports.pebbleManagement },
      { id: 'sandbox-b', listenPort: ports.pebbleB, managementPort: ports.pebbleBManagement },
    ];
    const pebbles = await Promise.all(
      instances.map(async (instance) => {
        const configPath = await writePebbleConfig(dir, instance, pki, ports);
        say(`starting pebble "${instance.id}" on 127.0.0.1:${instance.listenPort} (management ${instance.managementPort})`);
        const proc = await spawnLogged({
          name: `pebble ${instance.id}`,
          command: binaries.pebble,
          args: ['-config', configPath, '-dnsserver', `127.0.0.1:${ports.dns}`],
          env: childEnv,
          logPath: logPath(`pebble-${instance.id}`),
          cwd: dir,
          detached: opts.detached,
        });
        started.push(proc);
        return { instance, proc };
      }),
    );
    await Promise.all(
      pebbles.map(async ({ instance, proc }) => {
        const urls = pebbleUrls(instance);
        await ready(`pebble "${instance.id}"`, proc, async () => (await simpleRequest(urls.directoryUrl, { ca: pki.rootCertPem, timeoutMs: 1000 })).status === 200);
        await ready(`pebble "${instance.id}" management API`, proc, async () => (await simpleRequest(`${urls.managementUrl}/roots/0`, { ca: pki.rootCertPem, timeoutMs: 1000 })).status === 200);
      }),
    );

    let faultProxy: SandboxCaState['faultProxy'];
    let proxyDirectoryUrl: string | undefined;
    if (scenario) {
      const upstream = `https://127.0.0.1:${ports.pebble}`;
      say(`starting the fault proxy on 127.0.0.1:${ports.proxy} (control 127.0.0.1:${ports.proxyControl}): ${scenarioLabel}`);
      let controlUrl: string;
      if (opts.detached) {
        const proc = await spawnProxyProcess({
          dir,
          env: childEnv,
          logPath: logPath('fault-proxy'),
          detached: true,
          config: {
            upstream,
            certPath: pki.serverCertPath,
            keyPath: pki.serverKeyPath,
            caPath: pki.rootCertPath,
            listenPort: ports.proxy,
            controlPort: ports.proxyControl,
            scenario,
          },
        });
        started.push(proc);
        controlUrl = `http://127.0.0.1:${ports.proxyControl}`;
        proxyDirectoryUrl = `https://127.0.0.1:${ports.proxy}/dir`;
        await ready('fault proxy', proc, async () => (await simpleRequest(`${controlUrl}/scenario`, { timeoutMs: 1000 })).status === 200);
        await ready('fault proxy', proc, async () => (await simpleRequest(proxyDirectoryUrl!, { ca: pki.rootCertPem, timeoutMs: 1000 })).status === 200);
      } else {
        proxy = await startFaultProxy({
          upstream,
          tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.rootCertPem },
          listenPort: ports.proxy,
          controlPort: ports.proxyControl,
          scenario,
          clock,
        });
        controlUrl = proxy.controlUrl;
        proxyDirectoryUrl = proxy.directoryUrl;
      }
      faultProxy = { controlUrl, scenario: scenarioLabel ?? 'none' };
    }

    const cas: SandboxCaState[] = instances.map((instance) => {
      const urls = pebbleUrls(instance);
      const proxied = instance.id === 'sandbox' && faultProxy !== undefined;
      return {
        id: instance.id,
        name: proxied ? `${CA_NAMES[instance.id]} behind the fault proxy` : CA_NAMES[instance.id] ?? instance.id,
        directoryUrl: proxied ? proxyDirectoryUrl! : urls.directoryUrl,
        pebbleDirectoryUrl: urls.directoryUrl,
        managementUrl: urls.managementUrl,
        ...(proxied ? { faultProxy } : {}),
      };
    });
    const state: SandboxState = {
      version: 1,
      startedAt: new Date(clock.now()).toISOString(),
      caBundlePath: pki.rootCertPath,
      httpPort: ports.http01,
      dnsPort: ports.dns,
      challtestsrvUrl,
      cas,
      pids: started.map((p) => p.pid),
    };
    await writeFileAtomic(sandboxStatePath(dir), JSON.stringify(state, null, 2) + '\n');
    say(`sandbox ready: ${cas.map((ca) => `${ca.id} ${ca.directoryUrl}`).join(', ')}`);
    return running(dir, state, ports, pki, started, proxy, opts.detached, clock);
  } catch (err) {
    await proxy?.close();
    await terminate(started.map((p) => p.pid), clock);
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

function pebbleUrls(instance: PebbleInstance): { directoryUrl: string; managementUrl: string } {
  return {
    directoryUrl: `https://127.0.0.1:${instance.listenPort}/dir`,
    managementUrl: `https://127.0.0.1:${instance.managementPort}`,
  };
}

/** Environment of the sandbox's processes: the knobs we own are set (or cleared) explicitly. */
function pebbleEnv(env: NodeJS.ProcessEnv, opts: StartSandboxOptions): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, PEBBLE_VA_NOSLEEP: '1' };
  delete out.PEBBLE_WFE_NONCEREJECT;
  delete out.PEBBLE_AUTHZREUSE;
  // A test runner's marker would make a node child (the proxy) think it is a test file.
  delete out.NODE_TEST_CONTEXT;
  if (opts.nonceRejectPercent !== undefined) out.PEBBLE_WFE_NONCEREJECT = String(opts.nonceRejectPercent);
  if (opts.authzReusePercent !== undefined) out.PEBBLE_AUTHZREUSE = String(opts.authzReusePercent);
  return out;
}

function checkPercent(what: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    throw new BadInputError('bad-percent', `The ${what} must be a whole number from 0 to 100, not ${value}.`);
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
