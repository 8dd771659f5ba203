import path from 'node:path';
import { packageRoot } from '../engine/core/package-root.js';

/** The dns-01 hook shipped for the sandbox: publishes TXT records through pebble-challtestsrv's management API. */
export function sandboxDnsHookPath(): string {
  return path.join(packageRoot(), 'assets', 'hooks', 'challtestsrv-dns-hook');
}

/** The ready-to-run wildcard example `certdeck sandbox start` prints (shell-quoted for copy and paste). */
export function sandboxDnsExample(): string {
  return `certdeck issue --ca sandbox --challenge dns-01 --dns-hook '${sandboxDnsHookPath()}' '*.example.test' example.test`;
}
