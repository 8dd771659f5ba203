import path from 'node:path';
import type { Clock } from '../engine/core/clock.js';
import type { SandboxBinaries } from './binaries.js';
import type { FaultScenario } from './fault/scenario.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { simpleRequest } from './https-request.js';
import { writePebbleConfig, type PebbleInstance } from './pebble-config.js';
import type { SandboxPki } from './pki.js';
import type { SandboxPorts } from './ports.js';
import { spawnLogged, type SandboxProcess } from './processes.js';
import { spawnProxyProcess } from './proxy-process.js';
import { waitUntilReady } from './readiness.js';

/** What every launcher needs; `started` collects each process as soon as it exists, so a failure can stop it. */
export interface LaunchContext {
  dir: string;
  ports: SandboxPorts;
  pki: SandboxPki;
  binaries: SandboxBinaries;
  env: NodeJS.ProcessEnv;
  detached: boolean;
  clock: Clock;
  readyTimeoutMs: number;
  say: (line: string) => void;
  started: SandboxProcess[];
}

const PROBE_TIMEOUT_MS = 1000;

function logPath(ctx: LaunchContext, name: string): string {
  return path.join(ctx.dir, 'logs', `${name}.log`);
}

function ready(ctx: LaunchContext, what: string, proc: SandboxProcess, probe: () => Promise<boolean>): Promise<void> {
  return waitUntilReady({ what, probe, proc, logPath: proc.logPath, clock: ctx.clock, timeoutMs: ctx.readyTimeoutMs });
}

async function spawn(ctx: LaunchContext, name: string, logName: string, command: string, args: string[]): Promise<SandboxProcess> {
  const proc = await spawnLogged({ name, command, args, env: ctx.env, logPath: logPath(ctx, logName), cwd: ctx.dir, detached: ctx.detached });
  ctx.started.push(proc);
  return proc;
}

/** pebble-challtestsrv as both Pebbles' DNS; returns its management URL once it answers. */
export async function launchChalltestsrv(ctx: LaunchContext): Promise<string> {
  const { ports } = ctx;
  ctx.say(`starting pebble-challtestsrv (DNS 127.0.0.1:${ports.dns}, every name -> 127.0.0.1)`);
  const proc = await spawn(ctx, 'pebble-challtestsrv', 'challtestsrv', ctx.binaries.challtestsrv, [
    // Every name resolves to 127.0.0.1 and to no IPv6 address (else Pebble dials [::1] first)...
    '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '',
    // ...and its own challenge listeners stay off, so they do not take the ports certdeck's server needs.
    '-http01', '', '-https01', '', '-tlsalpn01', '',
    '-dns01', `127.0.0.1:${ports.dns}`,
    '-management', `127.0.0.1:${ports.challtestsrvManagement}`,
  ]);
  const url = `http://127.0.0.1:${ports.challtestsrvManagement}`;
  await ready(ctx, 'pebble-challtestsrv', proc, async () => (await simpleRequest(url, { timeoutMs: PROBE_TIMEOUT_MS })).status > 0);
  return url;
}

export interface PebbleUrls {
  directoryUrl: string;
  managementUrl: string;
}

export function pebbleUrls(instance: PebbleInstance): PebbleUrls {
  return {
    directoryUrl: `https://127.0.0.1:${instance.listenPort}/dir`,
    managementUrl: `https://127.0.0.1:${instance.managementPort}`,
  };
}

/** One Pebble, resolving through challtestsrv; returns once its directory and management API answer. */
export async function launchPebble(ctx: LaunchContext, instance: PebbleInstance): Promise<PebbleUrls> {
  const configPath = await writePebbleConfig(ctx.dir, instance, ctx.pki, ctx.ports);
  ctx.say(`starting pebble "${instance.id}" on 127.0.0.1:${instance.listenPort} (management ${instance.managementPort})`);
  const proc = await spawn(ctx, `pebble ${instance.id}`, `pebble-${instance.id}`, ctx.binaries.pebble, [
    '-config', configPath,
    '-dnsserver', `127.0.0.1:${ctx.ports.dns}`,
  ]);
  const urls = pebbleUrls(instance);
  const ca = ctx.pki.rootCertPem;
  await ready(ctx, `pebble "${instance.id}"`, proc, async () =>
    (await simpleRequest(urls.directoryUrl, { ca, timeoutMs: PROBE_TIMEOUT_MS })).status === 200);
  await ready(ctx, `pebble "${instance.id}" management API`, proc, async () =>
    (await simpleRequest(`${urls.managementUrl}/roots/0`, { ca, timeoutMs: PROBE_TIMEOUT_MS })).status === 200);
  return urls;
}

/**
 * The fault proxy in front of Pebble "sandbox": its own detached node process for the CLI, in-process otherwise
 * (tests then drive it directly through the returned handle).
 */
export async function launchFaultProxy(
  ctx: LaunchContext,
  scenario: FaultScenario,
  label: string,
): Promise<{ directoryUrl: string; controlUrl: string; inProcess?: FaultProxy }> {
  const { ports, pki } = ctx;
  const upstream = `https://127.0.0.1:${ports.pebble}`;
  ctx.say(`starting the fault proxy on 127.0.0.1:${ports.proxy} (control 127.0.0.1:${ports.proxyControl}): ${label}`);
  if (!ctx.detached) {
    const proxy = await startFaultProxy({
      upstream,
      tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.rootCertPem },
      listenPort: ports.proxy,
      controlPort: ports.proxyControl,
      scenario,
      clock: ctx.clock,
      unref: true, // like the unref'd children: a test that forgets stop() must still end
    });
    return { directoryUrl: proxy.directoryUrl, controlUrl: proxy.controlUrl, inProcess: proxy };
  }
  const proc = await spawnProxyProcess({
    dir: ctx.dir,
    env: ctx.env,
    logPath: logPath(ctx, 'fault-proxy'),
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
  ctx.started.push(proc);
  const controlUrl = `http://127.0.0.1:${ports.proxyControl}`;
  const directoryUrl = `https://127.0.0.1:${ports.proxy}/dir`;
  // Only the control endpoint is probed: it starts after the proxy listener, and a probe through the proxy would
  // use up a one-shot fault (and show in its log) before any client saw it.
  await ready(ctx, 'fault proxy', proc, async () =>
    (await simpleRequest(`${controlUrl}/scenario`, { timeoutMs: PROBE_TIMEOUT_MS })).status === 200);
  return { directoryUrl, controlUrl };
}
