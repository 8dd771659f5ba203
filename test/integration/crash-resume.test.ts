import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/engine/core/clock.js';
import { Engine } from '../../src/engine/engine.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { CLI, ndjson, runCli } from '../support/cli.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';

type Ev = Record<string, unknown> & { type: string };

/** Runs `certdeck issue --json` and SIGKILLs it the moment `killWhen` matches an event. Resolves with the events seen. */
function issueAndKill(home: string, name: string, killWhen: (e: Ev) => boolean): Promise<Ev[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'issue', name, '--ca', 'sandbox', '--agree-tos', '--json', '--poll-timeout', '5m'], {
      env: { ...process.env, CERTDECK_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kill point never reached:\n${out}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killed && ndjson(out).some(killWhen)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      if (killed) resolve(ndjson(out));
      else reject(new Error(`the run ended before the kill point:\n${out}`));
    });
  });
}

describe('crash safety: certdeck issue killed at any point, then run again', { skip }, () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 });
  });
  after(async () => sandbox?.stop());

  const points: Array<{ name: string; hang?: boolean; when: (e: Ev) => boolean }> = [
    { name: 'after new-order', when: (e) => e.type === 'order:created' },
    { name: 'after the challenge response', when: (e) => e.type === 'authz:updated' && e.challengeStatus === 'processing' },
    { name: 'after finalize', hang: true, when: (e) => e.type === 'order:status' && e.status === 'processing' },
    { name: 'during the file write', when: (e) => e.type === 'order:phase' && e.phase === 'saving' },
  ];

  for (const [i, point] of points.entries()) {
    it(`killed ${point.name}: the rerun ends with a valid certificate, one finalize per order, and a whole key`, async () => {
      const name = `crash${i}.test`;
      sandbox.proxy!.setScenario({ rules: point.hang ? [{ kind: 'hang-processing' }] : [] });
      sandbox.proxy!.clearLog();
      const first = await issueAndKill(sandbox.home, name, point.when);
      const firstOrder = first.find((e) => e.type === 'order:created')?.orderUrl;
      sandbox.proxy!.setScenario({ rules: [] });

      const r = await runCli(['issue', name, '--ca', 'sandbox', '--json'], { CERTDECK_HOME: sandbox.home });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const events = ndjson(r.stdout);
      const created = events.filter((e) => e.type === 'order:created');
      const log = sandbox.proxy!.log();
      const accepted = (resource: string) => log.filter((l) => l.resource === resource && (l.status ?? 0) < 300);
      const resumedInvalid = events.some((e) => e.type === 'log' && String(e.message).includes(`${firstOrder} is invalid at the CA`));
      if (firstOrder && !resumedInvalid) {
        assert.equal(created[0]?.orderUrl, firstOrder, 'the rerun resumed the journaled order');
        assert.equal(created[0]?.resumed, true);
      }
      if (resumedInvalid) {
        // Killed after answering the challenge: the CA then found no challenge server, so that order failed
        // validation and cannot be finished. The rerun says so and orders anew, once.
        assert.equal(point.name, 'after the challenge response', 'only a kill during validation can invalidate the order');
        assert.equal(accepted('new-order').length, 2);
      } else {
        assert.equal(accepted('new-order').length, 1, 'one order for the request');
      }
      assert.equal(accepted('finalize').length, 1, 'finalized exactly once');

      const dir = path.join(sandbox.home, 'live', name);
      const cert = new X509Certificate(await readFile(path.join(dir, 'cert.pem'), 'utf8'));
      const key = createPrivateKey(await readFile(path.join(dir, 'privkey.pem'), 'utf8'));
      assert.ok(cert.checkPrivateKey(key), 'the saved key belongs to the saved certificate');
      assert.equal(cert.subjectAltName, `DNS:${name}`);
    });
  }

  it('quitting (engine.close) suspends a running order: the journal stays and the next run resumes it', async () => {
    sandbox.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
    const paths = pathsUnder(sandbox.home);
    const first = new Engine({ paths, clock: systemClock, userAgent: 'certdeck-test' });
    const processing = new Promise<string>((resolve) =>
      first.onEvent((e) => {
        if (e.type === 'order:phase' && e.phase === 'processing') resolve(first.getSnapshot().orders[e.orderId]!.orderUrl!);
      }),
    );
    const running = first.issue({ domains: ['suspend.test'], ca: 'sandbox', agreeTos: true });
    const orderUrl = await processing;
    await first.close();
    const outcome = await running;
    assert.equal(outcome.error?.kind, 'cancelled');
    assert.match(first.getSnapshot().orders[outcome.orderId]!.reason ?? '', /resumes on the next run/);

    sandbox.proxy!.setScenario({ rules: [] });
    const second = new Engine({ paths, clock: systemClock, userAgent: 'certdeck-test' });
    const created: Array<{ orderUrl: string; resumed: boolean }> = [];
    second.onEvent((e) => void (e.type === 'order:created' && created.push(e)));
    try {
      const again = await second.issue({ domains: ['suspend.test'], ca: 'sandbox' });
      assert.equal(again.ok, true, JSON.stringify(again.error));
      assert.deepEqual(created.map((c) => [c.orderUrl, c.resumed]), [[orderUrl, true]]);
    } finally {
      await second.close();
    }
  });
});
