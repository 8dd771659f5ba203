/**
 * `certdeck doctor` against a real sandbox: a healthy certificate issued by Pebble, then one planted problem at a
 * time in a copy of that state home, each of which must yield its finding and the documented exit code (0 when no
 * finding is an error, 1 otherwise), while the healthy home yields none of them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { chmod, cp, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import forge from 'node-forge';
import { saveCertificate } from '../../src/engine/store/cert-files.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { runCli } from '../support/cli.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';
const NAME = 'doctor.test';

interface DoctorJson {
  ok: boolean;
  exitCode: number;
  counts: { error: number; warning: number; info: number };
  findings: Array<{ id: string; severity: string; tier: string; certName?: string; seen: string; todo: string }>;
  checks: Array<{ check: { key: string; tier: string }; outcome: string }>;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** A pid that certainly belonged to a process and is now gone. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

/** A self-signed RSA certificate that expired a year ago, with its key (node-forge sets any validity). */
function expiredCertificate(domain: string): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '0badc0de';
  cert.validity.notBefore = new Date(Date.now() - 400 * 24 * 3_600_000);
  cert.validity.notAfter = new Date(Date.now() - 365 * 24 * 3_600_000);
  cert.setSubject([{ name: 'commonName', value: domain }]);
  cert.setIssuer([{ name: 'commonName', value: domain }]);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: domain }] }]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

