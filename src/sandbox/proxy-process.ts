import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../engine/core/package-root.js';
import { writeFileAtomic } from '../engine/store/atomic.js';
import { spawnLogged, type SandboxProcess } from './processes.js';
import type { ProxyConfig } from './proxy-config.js';

/**
 * How to run fault-proxy-main with the node that runs us: the built dist/sandbox/fault-proxy-main.js normally, or
 * the .ts source through tsx when we ourselves run from source (tests, `tsx src/cli.ts`).
 */
export function proxyEntryCommand(): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (path.extname(here) === '.ts') {
    return { command: process.execPath, args: ['--import', import.meta.resolve('tsx'), path.join(path.dirname(here), 'fault-proxy-main.ts')] };
  }
  return { command: process.execPath, args: [path.join(packageRoot(), 'dist', 'sandbox', 'fault-proxy-main.js')] };
}

/** Writes the proxy's config next to the other sandbox files and starts the proxy as its own process. */
export async function spawnProxyProcess(opts: {
  dir: string;
  config: ProxyConfig;
  env: NodeJS.ProcessEnv;
  logPath: string;
  detached: boolean;
}): Promise<SandboxProcess> {
  const configPath = path.join(opts.dir, 'fault-proxy.json');
  await writeFileAtomic(configPath, JSON.stringify(opts.config, null, 2) + '\n', { mode: 0o644, dirMode: 0o755 });
  const { command, args } = proxyEntryCommand();
  return spawnLogged({
    name: 'fault proxy',
    command,
    args: [...args, '--config', configPath],
    env: opts.env,
    logPath: opts.logPath,
    detached: opts.detached,
  });
}
