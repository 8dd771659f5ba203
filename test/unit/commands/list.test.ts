import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { runListCommand } from '../../../src/commands/list.js';
import { saveCertificate } from '../../../src/engine/store/cert-files.js';
import { makeCert, withHome } from '../store/helpers.js';

const DAY = 86_400_000;
const meta = { caId: 'sandbox', directoryUrl: 'https://127.0.0.1:14000/dir', keyType: 'ec-p256' as const, savedAt: Date.now() };

async function list(root: string, json: boolean, now = Date.now()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runListCommand({ json }, { stdout, stderr, env: { CERTDECK_HOME: root } }, now);
  return { code, out, err };
}

describe('certdeck list', () => {
  it('says how to start when there is nothing yet', async () => {
    await withHome(async (_paths, root) => {
      const r = await list(root, false);
      assert.equal(r.code, 0);
      assert.match(r.out, /No certificates yet in .*live\. Issue one with: certdeck issue/);
    });
  });

  it('lists each certificate with its status and days left; --json carries the same facts', async () => {
    await withHome(async (paths, root) => {
      for (const [name, days] of [['fresh.test', 90], ['late.test', 9]] as const) {
        const c = makeCert([name, `www.${name}`], { days });
        await saveCertificate(paths, name, { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta });
      }
      const now = Date.now() + 5 * DAY;
      const text = await list(root, false, now);
      assert.equal(text.code, 0, text.err);
      const lines = text.out.trim().split('\n');
      assert.match(lines[0]!, /^NAME +STATUS +DAYS +EXPIRES \(UTC\) +RENEWAL \(UTC\) +CA +NAMES$/);
      assert.match(lines[1]!, /^fresh\.test +valid +84 +\d{4}-\d\d-\d\d \d\d:\d\d +\d{4}-\d\d-\d\d \d\d:\d\d +sandbox +fresh\.test, www\.fresh\.test$/);
      // Under 4 of 9 days left: a short-lived certificate is due once half its lifetime is gone.
      assert.match(lines[2]!, /^late\.test +due for renewal +3 /);

      const json = await list(root, true, now);
      const parsed = JSON.parse(json.out) as { certificates: Array<{ certName: string; status: string; daysLeft: number; notAfter: string; domains: string[] }>; broken: unknown[] };
      assert.deepEqual(parsed.certificates.map((c) => [c.certName, c.status, c.daysLeft]), [['fresh.test', 'valid', 84], ['late.test', 'due', 3]]);
      assert.match(parsed.certificates[0]!.notAfter, /^\d{4}-\d\d-\d\dT/);
      assert.deepEqual(parsed.broken, []);
    });
  });

  it('names a certificate directory it cannot read and exits "partial" (3)', async () => {
    await withHome(async (paths, root) => {
      const c = makeCert(['good.test']);
      await saveCertificate(paths, 'good.test', { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta });
      await mkdir(path.join(paths.liveDir, 'bad.test'));
      await writeFile(path.join(paths.liveDir, 'bad.test', 'cert.pem'), 'not a certificate');
      const r = await list(root, false);
      assert.equal(r.code, 3);
      assert.match(r.out, /good\.test/);
      assert.doesNotMatch(r.out, /bad\.test/);
      assert.match(r.err, /certdeck: bad\.test: /);
    });
  });
});
