/**
 * Fault 2 of issue 11: once finalize was sent, no signal may lead the next run to order again. `certdeck issue`
 * gets SIGTERM (what systemd and `timeout` send) while the CA processes the finalized order; the order stays in the
 * journal and the re-run resumes it and downloads its certificate: one order and one certificate at the CA.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readJournal } from '../../src/engine/store/journal.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { requestsOf } from '../support/engine-harness.js';
import { CLI, ndjson, runCli } from '../support/cli.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';
type Ev = Record<string, unknown> & { type: string };

/** Runs `certdeck issue --json`, sends `signal` once `when` matches an event, and waits for the process to end. */
function issueAndSignal(home: string, name: string, signal: NodeJS.Signals, when: (e: Ev) => boolean): Promise<{ code: number | null; events: Ev[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'issue', name, '--ca', 'sandbox', '--agree-tos', '--json', '--poll-timeout', '5m'], {
      env: { ...process.env, CERTDECK_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit after the signal:\n${out}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!sent && ndjson(out).some(when)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (sent) resolve({ code, events: ndjson(out) });
      else reject(new Error(`the run ended before the signal point:\n${out}`));
    });
  });
}

describe('a signal after finalize (Pebble behind the fault proxy)', { skip }, () => {
  let sb: TestSandbox;
  before(async () => {
    sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0 });
  });
  after(() => sb?.stop());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} while the CA processes the order: the journal keeps it, the re-run resumes it, one certificate`, async () => {
      const name = `stop-${signal.toLowerCase()}.test`;
      sb.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
      sb.proxy!.clearLog();
      const first = await issueAndSignal(sb.home, name, signal, (e) => e.type === 'order:status' && e.status === 'processing');
      assert.equal(first.code, 130, 'an interrupted run says so to cron');
      const finished = first.events.find((e) => e.type === 'order:finished');
      assert.equal(finished?.outcome, 'cancelled');
      assert.match(String(finished?.reason), new RegExp(`interrupted by ${signal}; the certificate is already being issued, the next run resumes this order`));
      const orderUrl = first.events.find((e) => e.type === 'order:created')?.orderUrl;
      const journal = await readJournal(pathsUnder(sb.home), name);
      assert.equal(journal?.current?.orderUrl, orderUrl, 'the order is still in the journal');
      assert.ok(journal?.current?.finalizeSentAt);

      sb.proxy!.setScenario({ rules: [] });
      const again = await runCli(['issue', name, '--ca', 'sandbox', '--json'], { CERTDECK_HOME: sb.home });
      assert.equal(again.code, 0, again.stderr + again.stdout);
      const created = ndjson(again.stdout).filter((e) => e.type === 'order:created');
      assert.deepEqual(created.map((c) => [c.orderUrl, c.resumed]), [[orderUrl, true]], 'resumed, not ordered anew');

      const log = sb.proxy!.log();
      assert.equal(requestsOf(log, 'new-order').filter((e) => e.upstreamStatus === 201).length, 1, 'one order at the CA');
      assert.equal(requestsOf(log, 'finalize').length, 1, 'one finalize, so one certificate at the CA');
      const dir = path.join(sb.home, 'live', name);
      const cert = new X509Certificate(await readFile(path.join(dir, 'cert.pem'), 'utf8'));
      assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(path.join(dir, 'privkey.pem'), 'utf8'))));
    });
  }
});
