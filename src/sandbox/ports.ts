import net from 'node:net';
import { sandboxOwningPort } from './port-owner.js';
import { BadInputError } from '../engine/core/errors.js';
import { systemClock, type Clock } from '../engine/core/clock.js';

/** Every loopback port the sandbox listens on (or, for httpPort/tlsAlpnPort, tells Pebble to validate on). */
export interface SandboxPorts {
  pebble: number;
  pebbleManagement: number;
  pebbleB: number;
  pebbleBManagement: number;
  dns: number;
  challtestsrvManagement: number;
  /** Where Pebble's validator connects for HTTP-01: certdeck's challenge server listens here. */
  http01: number;
  /** Where Pebble's validator connects for TLS-ALPN-01. */
  tlsAlpn01: number;
  proxy: number;
  proxyControl: number;
}

/** What each port is for, in the order `--port-base N` hands out N, N+1, ... */
export const PORT_ROLES: ReadonlyArray<{ key: keyof SandboxPorts; label: string }> = [
  { key: 'pebble', label: 'pebble ACME listener' },
  { key: 'pebbleManagement', label: 'pebble management API' },
  { key: 'pebbleB', label: 'sandbox-b ACME listener' },
  { key: 'pebbleBManagement', label: 'sandbox-b management API' },
  { key: 'dns', label: 'pebble-challtestsrv DNS' },
  { key: 'challtestsrvManagement', label: 'pebble-challtestsrv management API' },
  { key: 'http01', label: 'HTTP-01 validation port (certdeck challenge server)' },
  { key: 'tlsAlpn01', label: 'TLS-ALPN-01 validation port' },
  { key: 'proxy', label: 'fault proxy' },
  { key: 'proxyControl', label: 'fault proxy control endpoint' },
];

/** Fixed, uncommon loopback ports for the CLI; documented in `certdeck sandbox start --help`. */
export const DEFAULT_SANDBOX_PORTS: SandboxPorts = {
  pebble: 14000,
  pebbleManagement: 15000,
  pebbleB: 14010,
  pebbleBManagement: 15010,
  dns: 8053,
  challtestsrvManagement: 8055,
  http01: 5002,
  tlsAlpn01: 5001,
  proxy: 14100,
  proxyControl: 14101,
};

/** `--port-base N`: N, N+1, ... in PORT_ROLES order. */
export function portsFromBase(base: number): SandboxPorts {
  if (!Number.isInteger(base) || base < 1024 || base + PORT_ROLES.length - 1 > 65535) {
    throw new BadInputError(
      'bad-port-base',
      `--port-base ${base} is not usable: the sandbox needs ${PORT_ROLES.length} consecutive ports from it.`,
      `Choose a number between 1024 and ${65535 - PORT_ROLES.length + 1}, e.g. --port-base 24000.`,
    );
  }
  const ports = {} as SandboxPorts;
  PORT_ROLES.forEach((role, i) => (ports[role.key] = base + i));
  return ports;
}

/** True when nothing listens on 127.0.0.1:port (we can bind it ourselves, then release it at once). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Fails with a message naming the first busy port, what the sandbox wanted it for and how to choose others.
 * `roles` limits the check to the listeners that will actually start (e.g. no proxy without a fault scenario).
 */
export async function assertPortsFree(ports: SandboxPorts, roles: ReadonlyArray<keyof SandboxPorts>, clock: Clock = systemClock): Promise<void> {
  for (const role of PORT_ROLES) {
    if (!roles.includes(role.key)) continue;
    const port = ports[role.key];
    if (!(await freeWithin(port, PORT_RELEASE_GRACE_MS, clock))) {
      const owner = await sandboxOwningPort(port);
      if (owner) {
        throw new BadInputError(
          'sandbox-port-in-use',
          `Port ${port} on 127.0.0.1 (${role.label}) is used by another certdeck sandbox: the one of the state home ${owner.home} (pid ${owner.pid}${owner.startedAt ? `, started ${owner.startedAt}` : ''}).`,
          `Stop it with: CERTDECK_HOME=${owner.home} certdeck sandbox stop\nor use that home (CERTDECK_HOME=${owner.home}), or choose other ports with --port-base N (uses N..N+${PORT_ROLES.length - 1}).`,
        );
      }
      throw new BadInputError(
        'sandbox-port-in-use',
        `Port ${port} on 127.0.0.1 (${role.label}) is already in use.`,
        `Stop whatever listens there, or choose other ports with --port-base N (uses N..N+${PORT_ROLES.length - 1}).`,
      );
    }
  }
}

/**
 * A sandbox restarted over a stale one reuses the ports of processes that were just stopped; the kernel releases
 * a dead process's sockets a moment after it is reaped, so a busy port gets this long before it counts as taken.
 */
const PORT_RELEASE_GRACE_MS = 1_000;

async function freeWithin(port: number, graceMs: number, clock: Clock): Promise<boolean> {
  const deadline = clock.now() + graceMs;
  for (;;) {
    if (await isPortFree(port)) return true;
    if (clock.now() >= deadline) return false;
    await clock.sleep(50);
  }
}

/**
 * Ports the kernel hands to outgoing connections (Linux's default ip_local_port_range). A port picked there is
 * "free" only until some client connection takes it, so servers started later (tests running in parallel) pick
 * from below this range instead.
 */
const EPHEMERAL_LOW = 32_768;
const PICK_LOW = 20_000;

/** A loopback port that is free now, outside the ephemeral range. */
export async function findFreePort(random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PICK_LOW + Math.floor(random() * (EPHEMERAL_LOW - PICK_LOW));
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free loopback port found between ${PICK_LOW} and ${EPHEMERAL_LOW - 1}`);
}

/** Distinct free ports for every role (tests). */
export async function findFreeSandboxPorts(): Promise<SandboxPorts> {
  const ports = {} as SandboxPorts;
  const taken = new Set<number>();
  for (const role of PORT_ROLES) {
    let port = await findFreePort();
    while (taken.has(port)) port = await findFreePort();
    taken.add(port);
    ports[role.key] = port;
  }
  return ports;
}
