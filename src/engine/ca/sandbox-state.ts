import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The file `certdeck sandbox start` writes (`<sandboxDir>/state.json`) and `--ca sandbox` reads. It is the only
 * thing the engine knows about the sandbox: the sandbox's processes are managed in src/sandbox/.
 */
export interface SandboxCaState {
  /** Catalog id this CA answers to: "sandbox" (behind the fault proxy when one runs) or "sandbox-b". */
  id: string;
  name: string;
  /** What clients should use: the fault proxy's URL when one is in front of Pebble. */
  directoryUrl: string;
  /** Pebble's own directory, bypassing any proxy. */
  pebbleDirectoryUrl: string;
  /** Pebble's management API (roots, intermediates). */
  managementUrl: string;
  faultProxy?: { controlUrl: string; scenario: string };
}

export interface SandboxState {
  version: 1;
  startedAt: string;
  /** PEM of the root that signs the HTTPS listeners of Pebble and the proxy: trust it for these CAs only. */
  caBundlePath: string;
  /** Port Pebble's validator connects to for HTTP-01: certdeck's challenge server must listen there. */
  httpPort: number;
  /** Port Pebble's validator connects to for TLS-ALPN-01 (absent in state files of older versions). */
  tlsAlpnPort?: number;
  /** pebble-challtestsrv's DNS port (every name resolves to 127.0.0.1). */
  dnsPort: number;
  /** pebble-challtestsrv's management API (set TXT records for dns-01). */
  challtestsrvUrl: string;
  cas: SandboxCaState[];
  pids: number[];
}

export function sandboxStatePath(sandboxDir: string): string {
  return path.join(sandboxDir, 'state.json');
}

/** Reads the state file; undefined when no sandbox was started. Does not check that the processes live. */
export function readSandboxState(sandboxDir: string): SandboxState | undefined {
  let text: string;
  try {
    text = readFileSync(sandboxStatePath(sandboxDir), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as SandboxState;
  return parsed.version === 1 ? parsed : undefined;
}
