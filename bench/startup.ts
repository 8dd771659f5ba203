import { readFile } from 'node:fs/promises';
import { CERTDECK_CLI } from './client-certdeck.js';
import { median } from './stats.js';
import { BenchRunError, childEnv, expectSuccess, runTimed } from './timed-process.js';

export interface StartupTimes {
  /** `node dist/cli.js --version`, one wall time per run. */
  certdeckMs: number[];
  /** `node -e 0`: what node itself costs to start, for reference. */
  bareNodeMs: number[];
  certdeckMedianMs: number;
  bareNodeMedianMs: number;
}

/**
 * (d) Start-up: `certdeck --version` with the pinned node (this process's own), against a bare `node -e 0`.
 * The two alternate so that a burst of load on the machine hits both alike; the first two of each warm the
 * file cache and are not counted.
 */
export async function measureStartup(runs: number, signal: AbortSignal): Promise<StartupTimes> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const env = childEnv({});
  const certdeckMs: number[] = [];
  const bareNodeMs: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const version = await runTimed(process.execPath, [CERTDECK_CLI, '--version'], { env, signal, timeoutMs: 10_000 });
    expectSuccess(version, 'certdeck --version');
    // "certdeck 0.1.0 (node v24.21.0)"
    if (!version.stdout.startsWith(`certdeck ${pkg.version} (node `)) {
      throw new BenchRunError(`certdeck --version printed ${JSON.stringify(version.stdout.trim())}, not certdeck ${pkg.version} (node ...)`, version);
    }
    const bare = await runTimed(process.execPath, ['-e', '0'], { env, signal, timeoutMs: 10_000 });
    expectSuccess(bare, 'node -e 0');
    if (i >= 2) {
      certdeckMs.push(version.ms);
      bareNodeMs.push(bare.ms);
    }
  }
  return { certdeckMs, bareNodeMs, certdeckMedianMs: median(certdeckMs), bareNodeMedianMs: median(bareNodeMs) };
}
