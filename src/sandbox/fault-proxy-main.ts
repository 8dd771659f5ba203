/**
 * Entry point of the detached fault-proxy process that `certdeck sandbox start --fault ...` leaves running:
 * `node fault-proxy-main.js --config <sandboxDir>/fault-proxy.json`. It runs until SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { startFaultProxy } from './fault-proxy.js';
import { readProxyConfig } from './proxy-config.js';

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--config');
  const configPath = at >= 0 ? argv[at + 1] : undefined;
  if (!configPath) throw new Error('usage: fault-proxy-main --config <fault-proxy.json>');
  const config = readProxyConfig(configPath);
  const proxy = await startFaultProxy({
    upstream: config.upstream,
    tls: {
      certPem: readFileSync(config.certPath, 'utf8'),
      keyPem: readFileSync(config.keyPath, 'utf8'),
      caPem: readFileSync(config.caPath, 'utf8'),
    },
    listenPort: config.listenPort,
    controlPort: config.controlPort,
    scenario: config.scenario,
  });
  process.stdout.write(`fault proxy for ${config.upstream} listening on ${proxy.url}, control ${proxy.controlUrl}\n`);
  const shutdown = (): void => {
    proxy.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`fault proxy failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
