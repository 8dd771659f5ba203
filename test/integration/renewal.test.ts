/**
 * Renewal from cron: `certdeck issue ... --if-due` orders only when the certificate is missing, changed or due,
 * and a failed renewal of a certificate that is still valid exits 10, leaving the old files in place.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { ndjson, runCli } from '../support/cli.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';

/** A loopback port nothing listens on (Pebble's validation of it is refused). */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('certdeck issue --if-due (renewal)', { skip }, () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startTestSandbox({});
  });
  after(async () => sandbox?.stop());

  it('orders when there is no certificate, then not while it is far from due; a changed name set orders again', async () => {
    const env = { CERTDECK_HOME: sandbox.home };
    const first = await runCli(['issue', 'renew.test', '--ca', 'sandbox', '--agree-tos', '--if-due', '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(ndjson(first.stdout).filter((e) => e.type === 'order:queued').length, 1);
    const cert = await readFile(path.join(sandbox.home, 'live', 'renew.test', 'cert.pem'), 'utf8');

    const second = await runCli(['issue', 'renew.test', '--ca', 'sandbox', '--if-due', '--json'], env);
    assert.equal(second.code, 0, second.stderr);
    const events = ndjson(second.stdout);
    assert.deepEqual(events.filter((e) => e.type === 'order:queued' || e.type === 'http:exchange'), [], 'nothing ordered, the CA not even asked');
    const summary = events.at(-1) as unknown as { type: string; results: Array<{ ok: boolean; notDueUntil?: number }> };
    assert.equal(summary.type, 'summary');
    const meta = JSON.parse(await readFile(path.join(sandbox.home, 'live', 'renew.test', 'meta.json'), 'utf8')) as { notBefore: string; notAfter: string };
    const lifetime = Date.parse(meta.notAfter) - Date.parse(meta.notBefore);
    assert.equal(summary.results[0]?.notDueUntil, Date.parse(meta.notAfter) - lifetime / 3, 'due with a third of the lifetime left');
    assert.equal(await readFile(path.join(sandbox.home, 'live', 'renew.test', 'cert.pem'), 'utf8'), cert, 'files untouched');

    // Decided offline (field report 5): with the CA down, a certificate that is not due is still fine.
    const caDown = await runCli(['issue', 'renew.test', '--ca', 'https://127.0.0.1:9/directory', '--if-due', '--json'], env);
    assert.equal(caDown.code, 0, caDown.stderr);

    const human = await runCli(['issue', 'renew.test', '--ca', 'sandbox', '--if-due', '--no-tui'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^OK renew\.test: not due for renewal until \d{4}-\d\d-\d\dT.*; nothing ordered$/m);

    const changed = await runCli(['issue', 'renew.test', 'www.renew.test', '--ca', 'sandbox', '--if-due', '--json'], env);
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(ndjson(changed.stdout).filter((e) => e.type === 'order:queued').length, 1, 'another name set is a new certificate');
  });

  it('a renewal that fails while the certificate is still valid exits 10 and keeps the old files', async () => {
    const env = { CERTDECK_HOME: sandbox.home };
    const issued = await runCli(['issue', 'keep.test', '--ca', 'sandbox', '--agree-tos', '--json'], env);
    assert.equal(issued.code, 0, issued.stderr);
    const cert = await readFile(path.join(sandbox.home, 'live', 'keep.test', 'cert.pem'), 'utf8');
    // At the second CA (its own account, so no authorization to reuse), answering HTTP-01 where Pebble does not
    // look: validation fails.
    const failed = await runCli(['issue', 'keep.test', '--ca', 'sandbox-b', '--agree-tos', '--http-port', String(await unusedPort()), '--max-retries', '0', '--json'], env);
    assert.equal(failed.code, 10, failed.stdout.slice(-2000) + failed.stderr);
    assert.equal(await readFile(path.join(sandbox.home, 'live', 'keep.test', 'cert.pem'), 'utf8'), cert);
    // The next look at the certificates (list here, the dashboard alike) tells this soft state apart.
    const listed = await runCli(['list', '--json'], env);
    const entry = (JSON.parse(listed.stdout) as { certificates: Array<{ certName: string; status: string; lastRenewalFailure?: { caId: string } }> }).certificates.find((c) => c.certName === 'keep.test');
    assert.equal(entry?.status, 'renewal-failed');
    assert.equal(entry?.lastRenewalFailure?.caId, 'sandbox-b');
    assert.match((await runCli(['list'], env)).stdout, /^keep\.test +renewal failed, still valid +\d+ /m);
  });
});
