#!/usr/bin/env node
// Checks the Node binary the project runs on (node_modules/.bin/node) before anything runs on it.
//
// Why: the `node` devDependency downloads its binary from an install script (`npm install --no-save
// node-<platform>-<arch>`), which no lockfile pins. For linux-x64 the binary package is also an exact dev
// dependency, so package-lock.json holds its sha512 integrity and npm checks the tarball against it. This script
// makes sure the binary that runs is that checked one: .bin/node must resolve into the pinned package (or be
// byte-identical to it), and the pinned package must be the version and integrity the lockfile records.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const platformPkg = `node-${process.platform}-${process.arch}`;
const entry = lock.packages?.[`node_modules/${platformPkg}`];
const fail = (msg) => {
  process.stderr.write(`check-node-runtime: ${msg}\n`);
  process.exit(1);
};

if (!entry) {
  process.stdout.write(`check-node-runtime: no pinned ${platformPkg} in package-lock.json; the runtime on this platform is not integrity-checked (only linux-x64 is pinned).\n`);
  process.exit(0);
}
const wanted = pkg.devDependencies?.node;
if (entry.version !== wanted) fail(`${platformPkg} is pinned at ${entry.version} but the node devDependency is ${wanted}; pin both to the same version.`);
if (!/^sha512-/.test(entry.integrity ?? '')) fail(`${platformPkg} has no sha512 integrity in package-lock.json.`);

const pinnedDir = path.join(root, 'node_modules', platformPkg);
const installed = JSON.parse(readFileSync(path.join(pinnedDir, 'package.json'), 'utf8'));
if (installed.version !== entry.version) fail(`node_modules/${platformPkg} is ${installed.version}, the lockfile pins ${entry.version}; run npm ci.`);

const pinnedBin = realpathSync(path.join(pinnedDir, 'bin', 'node'));
const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const pinnedSha = sha(pinnedBin);
for (const candidate of [path.join(root, 'node_modules', '.bin', 'node'), path.join(root, 'node_modules', 'node', 'bin', 'node')]) {
  if (!existsSync(candidate)) continue;
  const real = realpathSync(candidate);
  if (real !== pinnedBin && sha(real) !== pinnedSha) {
    fail(`${path.relative(root, candidate)} (${real}) is not the integrity-checked ${platformPkg}@${entry.version} binary (sha256 differs); remove node_modules and run npm ci.`);
  }
}
process.stdout.write(`check-node-runtime: ${platformPkg}@${entry.version} (lockfile ${entry.integrity.slice(0, 22)}…), binary sha256 ${pinnedSha.slice(0, 16)}…: ok\n`);
