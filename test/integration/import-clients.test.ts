/**
 * Import from the real clients (issue 16), against the real Pebble: Debian's certbot (--standalone) and lego (--http)
 * obtain certificates through the fault proxy in front of the sandbox CA, then `certdeck import certbot|lego`
 * takes them over. `list --json` shows each with the serial the client got, a re-issue through certdeck needs no
 * --email/--agree-tos and registers no new account (the proxy's log of newAccount POSTs stays the same), the
 * certbot deploy hook (reading only RENEWED_LINEAGE/RENEWED_DOMAINS) runs as a command target, a second run is
 * "already managed" and rewrites nothing, lego's certificate for names certbot's already covers is reported and
 * not duplicated, and neither client's files change by a byte.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmod, lstat, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { CertificateListing, ImportPlan } from '../../src/engine/api.js';
import { findOnPath } from '../../src/sandbox/binaries.js';
import { runCli } from '../support/cli.js';
import { requestsOf } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const run = promisify(execFile);
const haveClients = Boolean(findOnPath('certbot', process.env.PATH ?? '') && findOnPath('lego', process.env.PATH ?? ''));
const skip = !pebbleAvailable() ? 'pebble is not installed (apt-get install pebble)' : !haveClients ? 'certbot and lego are not installed (apt-get install certbot lego)' : false;

/** Every file and symlink under `dir` with its content hash (symlinks by target): the client's files, byte for byte. */
async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const p = path.join(d, name);
      const st = await lstat(p);
      if (st.isDirectory()) await walk(p);
      else if (st.isSymbolicLink()) out[path.relative(dir, p)] = `-> ${await readlink(p)}`;
      else out[path.relative(dir, p)] = `${(st.mode & 0o777).toString(8)} ${st.mtimeMs} ${createHash('sha256').update(await readFile(p)).digest('hex')}`;
    }
  };
  await walk(dir);
  return out;
}

