import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { runSandboxCommand, type SandboxAction, type SandboxCommandOptions } from '../../src/commands/sandbox.js';
import { systemClock } from '../../src/engine/core/clock.js';
import { readSandboxState } from '../../src/engine/ca/sandbox-state.js';
import { simpleRequest } from '../../src/sandbox/https-request.js';
import { isPortFree, PORT_ROLES } from '../../src/sandbox/ports.js';
import { isAlive, terminate } from '../../src/sandbox/processes.js';
import { stopSandbox } from '../../src/sandbox/sandbox.js';
import { pebbleAvailable } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';

async function run(action: SandboxAction, opts: SandboxCommandOptions, env: NodeJS.ProcessEnv) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await runSandboxCommand(action, opts, { stdout, stderr, env });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const commandScript = fileURLToPath(new URL('./fixtures/sandbox-command.ts', import.meta.url));

function runInChild(action: SandboxAction, opts: SandboxCommandOptions, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), commandScript, action, JSON.stringify(opts)],
      { env: { ...env, NODE_TEST_CONTEXT: undefined }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** A base with PORT_ROLES.length consecutive free loopback ports, for --port-base. */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the ephemeral range (32768+), where outgoing connections of parallel tests can't take a port.
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await Promise.all(PORT_ROLES.map((_, i) => isPortFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}

function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe('certdeck sandbox start|status|stop (detached)', { skip }, () => {
  const homes: string[] = [];
  const newHome = async (): Promise<string> => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'certdeck-cli-'));
    homes.push(home);
    return home;
  };
  after(async () => {
    // Whatever a failed assertion left running is stopped here.
    for (const home of homes) {
      const dir = path.join(home, 'sandbox');
      const state = readSandboxState(dir);
      await stopSandbox(dir).catch(() => undefined);
      if (state) await terminate(state.pids, systemClock);
      await rm(home, { recursive: true, force: true });
    }
  });

  it('starts processes that outlive the command, reports them, and stops them', async () => {
    const home = await newHome();
    const env = { ...process.env, CERTDECK_HOME: home };
    const base = await freePortBase();

    // A process of its own that exits once the sandbox is up, as the real CLI does.
    const started = await runInChild('start', { portBase: String(base), fault: 'unavailable:directory:1:2', nonceReject: '0' }, env);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /sandbox: running/);
    assert.match(started.stdout, new RegExp(`sandbox +https://127\\.0\\.0\\.1:${base + 8}/dir`));
    assert.match(started.stdout, /fault proxy: unavailable:directory:1:2/);

    const state = readSandboxState(path.join(home, 'sandbox'))!;
    assert.equal(state.pids.length, 4, 'challtestsrv, two pebbles, the proxy process');
    assert.equal(state.httpPort, base + 6);
    for (const pid of state.pids) {
      assert.ok(isAlive(pid));
      assert.equal(processGroupOf(pid), pid, 'detached: its own process group, so a Ctrl+C of the CLI spares it');
    }
    const proxied = state.cas.find((c) => c.id === 'sandbox')!;
    assert.equal(proxied.directoryUrl, `https://127.0.0.1:${base + 8}/dir`);
    assert.equal(proxied.faultProxy?.controlUrl, `http://127.0.0.1:${base + 9}`);
    const ca = readFileSync(state.caBundlePath, 'utf8');
    // The one-shot fault is still there for the first client: start-up did not use it up.
    const first = await simpleRequest(proxied.directoryUrl, { ca });
    assert.equal(first.status, 503);
    assert.equal(first.headers['retry-after'], '2');
    const dir = await simpleRequest(proxied.directoryUrl, { ca });
    assert.equal(dir.status, 200);
    assert.match(dir.body, new RegExp(`https://127\\.0\\.0\\.1:${base + 8}/order-plz`));
    const scenario = await simpleRequest(`${proxied.faultProxy!.controlUrl}/scenario`);
    assert.equal((JSON.parse(scenario.body) as { rules: Array<{ kind: string }> }).rules[0]?.kind, 'unavailable');
    const log = JSON.parse((await simpleRequest(`${proxied.faultProxy!.controlUrl}/log`)).body) as Array<{ fault?: string }>;
    assert.deepEqual(log.map((e) => e.fault), ['unavailable', undefined]);

    const again = await run('start', {}, env);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /already running/);
    assert.deepEqual(readSandboxState(path.join(home, 'sandbox')), state, 'nothing restarted');

    const status = await run('status', { json: true }, env);
    assert.equal(status.code, 0);
    assert.deepEqual(JSON.parse(status.stdout), { running: true, state });

    // One process dies: status says which, and start brings the whole sandbox back.
    const proxyPid = state.pids[3]!;
    process.kill(proxyPid, 'SIGKILL');
    // Not terminate(): a process in the middle of exiting has an empty cmdline, so terminate() would skip it
    // and return before it is gone. Wait on the pid itself.
    for (let waited = 0; isAlive(proxyPid) && waited < 5000; waited += 25) await systemClock.sleep(25);
    assert.equal(isAlive(proxyPid), false, 'the killed proxy is gone');
    const broken = await run('status', {}, env);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, new RegExp(`NOT running: processes ${proxyPid} are gone`));
    // Same ports if still free; a suite running in parallel picks random ports from the same range and may have
    // taken one of ours while this sandbox was down (what is tested here is the restart, not the port numbers).
    const baseFree = (await Promise.all(PORT_ROLES.map((_, i) => isPortFree(base + i)))).every(Boolean);
    const restarted = await run('start', { portBase: String(baseFree ? base : await freePortBase()), fault: 'none' }, env);
    assert.equal(restarted.code, 0, restarted.stderr);
    const restartedState = readSandboxState(path.join(home, 'sandbox'))!;
    assert.notDeepEqual(restartedState.pids, state.pids);
    assert.deepEqual(state.pids.filter(isAlive), [], 'the survivors of the old sandbox were stopped');

    const stopped = await run('stop', {}, env);
    assert.equal(stopped.code, 0);
    assert.match(stopped.stdout, /sandbox stopped/);
    assert.deepEqual(restartedState.pids.filter(isAlive), []);

    const after = await run('status', {}, env);
    assert.equal(after.code, 1);
    assert.match(after.stdout, /no sandbox is running/);
    assert.equal((await run('stop', { json: true }, env)).stdout.trim(), '{"stopped":false}');
  });

  it('explains a missing pebble with exit code 2', async () => {
    const home = await newHome();
    await mkdir(path.join(home, 'empty-bin'));
    const result = await run('start', {}, { CERTDECK_HOME: home, PATH: path.join(home, 'empty-bin') });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: pebble is not installed: apt-get install pebble$/m);
  });

  it('rejects bad flags before starting anything', async () => {
    const home = await newHome();
    const env = { ...process.env, CERTDECK_HOME: home };
    const badFault = await run('start', { fault: 'rate-limit:orders' }, env);
    assert.equal(badFault.code, 2);
    assert.match(badFault.stderr, /RESOURCE "orders" is not one of/);
    const badBase = await run('start', { portBase: '65530' }, env);
    assert.equal(badBase.code, 2);
    assert.match(badBase.stderr, /--port-base 65530 is not usable/);
    const badPercent = await run('start', { nonceReject: 'lots' }, env);
    assert.equal(badPercent.code, 2);
    assert.match(badPercent.stderr, /--nonce-reject expects a whole number/);
    assert.equal(readSandboxState(path.join(home, 'sandbox')), undefined);
  });
});
