import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Whether /usr/bin/node is a Node older than certdeck needs (Debian 12's v20 on the CI machine). */
export function oldNode(): boolean {
  if (!existsSync('/usr/bin/node')) return false;
  return Number(execFileSync('/usr/bin/node', ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim()) < 22;
}