describe('certdeck doctor: planted problems', { skip }, () => {
  let sb: TestSandbox;
  let resolver: string;
  const homes: string[] = [];

  before(async () => {
    sb = await startTestSandbox({ fault: 'none' });
    resolver = `127.0.0.1:${sb.state.dnsPort}`;
    const issued = await runCli(['issue', NAME, '--ca', 'sandbox', '--agree-tos', '--no-tui'], { CERTDECK_HOME: sb.home });
    assert.equal(issued.code, 0, issued.stderr);
  });
  after(async () => {
    await Promise.all(homes.map((h) => rm(h, { recursive: true, force: true })));
    await sb?.stop();
  });

  /** A copy of the healthy home (live/ links are relative, so they point into the copy). */
  async function copyHome(): Promise<string> {
    const home = await mkdtemp(path.join(os.tmpdir(), 'certdeck-doctor-'));
    homes.push(home);
    await cp(sb.home, home, { recursive: true, verbatimSymlinks: true });
    return home;
  }

  async function doctor(home: string, ...extra: string[]): Promise<{ code: number | null; json: DoctorJson; stderr: string }> {
    const r = await runCli(['doctor', '--json', '--resolver', resolver, ...extra], { CERTDECK_HOME: home });
    return { code: r.code, json: JSON.parse(r.stdout) as DoctorJson, stderr: r.stderr };
  }

  async function versionDir(home: string): Promise<string> {
    return path.resolve(path.join(home, 'live'), await readlink(path.join(home, 'live', NAME)));
  }

  const PLANTED = ['cert.key-mismatch', 'key.permissions', 'cert.expired', 'lock.stale', 'dns.caa-forbids', 'dns.leftover-challenge', 'ca.unreachable', 'ca.clock-skew'];

  it('a healthy certificate yields none of the planted findings, and exit 0', async () => {
    const { code, json } = await doctor(sb.home);
    assert.equal(code, 0, JSON.stringify(json.findings, null, 2));
    assert.equal(json.counts.error, 0);
    assert.deepEqual(json.findings.filter((f) => PLANTED.includes(f.id)), []);
    // Every tier ran: the account was read at the CA (POST-as-GET), DNS through challtestsrv.
    for (const tier of ['offline', 'dns', 'ca', 'behaviour']) assert.ok(json.checks.some((c) => c.check.tier === tier && c.outcome !== 'skipped'), tier);
    assert.ok(json.checks.some((c) => c.check.key.startsWith('ca:sandbox:account:') && c.outcome === 'ok'));
  });

  const table: Array<{ problem: string; id: string; severity: 'error' | 'warning'; exit: number; plant: (home: string) => Promise<void>; undo?: () => Promise<void>; args?: string[] }> = [
    {
      problem: 'key swapped for another',
      id: 'cert.key-mismatch',
      severity: 'error',
      exit: 1,
      plant: async (home) => {
        const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        await writeFile(path.join(await versionDir(home), 'privkey.pem'), other, { mode: 0o600 });
      },
    },
    {
      problem: 'key file 0644',
      id: 'key.permissions',
      severity: 'error',
      exit: 1,
      plant: async (home) => chmod(path.join(await versionDir(home), 'privkey.pem'), 0o644),
    },
    {
      problem: 'expired certificate',
      id: 'cert.expired',
      severity: 'error',
      exit: 1,
      plant: async (home) => {
        const { certPem, keyPem } = expiredCertificate(NAME);
        await saveCertificate(pathsUnder(home), NAME, { certPem, chainPem: '', keyPem, meta: { caId: 'sandbox', directoryUrl: sb.directoryUrl(), keyType: 'rsa-2048', savedAt: Date.now() } });
      },
    },
    {
      problem: 'a lock left by a dead pid',
      id: 'lock.stale',
      severity: 'warning',
      exit: 0,
      plant: async (home) => {
        const owner = { pid: await deadPid(), host: os.hostname(), startedAt: Date.now() - 60_000, command: 'certdeck issue', token: 'deadbeef' };
        await writeFile(path.join(home, 'locks', `${NAME}.lock`), `${JSON.stringify(owner)}\n`);
      },
    },
    {
      problem: 'a CAA record forbidding the CA (challtestsrv /add-caa)',
      id: 'dns.caa-forbids',
      severity: 'error',
      exit: 1,
      plant: async () => {
        await challtestsrv('/add-caa', { host: `${NAME}.`, policies: [{ tag: 'issue', value: 'letsencrypt.org' }] });
      },
      undo: async () => void (await challtestsrv('/clear-caa', { host: `${NAME}.` })),
    },
    {
      problem: 'a dns-01 answer left at _acme-challenge (challtestsrv /set-txt)',
      id: 'dns.leftover-challenge',
      severity: 'warning',
      exit: 0,
      plant: async () => challtestsrv('/set-txt', { host: `_acme-challenge.${NAME}.`, value: 'left-behind' }),
      undo: async () => challtestsrv('/clear-txt', { host: `_acme-challenge.${NAME}.` }),
    },
    {
      problem: 'a stopped CA',
      id: 'ca.unreachable',
      severity: 'error',
      exit: 1,
      plant: async (home) => {
        // The certificate's CA is a directory URL on which nothing listens any more.
        const metaFile = path.join(await versionDir(home), 'meta.json');
        const meta = JSON.parse(await readFile(metaFile, 'utf8')) as Record<string, unknown>;
        const url = `https://127.0.0.1:${await closedPort()}/dir`;
        await writeFile(metaFile, JSON.stringify({ ...meta, caId: url, directoryUrl: url }));
      },
    },
    {
      problem: 'a CA clock off by an hour (fault proxy Date header)',
      id: 'ca.clock-skew',
      severity: 'error',
      exit: 1,
      plant: async () => sb.proxy!.setScenario({ rules: [{ kind: 'clock-skew', seconds: 3600 }] }),
      undo: async () => sb.proxy!.setScenario({ rules: [] }),
    },
  ];

  async function challtestsrv(route: string, body: unknown): Promise<void> {
    const res = await fetch(`${sb.state.challtestsrvUrl}${route}`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 200, `${route} answered ${res.status}`);
  }

  for (const row of table) {
    it(`${row.problem} → ${row.severity} ${row.id}, exit ${row.exit}`, async () => {
      const home = await copyHome();
      await row.plant(home);
      try {
        const { code, json, stderr } = await doctor(home, ...(row.args ?? []));
        const hit = json.findings.find((f) => f.id === row.id);
        assert.ok(hit, `no ${row.id} in ${JSON.stringify(json.findings.map((f) => f.id))} ${stderr}`);
        assert.equal(hit.severity, row.severity);
        assert.ok(hit.seen.length > 0 && hit.todo.length > 0);
        assert.equal(code, row.exit, JSON.stringify(json.findings.filter((f) => f.severity === 'error'), null, 2));
        assert.equal(json.exitCode, row.exit);
      } finally {
        await row.undo?.();
      }
    });
  }

  it('--offline runs no DNS or CA network check and still finds the planted key problem; human output says what to do', async () => {
    const home = await copyHome();
    await chmod(path.join(await versionDir(home), 'privkey.pem'), 0o644);
    const { code, json } = await doctor(home, '--offline');
    assert.equal(code, 1);
    assert.ok(json.findings.some((f) => f.id === 'key.permissions'));
    assert.ok(json.checks.filter((c) => c.check.tier === 'dns' || c.check.key.endsWith(':network')).every((c) => c.outcome === 'skipped'));
    const human = await runCli(['doctor', NAME, '--offline'], { CERTDECK_HOME: home });
    assert.equal(human.code, 1);
    assert.match(human.stdout, new RegExp(`Certificate ${NAME.replace('.', '\\.')}\\n  \\[offline\\]`));
    assert.match(human.stdout, /ERROR key\.permissions\n\s+seen: The private key .*privkey\.pem is mode 0644.*\n\s+do: {3}chmod 600 /);
    assert.match(human.stdout, /problems found: 1 error/);
  });

  it('an unknown certificate name is an error finding, not a crash', async () => {
    const { code, json } = await doctor(sb.home, 'nope.test');
    assert.equal(code, 1);
    assert.ok(json.findings.some((f) => f.id === 'cert.unknown' && f.certName === 'nope.test'));
  });
});
