import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A real redis-server for a test: Debian's, on a free loopback port, nothing persisted, a child of the test process
 * (stopped by `stop`, and killed with the test process at worst).
 */
export interface RedisServer {
  port: number;
  url: string;
  /** Stops it (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
  /** Stops and starts it again on the same port (without persistDir everything in it is lost). */
  restart(): Promise<void>;
}

/** `persistDir`: an append-only file there (fsync always), so a restart keeps the data as a real deployment would. */
export async function startRedis(opts: { persistDir?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const persist = opts.persistDir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', opts.persistDir] : ['--appendonly', 'no'];
  let child = await launch(port, persist);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    stop,
    async restart() {
      await stop();
      child = await launch(port, persist);
    },
  };
}

async function launch(port: number, persist: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--save', '', ...persist, '--port', String(port), '--bind', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve();
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
    child.once('error', reject);
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
