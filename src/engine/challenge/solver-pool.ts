import type { ChallengeConfig } from '../api.js';
import type { Http01Solver } from './solver.js';
import { StandaloneHttp01 } from './standalone.js';
import { WebrootHttp01 } from './webroot.js';

/**
 * Concurrent orders share one standalone server per address (a port can only be bound once); the server
 * closes when the last order using it lets go.
 */
export class SolverPool {
  private readonly entries = new Map<string, { solver: Promise<Http01Solver>; users: number }>();

  async acquire(config: ChallengeConfig, defaults: { host: string; port: number }): Promise<{ solver: Http01Solver; release: () => Promise<void> }> {
    const key =
      config.method === 'http-01-webroot'
        ? `webroot:${config.webroot}`
        : `standalone:${config.host ?? defaults.host}:${config.port ?? defaults.port}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const solver =
        config.method === 'http-01-webroot'
          ? WebrootHttp01.open(config.webroot)
          : StandaloneHttp01.listen(config.host ?? defaults.host, config.port ?? defaults.port);
      entry = { solver, users: 0 };
      this.entries.set(key, entry);
      solver.catch(() => this.entries.delete(key));
    }
    entry.users += 1;
    const current = entry;
    let solver: Http01Solver;
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
}
