import path from 'node:path';
import { writeFileAtomic } from '../engine/store/atomic.js';
import type { SandboxPki } from './pki.js';

export interface PebbleInstance {
  /** Catalog id: "sandbox" or "sandbox-b". */
  id: string;
  listenPort: number;
  managementPort: number;
}

/**
 * Writes one Pebble's config file (keys as Pebble 2.4 reads them: its `pebble` object). Both instances validate
 * HTTP-01 on the same port, where certdeck's challenge server listens, whichever CA it is talking to.
 */
export async function writePebbleConfig(
  dir: string,
  instance: PebbleInstance,
  pki: SandboxPki,
  validationPorts: { http01: number; tlsAlpn01: number },
): Promise<string> {
  const file = path.join(dir, `pebble-${instance.id}.json`);
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${instance.listenPort}`,
      managementListenAddress: `127.0.0.1:${instance.managementPort}`,
      certificate: pki.serverCertPath,
      privateKey: pki.serverKeyPath,
      httpPort: validationPorts.http01,
      tlsPort: validationPorts.tlsAlpn01,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  };
  await writeFileAtomic(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o644, dirMode: 0o755 });
  return file;
}
