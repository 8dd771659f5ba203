import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CLI } from '../support/cli.js';
import { oldNode } from '../support/old-node.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '..', '..');

describe('the bin checks the Node version before loading anything', () => {
  it('needs the Node major package.json "engines" names', async () => {
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { engines: { node: string } };
    const source = await readFile(path.join(repo, 'src', 'cli.ts'), 'utf8');
    assert.equal(pkg.engines.node, `>=${/const MIN_NODE_MAJOR = (\d+);/.exec(source)?.[1]}`);
  });

  it('under /usr/bin/node (older): one line naming the Node needed and the one found, exit 1, no stack trace', { skip: oldNode() ? false : 'no Node older than 22 at /usr/bin/node' }, async () => {
    const found = (await run('/usr/bin/node', ['--version'])).stdout.trim();
    for (const args of [['--version'], ['list'], []]) {
      const r = await run('/usr/bin/node', [CLI, ...args]).then(
        () => assert.fail('certdeck ran under an old Node'),
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(`certdeck needs Node.js 22 or newer, but this is Node.js ${found} (/usr/bin/node)`), r.stderr);
    }
  });

  it('--version shows the version and the Node it runs on', async () => {
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await run(process.execPath, [CLI, flag]);
      assert.equal(r.stdout, `certdeck ${pkg.version} (node ${process.version})\n`);
    }
    // Through commander too (an option before it takes the long path).
    const r = await run(process.execPath, [CLI, '--no-tui', '--version']);
    assert.equal(r.stdout, `certdeck ${pkg.version} (node ${process.version})\n`);
  });
});
