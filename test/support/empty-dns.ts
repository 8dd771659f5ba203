import { spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { findFreePort } from '../../src/sandbox/ports.js';

/**
 * A second pebble-challtestsrv on free loopback ports that knows none of the sandbox's TXT records: what a lagging
 * or wrong resolver answers (dns-01 propagation that never finishes), or a DNS of a test's own through its
 * management API (`/set-txt`). stop() kills it.
 */
export async function startEmptyDns(): Promise<{ port: number; managementUrl: string; stop: () => void }> {
  const port = await findFreePort();
  const mgmt = await findFreePort();
  const child = spawn('pebble-challtestsrv', ['-dns01', `127.0.0.1:${port}`, '-management', `127.0.0.1:${mgmt}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-defaultIPv6', ''], { stdio: 'ignore' });
  const stop = (): void => void child.kill('SIGKILL');
  process.once('exit', stop);
  for (let i = 0; i < 100; i++) {
    const r = new Resolver({ timeout: 200, tries: 1 });
    r.setServers([`127.0.0.1:${port}`]);
    if (await r.resolve4('probe.test').then(() => true, () => false)) return { port, managementUrl: `http://127.0.0.1:${mgmt}`, stop };
    await new Promise((res) => setTimeout(res, 50));
  }
  stop();
  throw new Error(`pebble-challtestsrv did not answer on 127.0.0.1:${port}`);
}
