/**
 * A real local ACME CA for tests: two Pebbles ("sandbox", "sandbox-b") and pebble-challtestsrv on random free
 * loopback ports, in a temp certdeck home, started as children of the test process (never left behind: stop() ends
 * them, and so does the test process exiting).
 *
 *   const sb = await startTestSandbox({ fault: 'hang-processing:2' });
 *   try {
 *     // CERTDECK_HOME=sb.home makes `--ca sandbox` resolve to sb.directoryUrl('sandbox') (the proxy here)
 *     // an HTTP-01 server must listen on 127.0.0.1:sb.httpPort
 *   } finally {
 *     await sb.stop();
 *   }
 *
 * or `await withSandbox({}, async (sb) => { ... })`. Use `pebbleAvailable()` to skip when pebble is missing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SandboxCaState, SandboxState } from '../../src/engine/ca/sandbox-state.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { findOnPath } from '../../src/sandbox/binaries.js';
import type { FaultProxy, FaultScenario } from '../../src/sandbox/fault-proxy.js';
import { simpleRequest } from '../../src/sandbox/https-request.js';
import { findFreeSandboxPorts } from '../../src/sandbox/ports.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { systemPackagesSkip } from './system-packages.js';

export interface TestSandboxOptions {
  /** Put the in-process fault proxy in front of "sandbox": a scenario or a `--fault` string ("none": proxy only). */
  fault?: FaultScenario | string;
  /** PEBBLE_WFE_NONCEREJECT. @default Pebble's own 5% (acme-client retries badNonce itself) */
  nonceRejectPercent?: number;
  /** PEBBLE_AUTHZREUSE. @default Pebble's own 50% */
  authzReusePercent?: number;
  /**
   * PEBBLE_ALTERNATE_ROOTS: extra chains (root `/roots/N`, intermediate `/intermediates/N` on the management URL)
   * offered as `Link: rel="alternate"` next to every certificate. @default Pebble's own 0
   */
  alternateRoots?: number;
  /** Progress lines of the sandbox start. @default silent */
  log?: (line: string) => void;
}

export interface TestSandbox {
  /** A fresh certdeck home (CERTDECK_HOME); its sandbox/state.json describes this sandbox. Removed by stop(). */
  home: string;
  /** `<home>/sandbox`. */
  dir: string;
  state: SandboxState;
  /** PEM of the root behind the HTTPS listeners (state.caBundlePath): trust it for these CAs only. */
  caBundlePem: string;
  /** Pebble validates HTTP-01 by connecting to 127.0.0.1 on this port. */
  httpPort: number;
  ca(id?: 'sandbox' | 'sandbox-b'): SandboxCaState;
  /** What clients should use: the fault proxy for "sandbox" when one runs. */
  directoryUrl(id?: 'sandbox' | 'sandbox-b'): string;
  /** The root that signs the certificates this Pebble issues (`<managementUrl>/roots/0`; new on every start). */
  pebbleRootPem(id?: 'sandbox' | 'sandbox-b'): Promise<string>;
  /** The in-process fault proxy (present when `fault` was given): setScenario(), log(), clearLog(). */
  proxy?: FaultProxy;
  /** Stops every process and removes the temp home. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Whether pebble and pebble-challtestsrv are installed (tests `skip` otherwise). Never silently: a missing Pebble is
 * said on stderr with the install line, and in CI (CI=true) it fails the test file (support/system-packages.ts).
 */
export function pebbleAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (findOnPath('pebble', env.PATH ?? '') && findOnPath('pebble-challtestsrv', env.PATH ?? '')) return true;
  systemPackagesSkip(['pebble'], { ...env, PATH: env.PATH ?? '' });
  return false;
}

export async function startTestSandbox(opts: TestSandboxOptions = {}): Promise<TestSandbox> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'certdeck-sandbox-'));
  const dir = pathsUnder(home).sandboxDir;
  try {
    const running = await startSandbox({
      dir,
      ports: await findFreeSandboxPorts(),
      detached: false,
      ...(opts.fault !== undefined ? { fault: opts.fault } : {}),
      ...(opts.nonceRejectPercent !== undefined ? { nonceRejectPercent: opts.nonceRejectPercent } : {}),
      ...(opts.authzReusePercent !== undefined ? { authzReusePercent: opts.authzReusePercent } : {}),
      ...(opts.alternateRoots !== undefined ? { alternateRoots: opts.alternateRoots } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    const caBundlePem = await readFile(running.state.caBundlePath, 'utf8');
    const ca = (id: 'sandbox' | 'sandbox-b' = 'sandbox'): SandboxCaState => {
      const found = running.state.cas.find((c) => c.id === id);
      if (!found) throw new Error(`no CA "${id}" in the sandbox state`);
      return found;
    };
    let stopped: Promise<void> | undefined;
    return {
      home,
      dir,
      state: running.state,
      caBundlePem,
      httpPort: running.state.httpPort,
      ca,
      directoryUrl: (id) => ca(id).directoryUrl,
      async pebbleRootPem(id) {
        const res = await simpleRequest(`${ca(id).managementUrl}/roots/0`, { ca: caBundlePem });
        if (res.status !== 200) throw new Error(`${ca(id).managementUrl}/roots/0 answered ${res.status}`);
        return res.body;
      },
      ...(running.proxy ? { proxy: running.proxy } : {}),
      stop() {
        stopped ??= running.stop().finally(() => rm(home, { recursive: true, force: true }));
        return stopped;
      },
    };
  } catch (err) {
    await rm(home, { recursive: true, force: true });
    throw err;
  }
}

/** Runs `fn` with a started sandbox and always stops it afterwards. */
export async function withSandbox<T>(opts: TestSandboxOptions, fn: (sandbox: TestSandbox) => Promise<T>): Promise<T> {
  const sandbox = await startTestSandbox(opts);
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.stop();
  }
}
