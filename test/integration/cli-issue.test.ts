import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { CLI, ndjson, runCli } from '../support/cli.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';

/** Every file under `dir`, relative, sorted: "nothing changed on disk" is this list staying the same. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      out.push(path.relative(dir, p));
      if (e.isDirectory()) await walk(p);
    }
  }
  await walk(dir);
  return out.sort();
}

describe('certdeck issue: bad input gets a clear error and changes nothing', { skip }, () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startTestSandbox({});
  });
  after(async () => sandbox?.stop());

  const cases: Array<{ name: string; args: (s: TestSandbox) => string[]; code: number; message: RegExp }> = [
    { name: 'empty label', args: () => ['issue', 'a..example.test', '--ca', 'sandbox'], code: 2, message: /a\.\.example\.test.*empty label/i },
    { name: 'label over 63', args: () => ['issue', `${'x'.repeat(64)}.test`, '--ca', 'sandbox'], code: 2, message: /63/ },
    { name: 'name over 253', args: () => ['issue', `${'abcdefghi.'.repeat(26)}test`, '--ca', 'sandbox'], code: 2, message: /253/ },
    { name: 'space', args: () => ['issue', 'bad name.test', '--ca', 'sandbox'], code: 2, message: /bad name\.test/ },
    { name: 'wildcard with HTTP-01', args: () => ['issue', '*.example.test', '--ca', 'sandbox'], code: 2, message: /dns-01/ },
    { name: 'IP literal', args: () => ['issue', '127.0.0.1', '--ca', 'sandbox'], code: 2, message: /IP/ },
    { name: 'unknown CA id', args: () => ['issue', 'ok.test', '--ca', 'no-such-ca'], code: 2, message: /no-such-ca[\s\S]*letsencrypt/ },
    { name: 'no CA', args: () => ['issue', 'ok.test'], code: 2, message: /--ca/ },
    { name: 'bad duration', args: () => ['issue', 'ok.test', '--ca', 'sandbox', '--poll-timeout', 'soon'], code: 2, message: /--poll-timeout/ },
    { name: 'EAB required by the catalog', args: () => ['issue', 'ok.test', '--ca', 'zerossl', '--agree-tos'], code: 2, message: /External Account Binding/ },
    { name: 'directory URL that is not ACME', args: (s) => ['issue', 'ok.test', '--ca', `${s.ca('sandbox').managementUrl}/roots/0`, '--ca-bundle', s.state.caBundlePath, '--agree-tos'], code: 2, message: /not an ACME directory/ },
    { name: 'unreachable directory URL', args: () => ['issue', 'ok.test', '--ca', 'https://127.0.0.1:9/directory', '--agree-tos'], code: 4, message: /ECONNREFUSED|reach/ },
    { name: 'untrusted TLS', args: (s) => ['issue', 'ok.test', '--ca', s.ca('sandbox-b').directoryUrl.replace('127.0.0.1', 'localhost'), '--agree-tos'], code: 2, message: /not trusted[\s\S]*--ca-bundle/ },
    { name: 'missing --agree-tos for a new account', args: () => ['issue', 'ok.test', '--ca', 'sandbox-b'], code: 2, message: /--agree-tos/ },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const home = sandbox.home;
      const before = (await tree(home)).filter((f) => !f.startsWith('sandbox'));
      const r = await runCli(c.args(sandbox), { CERTDECK_HOME: home });
      assert.equal(r.code, c.code, `exit code; stderr: ${r.stderr}\nstdout: ${r.stdout}`);
      assert.match(r.stderr + r.stdout, c.message);
      const afterFiles = (await tree(home)).filter((f) => !f.startsWith('sandbox') && !/^accounts/.test(f) && !/^locks/.test(f));
      assert.deepEqual(afterFiles.filter((f) => /live|archive|journal/.test(f)), before.filter((f) => /live|archive|journal/.test(f)), 'no certificate, key or journal written');
    });
  }

  it('unwritable state home', async () => {
    const r = await runCli(['issue', 'ok.test', '--ca', sandbox.ca('sandbox').directoryUrl, '--ca-bundle', sandbox.state.caBundlePath, '--agree-tos'], { CERTDECK_HOME: '/etc/hostname/certdeck' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\/etc\/hostname|CERTDECK_HOME/);
  });
});

describe('certdeck issue: a killed run resumes the same order', { skip }, () => {
  let sandbox: TestSandbox;
  let home: string;
  before(async () => {
    sandbox = await startTestSandbox({ fault: 'none' });
    home = sandbox.home;
  });
  after(async () => sandbox?.stop());

  it('SIGKILL while the order is processing, then the same command resumes that order URL', async () => {
    sandbox.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
    const args = ['issue', 'resume.test', '--ca', 'sandbox', '--agree-tos', '--json', '--poll-timeout', '5m'];
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, CERTDECK_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const created = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no processing state in time: ${out}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const events = ndjson(out);
        const order = events.find((e) => e.type === 'order:created');
        if (order && events.some((e) => e.type === 'order:phase' && e.phase === 'processing')) {
          clearTimeout(timer);
          resolve(order.orderUrl as string);
        }
      });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    sandbox.proxy!.setScenario({ rules: [] });

    const r = await runCli(['issue', 'resume.test', '--ca', 'sandbox', '--json'], { CERTDECK_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    const events = ndjson(r.stdout);
    const resumed = events.find((e) => e.type === 'order:created');
    assert.equal(resumed?.resumed, true);
    assert.equal(resumed?.orderUrl, created, 'same order URL');
    // It says when the order was first created (the killed run), so the view can say "resumed; created at ...".
    assert.ok(typeof resumed?.createdAt === 'number' && resumed.createdAt < (resumed.at as number), `createdAt ${String(resumed?.createdAt)}`);
    assert.ok(typeof resumed?.processingSince === 'number', 'it was processing when killed: since the finalize');
    assert.ok(events.some((e) => e.type === 'http:started' && e.method === 'POST'), 'requests in flight are announced');
    // Pebble rejects some nonces at random; a rejected POST did nothing, so count the accepted ones.
    const accepted = (resource: string) => sandbox.proxy!.log().filter((l) => l.resource === resource && (l.status ?? 0) < 300);
    assert.equal(accepted('finalize').length, 1, 'finalized once');
    assert.equal(accepted('new-order').length, 1, 'one order in all');
    const summary = events.at(-1);
    assert.equal(summary?.type, 'summary');
  });
});

describe('certdeck issue: the settings file', { skip }, () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startTestSandbox({});
  });
  after(async () => sandbox?.stop());

  it('supplies the CA, e-mail and a per-certificate policy when flags leave them open', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      path.join(sandbox.home, 'config.json'),
      JSON.stringify({ defaultCa: 'sandbox-b', defaultEmail: 'ops@example.test', certificates: { 'set.test': { policy: { maxRetries: 1, deadlines: { processing: 42_000 } } } } }),
    );
    const r = await runCli(['issue', 'set.test', '--agree-tos', '--json'], { CERTDECK_HOME: sandbox.home });
    assert.equal(r.code, 0, r.stderr);
    const queued = ndjson(r.stdout).find((e) => e.type === 'order:queued') as unknown as { caId: string; policy: { maxRetries: number; deadlines: { processing: number } } };
    assert.equal(queued.caId, 'sandbox-b');
    assert.equal(queued.policy.maxRetries, 1);
    assert.equal(queued.policy.deadlines.processing, 42_000);
    // A flag still wins over the file.
    const r2 = await runCli(['issue', 'set.test', '--json', '--poll-timeout', '7s', '--ca', 'sandbox'], { CERTDECK_HOME: sandbox.home });
    const queued2 = ndjson(r2.stdout).find((e) => e.type === 'order:queued') as unknown as { caId: string; policy: { deadlines: { processing: number } } };
    assert.equal(queued2.caId, 'sandbox');
    assert.equal(queued2.policy.deadlines.processing, 7_000);
  });

  it('a broken settings file is reported with its path and left untouched', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const file = path.join(sandbox.home, 'config.json');
    await writeFile(file, '{ "defaultCa": "sandbox", oops');
    const r = await runCli(['issue', 'x.test', '--ca', 'sandbox'], { CERTDECK_HOME: sandbox.home });
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(file), r.stderr);
    assert.equal(await readFile(file, 'utf8'), '{ "defaultCa": "sandbox", oops');
  });
});