describe('import from certbot and lego, run for real against Pebble', { skip, timeout: 600_000 }, () => {
  let sandbox: TestSandbox;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let certbotDir: string;
  let legoDir: string;
  let hookOut: string;
  const registrations = () => requestsOf(sandbox.proxy!.log(), 'new-account', 'POST').filter((l) => (l.status ?? 0) < 300).length;

  before(async () => {
    sandbox = await startTestSandbox({ fault: 'none' });
    env = { CERTDECK_HOME: sandbox.home };
    work = await mkdtemp(path.join(os.tmpdir(), 'certdeck-import-'));
    certbotDir = path.join(work, 'letsencrypt');
    legoDir = path.join(work, '.lego');
    hookOut = path.join(work, 'hook.out');
    // A reload script written for certbot: it knows only certbot's variables.
    const hook = path.join(work, 'reload.sh');
    await writeFile(hook, `#!/bin/sh\necho "$RENEWED_LINEAGE|$RENEWED_DOMAINS" >> ${hookOut}\n`);
    await chmod(hook, 0o755);
    const server = sandbox.directoryUrl();
    await run(
      'certbot',
      ['certonly', '--server', server, '--standalone', '--http-01-port', String(sandbox.httpPort), '--config-dir', certbotDir, '--work-dir', path.join(work, 'cb-work'),
        '--logs-dir', path.join(work, 'cb-logs'), '--agree-tos', '-m', 'certbot@example.test', '--non-interactive', '--deploy-hook', hook, '-d', 'cb.test', '-d', 'www.cb.test'],
      { env: { ...process.env, REQUESTS_CA_BUNDLE: sandbox.state.caBundlePath }, timeout: 180_000 },
    );
    const lego = (names: string[]) =>
      run('lego', ['--server', server, '--http', '--http.port', `:${sandbox.httpPort}`, '--path', legoDir, '--accept-tos', '--email', 'lego@example.test', ...names.flatMap((n) => ['-d', n]), 'run'], {
        env: { ...process.env, LEGO_CA_CERTIFICATES: sandbox.state.caBundlePath },
        timeout: 180_000,
      });
    await lego(['lg.test']);
    // The same names certbot has: once certbot's is imported, this one must be reported, not imported again.
    await lego(['cb.test', 'www.cb.test']);
  });
  after(async () => {
    await sandbox?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('certbot: the preview writes nothing; the import brings the certificate with its real serial, the account and the hook', async () => {
    const certbotBefore = await hashTree(certbotDir);
    const regsBefore = registrations();
    assert.equal(regsBefore, 2, 'certbot registered once, lego once (its second run reuses its account)');

    const dry = await runCli(['import', 'certbot', '--config-dir', certbotDir, '--dry-run', '--json'], env);
    assert.equal(dry.code, 0, dry.stderr);
    const preview = (JSON.parse(dry.stdout) as { plan: ImportPlan }).plan;
    assert.equal(preview.certificates.length, 1);
    assert.equal(preview.certificates[0]!.action, 'import');
    assert.equal(preview.accounts[0]!.action, 'import');
    await assert.rejects(stat(path.join(sandbox.home, 'live', 'cb.test')), /ENOENT/, 'a dry run writes nothing');
    await assert.rejects(stat(path.join(sandbox.home, 'accounts')), /ENOENT/, 'not even an account');

    const r = await runCli(['import', 'certbot', '--config-dir', certbotDir], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /imported 1 certificate\(s\) \(cb\.test\) and 1 account/);
    assert.match(r.stdout, /deploy +run .*reload\.sh/);

    const realSerial = new X509Certificate(await readFile(path.join(certbotDir, 'live', 'cb.test', 'cert.pem'))).serialNumber.toUpperCase();
    const list = await runCli(['list', '--json'], env);
    const { certificates } = JSON.parse(list.stdout) as { certificates: CertificateListing[] };
    const cb = certificates.find((c) => c.certName === 'cb.test');
    assert.equal(cb?.serial, realSerial);
    assert.deepEqual([...cb!.domains].sort(), ['cb.test', 'www.cb.test']);
    assert.equal(cb?.caId, 'sandbox');

    assert.equal((await stat(path.join(sandbox.home, 'live', 'cb.test', 'privkey.pem'))).mode & 0o777, 0o600);
    const accounts = JSON.parse((await runCli(['account', 'list', '--json'], env)).stdout) as { accounts: Array<{ id: string; accountUrl?: string; certificates: string[] }> };
    const regr = JSON.parse(await readFile((await findFile(path.join(certbotDir, 'accounts'), 'regr.json'))!, 'utf8')) as { uri: string };
    const mine = accounts.accounts.find((a) => a.accountUrl === regr.uri);
    assert.ok(mine, 'the account keeps certbot\'s account URL');
    assert.deepEqual(mine.certificates, ['cb.test']);
    const keyFile = path.join(sandbox.home, 'accounts', ...mine.id.split('/'), 'account.key');
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);

    assert.deepEqual(await hashTree(certbotDir), certbotBefore, "certbot's files are unchanged");
    assert.equal(registrations(), regsBefore);
  });

  it('certbot again: everything is already managed and nothing in the home is rewritten', async () => {
    const home = await hashTree(path.join(sandbox.home, 'live'));
    const accounts = await hashTree(path.join(sandbox.home, 'accounts'));
    const requests = await hashTree(path.join(sandbox.home, 'requests'));
    const r = await runCli(['import', 'certbot', '--config-dir', certbotDir, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { plan: ImportPlan; imported: { certificates: string[]; accounts: string[] } };
    assert.deepEqual(out.imported, { certificates: [], accounts: [] });
    assert.deepEqual(out.plan.summary, { import: 0, alreadyManaged: 2, cannotImport: 0 });
    assert.match(out.plan.certificates[0]!.reason ?? '', /already managed as cb\.test/);
    assert.deepEqual(await hashTree(path.join(sandbox.home, 'live')), home);
    assert.deepEqual(await hashTree(path.join(sandbox.home, 'accounts')), accounts);
    assert.deepEqual(await hashTree(path.join(sandbox.home, 'requests')), requests);
  });

  it("lego: its certificate comes in; its certificate for certbot's names is reported, not duplicated", async () => {
    const legoBefore = await hashTree(legoDir);
    const r = await runCli(['import', 'lego', '--path', legoDir, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const { plan, imported } = JSON.parse(r.stdout) as { plan: ImportPlan; imported: { certificates: string[]; accounts: string[] } };
    assert.deepEqual(imported.certificates, ['lg.test']);
    const dup = plan.certificates.find((c) => c.sourceName === 'cb.test');
    assert.equal(dup?.action, 'already-managed');
    assert.match(dup?.reason ?? '', /already manages these names as cb\.test .*nothing is duplicated/);
    const lg = plan.certificates.find((c) => c.certName === 'lg.test');
    assert.equal(lg?.request?.ca, 'sandbox', 'lego records only host:port; certdeck found the sandbox CA there');
    assert.ok(lg?.notCarried.some((n) => n.what === 'the challenge'), 'the guessed challenge is said');

    const realSerial = new X509Certificate(await readFile(path.join(legoDir, 'certificates', 'lg.test.crt'))).serialNumber.toUpperCase();
    const { certificates } = JSON.parse((await runCli(['list', '--json'], env)).stdout) as { certificates: CertificateListing[] };
    assert.equal(certificates.find((c) => c.certName === 'lg.test')?.serial, realSerial);
    assert.equal(certificates.filter((c) => c.domains.includes('www.cb.test')).length, 1, 'no second copy of cb.test');
    assert.deepEqual(await hashTree(legoDir), legoBefore, "lego's files are unchanged");
  });

  it('re-issuing through certdeck reuses the imported accounts: no new registration at the CA; the certbot hook runs unchanged', async () => {
    const regsBefore = registrations();
    const certbotBefore = await hashTree(certbotDir);
    const legoBefore = await hashTree(legoDir);
    for (const names of [['cb.test', 'www.cb.test'], ['lg.test']]) {
      const r = await runCli(['issue', ...names, '--json'], env, { timeoutMs: 180_000 });
      assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
      assert.match(r.stdout, /using stored request for \S+: CA sandbox, account \S+/);
      assert.doesNotMatch(r.stdout, /Registered a new account/);
    }
    assert.equal(registrations(), regsBefore, 'the CA saw no new registration');
    const lines = (await readFile(hookOut, 'utf8')).trim().split('\n');
    // The first line is certbot's own run of the hook; the last is certdeck's, with certdeck's live directory.
    assert.equal(lines.at(-1), `${path.join(sandbox.home, 'live', 'cb.test')}|cb.test www.cb.test`);
    assert.deepEqual(await hashTree(certbotDir), certbotBefore);
    assert.deepEqual(await hashTree(legoDir), legoBefore);
  });
});

async function findFile(dir: string, name: string): Promise<string | undefined> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = await findFile(p, name);
      if (found) return found;
    } else if (entry.name === name) return p;
  }
  return undefined;
}
