import type { ChallengeConfig } from '../api.js';
import type { ResolvedCa } from '../ca/catalog.js';
import type { Clock } from '../core/clock.js';
import { hookEnvFor } from './dns01/leftovers.js';
import { Dns01Solver } from './dns01/dns01-solver.js';
import { dnsHooks } from './dns01/hooks.js';
import { propagationOptions } from './dns01/options.js';
import { Http01ChallengeSolver } from './http01-solver.js';
import type { ChallengeSolver } from './solver.js';
import { StandaloneHttp01, type SharedAnswers } from './standalone.js';
import type { TlsAlpn01Responder } from './tls-alpn01.js';
import { WebrootHttp01 } from './webroot.js';

/** What the CA tells certdeck about where its validator connects (the sandbox) and which DNS it asks. */
export interface SolverDefaults {
  host: string;
  port: number;
  tlsAlpnPort: number;
  /** HOST:PORT of the DNS the CA itself asks (the sandbox's pebble-challtestsrv), checked when no resolver was given. */
  caDns?: string;
  /** Variables for dns-01 hooks at this CA (the sandbox's CERTDECK_CHALLTESTSRV_URL). */
  hookEnv?: Record<string, string>;
  clock: Clock;
}

/** Where a CA's validator connects: the sandbox says (loopback ports); a public CA uses 80 and 443 on every address. */
export function solverDefaultsFor(ca: ResolvedCa, clock: Clock): SolverDefaults {
  return {
    host: ca.httpPort !== undefined ? '127.0.0.1' : '::',
    port: ca.httpPort ?? 80,
    tlsAlpnPort: ca.tlsAlpnPort ?? 443,
    clock,
    ...(ca.dnsPort !== undefined ? { caDns: `127.0.0.1:${ca.dnsPort}` } : {}),
    hookEnv: hookEnvFor(ca),
  };
}

/**
 * Concurrent orders share one listener per address (a port can only be bound once): the standalone HTTP-01 server
 * and the TLS-ALPN-01 responder close when the last order using them lets go. dns-01 solvers hold nothing and are
 * made per order.
 */
export class SolverPool {
  private readonly entries = new Map<string, { solver: Promise<ChallengeSolver>; users: number }>();

  /** `shared`: HTTP-01 answers published to (and looked up in) a fleet's storage. */
  constructor(private readonly shared?: SharedAnswers) {}

  async acquire(config: ChallengeConfig, defaults: SolverDefaults): Promise<{ solver: ChallengeSolver; release: () => Promise<void> }> {
    if (config.method === 'dns-01') {
      const solver = new Dns01Solver(dnsHooks(config, defaults.clock, defaults.hookEnv), propagationOptions(config, defaults.caDns));
      return { solver, release: async () => undefined };
    }
    const [key, open] = this.opener(config, defaults);
    let entry = this.entries.get(key);
    if (!entry) {
      const solver = open();
      entry = { solver, users: 0 };
      this.entries.set(key, entry);
      solver.catch(() => this.entries.delete(key));
    }
    entry.users += 1;
    const current = entry;
    let solver: ChallengeSolver;
    try {
      solver = await current.solver;
    } catch (err) {
      current.users -= 1;
      throw err;
    }
    let released = false;
    return {
      solver,
      release: async () => {
        if (released) return;
        released = true;
        current.users -= 1;
        if (current.users === 0 && this.entries.get(key) === current) {
          this.entries.delete(key);
          await solver.close();
        }
      },
    };
  }

  private opener(config: Exclude<ChallengeConfig, { method: 'dns-01' }>, defaults: SolverDefaults): [string, () => Promise<ChallengeSolver>] {
    switch (config.method) {
      case 'http-01-webroot':
        return [`webroot:${config.webroot}`, async () => new Http01ChallengeSolver(await WebrootHttp01.open(config.webroot))];
      case 'http-01-standalone': {
        const host = config.host ?? defaults.host;
        const port = config.port ?? defaults.port;
        return [`standalone:${host}:${port}`, async () => new Http01ChallengeSolver(await StandaloneHttp01.listen(host, port, this.shared))];
      }
      case 'tls-alpn-01': {
        const host = config.host ?? defaults.host;
        const port = config.port ?? defaults.tlsAlpnPort;
        // Loaded for a tls-alpn-01 order only: it brings node-forge, which no other order needs.
        return [`tls-alpn:${host}:${port}`, async (): Promise<TlsAlpn01Responder> => (await import('./tls-alpn01.js')).TlsAlpn01Responder.listen(host, port)];
      }
    }
  }
}
