import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { readSandboxState } from '../../src/engine/ca/sandbox-state.js';
import { systemClock } from '../../src/engine/core/clock.js';
import { ConfigError } from '../../src/engine/core/errors.js';
import { simpleRequest } from '../../src/sandbox/https-request.js';
import { findFreeSandboxPorts } from '../../src/sandbox/ports.js';
import { isAlive, terminate } from '../../src/sandbox/processes.js';
import { sandboxStatus, startSandbox, stopSandbox } from '../../src/sandbox/sandbox.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const execFileAsync = promisify(execFile);
const skip = pebbleAvailable() ? false : 'pebble is not installed';

describe('sandbox (real Pebble)', { skip }, () => {
  let sb: TestSandbox;
  before(async () => {
    sb = await startTestSandbox();
  });
  after(async () => {
    await sb?.stop();
  });

  it('serves both directories over TLS trusted through the CA bundle alone', async () => {
    for (const id of ['sandbox', 'sandbox-b'] as const) {
      const res = await simpleRequest(sb.directoryUrl(id), { ca: sb.caBundlePem });
      assert.equal(res.status, 200);
      const directory = JSON.parse(res.body) as Record<string, string>;
      assert.equal(new URL(directory.newOrder!).origin, new URL(sb.directoryUrl(id)).origin);
    }
  });

  it('is not trusted without the CA bundle', async () => {
    await assert.rejects(simpleRequest(sb.directoryUrl('sandbox')), (err: NodeJS.ErrnoException) => {
      assert.match(err.code ?? err.message, /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
      return true;
    });
  });

  it('writes state.json with both CAs, no proxy, and the processes that serve them', async () => {
    const state = readSandboxState(sb.dir);
    assert.deepEqual(state, sb.state);
    assert.equal(state!.version, 1);
    assert.equal(state!.cas.length, 2);
    for (const ca of state!.cas) {
      assert.equal(ca.directoryUrl, ca.pebbleDirectoryUrl);
      assert.equal(ca.faultProxy, undefined);
      assert.match(ca.directoryUrl, /^https:\/\/127\.0\.0\.1:\d+\/dir$/);
    }
    assert.notEqual(state!.cas[0]!.directoryUrl, state!.cas[1]!.directoryUrl);
    assert.equal(state!.caBundlePath, path.join(sb.dir, 'tls', 'root.pem'));
    assert.equal(state!.pids.length, 3);
    assert.ok(state!.pids.every(isAlive));
    assert.deepEqual(await sandboxStatus(sb.dir), { state, alive: true });
  });

  it("gives each Pebble's own issuing root through the management API", async () => {
    const [a, b] = await Promise.all([sb.pebbleRootPem('sandbox'), sb.pebbleRootPem('sandbox-b')]);
    assert.match(new X509Certificate(a).subject, /Pebble Root CA/);
    assert.notEqual(a, b, 'two independent CAs');
  });

  it('answers DNS for any name with 127.0.0.1 only', async () => {
    const { Resolver } = await import('node:dns/promises');
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${sb.state.dnsPort}`]);
    assert.deepEqual(await resolver.resolve4('anything.example.test'), ['127.0.0.1']);
    await assert.rejects(resolver.resolve6('anything.example.test'));
  });

  it('refuses to start a second sandbox in the same directory', async () => {
    await assert.rejects(
      startSandbox({ dir: sb.dir, ports: await findFreeSandboxPorts(), detached: false }),
      (err: unknown) => err instanceof ConfigError && err.code === 'sandbox-running',
    );
  });
});

describe('sandbox start and stop', { skip }, () => {
  const homes: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-sandbox-test-'));
    homes.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of homes) {
      await stopSandbox(dir).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stop ends every process and removes state.json', async () => {
    const dir = await tempDir();
    const running = await startSandbox({ dir, ports: await findFreeSandboxPorts(), detached: false, nonceRejectPercent: 0 });
    const pids = running.state.pids;
    assert.equal(await stopSandbox(dir), true);
    assert.deepEqual(pids.filter(isAlive), []);
    assert.equal(existsSync(path.join(dir, 'state.json')), false);
    assert.equal(await stopSandbox(dir), false, 'nothing left to stop');
    await running.stop(); // the handle's own stop after the fact is harmless
    const log = await readFile(path.join(dir, 'logs', 'pebble-sandbox.log'), 'utf8');
    assert.match(log, /reject 0% of good nonces/, 'the option reached Pebble');
  });

  it('takes its processes down with the test process, even without stop()', async () => {
    const dir = await tempDir();
    const script = fileURLToPath(new URL('./fixtures/abandon-sandbox.ts', import.meta.url));
    const { stdout } = await execFileAsync(process.execPath, ['--import', import.meta.resolve('tsx'), script, dir], {
      env: { ...process.env, NODE_TEST_CONTEXT: undefined },
      timeout: 30_000,
    });
    const pids = JSON.parse(stdout) as number[];
    assert.equal(pids.length, 3);
    assert.deepEqual(await terminate(pids, systemClock, 2000), [], 'already gone: nothing to terminate');
    assert.deepEqual(pids.filter(isAlive), []);
  });

  it('names the busy port and how to choose others', async () => {
    const ports = await findFreeSandboxPorts();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.pebbleB, '127.0.0.1', resolve));
    try {
      await assert.rejects(startSandbox({ dir: await tempDir(), ports, detached: false }), (err: Error & { hint?: string }) => {
        assert.match(err.message, new RegExp(`Port ${ports.pebbleB} on 127.0.0.1 \\(sandbox-b ACME listener\\) is already in use`));
        assert.match(err.hint ?? '', /--port-base N/);
        return true;
      });
    } finally {
      blocker.close();
    }
  });

  it('says how to install pebble when it is missing, before touching anything', async () => {
    const emptyBin = await tempDir();
    const dir = path.join(await tempDir(), 'sandbox');
    await mkdir(path.join(emptyBin, 'bin'));
    await assert.rejects(
      startSandbox({ dir, detached: false, env: { PATH: path.join(emptyBin, 'bin') } }),
      (err: unknown) => err instanceof ConfigError && err.message === 'pebble is not installed: apt-get install pebble',
    );
    assert.equal(existsSync(dir), false);
  });

  it('stops what it started when a process dies during start-up, naming its log', async () => {
    const dir = await tempDir();
    const ports = await findFreeSandboxPorts();
    await assert.rejects(
      startSandbox({ dir, ports, detached: false, binaries: { pebble: '/bin/false' } }),
      (err: Error & { hint?: string }) => {
        assert.match(err.message, /pebble "sandbox(-b)?" exited while starting \(exit code 1\)/);
        assert.match(err.hint ?? '', /logs\/pebble-sandbox(-b)?\.log/);
        return true;
      },
    );
    assert.equal(existsSync(path.join(dir, 'state.json')), false);
    // challtestsrv was already up when pebble failed: it must be gone again.
    const { execFileSync } = await import('node:child_process');
    const leftovers = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('pebble-challtestsrv') && line.includes(`127.0.0.1:${ports.challtestsrvManagement}`));
    assert.deepEqual(leftovers, []);
  });

  it('clears a stale state.json whose processes are gone', async () => {
    const dir = await tempDir();
    const first = await startSandbox({ dir, ports: await findFreeSandboxPorts(), detached: false });
    const firstState = first.state;
    for (const pid of firstState.pids) process.kill(pid, 'SIGKILL');
    assert.deepEqual(await terminate(firstState.pids, systemClock, 2000), [], 'the killed processes are gone');
    assert.equal((await sandboxStatus(dir))?.alive, false);
    const second = await startSandbox({ dir, ports: await findFreeSandboxPorts(), detached: false });
    try {
      assert.notEqual(second.state.startedAt, firstState.startedAt);
      await first.stop(); // an old handle must not stop the new sandbox
      assert.equal((await sandboxStatus(dir))?.alive, true);
    } finally {
      await second.stop();
    }
  });
});
