import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./react-build-child.ts', import.meta.url));

/** Runs the TUI once in a fresh process: which React builds it loaded, and NODE_ENV after. */
async function runTuiOnce(nodeEnv: string | undefined): Promise<{ code: number; builds: string[]; nodeEnv: string | null }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (nodeEnv === undefined) delete env.NODE_ENV;
  else env.NODE_ENV = nodeEnv;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD], { env, timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { code: number; builds: string[]; nodeEnv: string | null };
}

test('the TUI runs on the production builds of React, its reconciler and JSX runtime, and leaves NODE_ENV unset', async () => {
  const { code, builds, nodeEnv } = await runTuiOnce(undefined);
  assert.equal(code, 0);
  assert.ok(builds.some((b) => b.startsWith('react-reconciler:')), `builds loaded: ${builds.join(', ')}`);
  assert.deepEqual(builds.filter((b) => b.endsWith(':development')), [], `builds loaded: ${builds.join(', ')}`);
  assert.equal(nodeEnv, null, 'deploy hooks and other children inherit the environment the operator gave');
});

test('an explicit NODE_ENV=development is respected', async () => {
  const { builds, nodeEnv } = await runTuiOnce('development');
  assert.ok(builds.includes('react-reconciler:development'), `builds loaded: ${builds.join(', ')}`);
  assert.deepEqual(builds.filter((b) => b.endsWith(':production')), []);
  assert.equal(nodeEnv, 'development');
});
