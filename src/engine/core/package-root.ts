import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory that holds certdeck's package.json and assets/. This module runs from src/app/ (tests, tsx) or from
 * wherever the bundler put it under dist/ (a chunk, the CLI entry), so the root is found by walking up, not by a
 * fixed number of `..`.
 */
export function packageRoot(from: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(from));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'certdeck') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`certdeck's package.json was not found above ${fileURLToPath(from)}: the installation is incomplete.`);
    dir = parent;
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
