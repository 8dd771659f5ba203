import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/engine/core/clock.js';
import { readSandboxState } from '../../src/engine/ca/sandbox-state.js';
import { simpleRequest } from '../../src/sandbox/https-request.js';
import { isPortFree, PORT_ROLES } from '../../src/sandbox/ports.js';
import { terminate } from '../../src/sandbox/processes.js';
import { stopSandbox } from '../../src/sandbox/sandbox.js';
import { runCli } from '../support/cli.js';
import { systemPackagesSkip } from '../support/system-packages.js';

const skip = systemPackagesSkip(['pebble']);

async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await Promise.all(PORT_ROLES.map((_, i) => isPortFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}

/** The scenario the detached proxy really runs, from its control endpoint. */
async function liveRules(home: string): Promise<string[]> {
  const state = readSandboxState(path.join(home, 'sandbox'))!;
  const control = state.cas.find((c) => c.faultProxy)!.faultProxy!.controlUrl;
  const body = JSON.parse((await simpleRequest(`${control}/scenario`)).body) as { rules: Array<{ kind: string }> };
  return body.rules.map((r) => r.kind);
}

describe('certdeck sandbox: faults of a running sandbox, and a port held by another home', { skip }, () => {
  let home: string;
  let otherHome: string;
  let base: number;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'certdeck-fault-cli-'));
    otherHome = await mkdtemp(path.join(os.tmpdir(), 'certdeck-fault-other-'));
    base = await freePortBase();
    const started = await runCli(['sandbox', 'start', '--port-base', String(base), '--fault', 'none'], { CERTDECK_HOME: home });
    assert.equal(started.code, 0, started.stderr);
  });
  after(async () => {
    for (const h of [home, otherHome]) {
      const dir = path.join(h, 'sandbox');
      const state = readSandboxState(dir);
      await stopSandbox(dir).catch(() => undefined);
      if (state) await terminate(state.pids, systemClock);
      await rm(h, { recursive: true, force: true });
    }
  });

  it('sandbox start --fault on the running sandbox applies the fault, and status shows it', async () => {
    assert.deepEqual(await liveRules(home), []);
    const r = await runCli(['sandbox', 'start', '--fault', 'hang-processing:30'], { CERTDECK_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /already running; its fault scenario is now: hang-processing:30/);
    assert.deepEqual(await liveRules(home), ['hang-processing']);
    const status = await runCli(['sandbox', 'status'], { CERTDECK_HOME: home });
    assert.equal(status.code, 0);
    assert.match(status.stdout, /fault proxy: hang-processing:30 /);
  });

  it('sandbox fault SPEC changes it; a bad spec changes nothing; none clears it', async () => {
    const r = await runCli(['sandbox', 'fault', 'unavailable:directory:1:2'], { CERTDECK_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await liveRules(home), ['unavailable']);
    assert.match((await runCli(['sandbox', 'status'], { CERTDECK_HOME: home })).stdout, /fault proxy: unavailable:directory:1:2 /);

    const bad = await runCli(['sandbox', 'fault', 'rate-limit:orders'], { CERTDECK_HOME: home });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /RESOURCE "orders" is not one of/);
    assert.deepEqual(await liveRules(home), ['unavailable'], 'unchanged');

    assert.equal((await runCli(['sandbox', 'fault', 'none'], { CERTDECK_HOME: home })).code, 0);
    assert.deepEqual(await liveRules(home), []);
    assert.match((await runCli(['sandbox', 'status'], { CERTDECK_HOME: home })).stdout, /fault proxy: none /);
  });

  it('status shows a fault set behind its back through the control endpoint', async () => {
    const state = readSandboxState(path.join(home, 'sandbox'))!;
    const control = state.cas.find((c) => c.faultProxy)!.faultProxy!.controlUrl;
    const put = await simpleRequest(`${control}/scenario`, { method: 'PUT', body: JSON.stringify('hang-processing') });
    assert.equal(put.status, 200);
    const status = await runCli(['sandbox', 'status'], { CERTDECK_HOME: home });
    assert.match(status.stdout, /fault proxy: changed through the control endpoint: \{"rules":\[\{"kind":"hang-processing"/);
    assert.equal((await runCli(['sandbox', 'fault', 'none'], { CERTDECK_HOME: home })).code, 0);
  });

  it('sandbox fault without a running sandbox says how to start one', async () => {
    const r = await runCli(['sandbox', 'fault', 'hang-processing'], { CERTDECK_HOME: otherHome });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No sandbox is running[\s\S]*certdeck sandbox start --fault hang-processing/);
  });

  it('a port held by the sandbox of another home names that home and how to stop it', async () => {
    const r = await runCli(['sandbox', 'start', '--port-base', String(base)], { CERTDECK_HOME: otherHome });
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`Port ${base}\\b.*another certdeck sandbox: the one of the state home ${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.stderr, new RegExp(`CERTDECK_HOME=${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} certdeck sandbox stop`));
    assert.equal(readSandboxState(path.join(otherHome, 'sandbox')), undefined, 'nothing started');
  });
});
