/**
 * Import from fixtures (issue 16). acme.sh is not packaged in Debian, so its home is written here from its
 * documented format (acme.sh@d60c75b: `<domain>[_ecc]/<domain>.conf` with KEY='value' lines and
 * `__ACME_BASE64__START_…__ACME_BASE64__END_` values, `ca/<host>/<path>/account.key` + `ca.conf` ACCOUNT_URL,
 * `account.conf` ACCOUNT_EMAIL; research/next-capabilities.md 6.2). certbot's cases that need no CA (a DNS plugin,
 * manual authentication, per-name webroots, a key that is not the certificate's, a JWK account key) are written
 * from its format too (certbot renewal.py, storage.py, account.py). The certificates are real X.509 made with
 * openssl; nothing is mocked: the engine reads these files and writes a real certdeck home.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createRuntime } from '../../src/app/runtime.js';
import type { ImportPlan } from '../../src/engine/api.js';

const run = promisify(execFile);
const API = 'https://acme.example.test/directory';

/** A leaf for `names` signed by a throwaway CA: key, leaf and chain PEM. */
async function makeCertificate(dir: string, names: string[], curve = 'P-256'): Promise<{ keyPem: string; certPem: string; chainPem: string }> {
  await mkdir(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-subj', '/CN=Fixture CA', '-days', '30']);
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', `/CN=${names[0]}`]);
  await writeFile(f('ext'), `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\n`);
  await run('openssl', ['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '30', '-extfile', f('ext')]);
  return { keyPem: await readFile(f('leaf.key'), 'utf8'), certPem: await readFile(f('leaf.pem'), 'utf8'), chainPem: await readFile(f('ca.pem'), 'utf8') };
}

async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const p = path.join(d, name);
      const st = await lstat(p);
      if (st.isDirectory()) await walk(p);
      else if (st.isSymbolicLink()) out[path.relative(dir, p)] = 'symlink';
      else out[path.relative(dir, p)] = `${(st.mode & 0o777).toString(8)} ${st.mtimeMs} ${createHash('sha256').update(await readFile(p)).digest('hex')}`;
    }
  };
  await walk(dir);
  return out;
}

const b64 = (s: string) => `__ACME_BASE64__START_${Buffer.from(s).toString('base64')}__ACME_BASE64__END_`;

describe('import from acme.sh (fixtures from its documented format) and certbot edge cases', () => {
  let work: string;
  let acmeHome: string;
  let certbotDir: string;

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'certdeck-import-fx-'));
    const scratch = path.join(work, 'scratch');
    acmeHome = path.join(work, 'acme.sh');
    // acme.sh: one certificate with a webroot, install paths and a base64 reload command; one using a DNS API.
    const a = await makeCertificate(path.join(scratch, 'a'), ['a.test', 'www.a.test']);
    const ecc = path.join(acmeHome, 'a.test_ecc');
    await mkdir(ecc, { recursive: true });
    await writeFile(path.join(ecc, 'a.test.cer'), a.certPem);
    await writeFile(path.join(ecc, 'a.test.key'), a.keyPem);
    await writeFile(path.join(ecc, 'ca.cer'), a.chainPem);
    await writeFile(path.join(ecc, 'fullchain.cer'), a.certPem + a.chainPem);
    await writeFile(
      path.join(ecc, 'a.test.conf'),
      [
        "Le_Domain='a.test'",
        "Le_Alt='www.a.test'",
        "Le_Webroot='/var/www/a,/var/www/a'",
        `Le_API='${API}'`,
        "Le_Keylength='ec-256'",
        "Le_RealKeyPath='/etc/nginx/a.key'",
        "Le_RealFullChainPath='/etc/nginx/a.pem'",
        `Le_ReloadCmd='${b64('systemctl reload nginx && echo reloaded')}'`,
        "Le_RenewalDays='30'",
        '',
      ].join('\n'),
    );
    const d = await makeCertificate(path.join(scratch, 'd'), ['dns.test']);
    const dnsDir = path.join(acmeHome, 'dns.test');
    await mkdir(dnsDir, { recursive: true });
    await writeFile(path.join(dnsDir, 'dns.test.cer'), d.certPem);
    await writeFile(path.join(dnsDir, 'dns.test.key'), d.keyPem);
    await writeFile(path.join(dnsDir, 'ca.cer'), d.chainPem);
    await writeFile(path.join(dnsDir, 'dns.test.conf'), `Le_Domain='dns.test'\nLe_Alt='no'\nLe_Webroot='dns_cf'\nLe_API='${API}'\nLe_Keylength='2048'\n`);
    const caDir = path.join(acmeHome, 'ca', 'acme.example.test', 'directory');
    await mkdir(caDir, { recursive: true });
    await writeFile(path.join(caDir, 'account.key'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }));
    await writeFile(path.join(caDir, 'ca.conf'), "ACCOUNT_URL='https://acme.example.test/acct/77'\n");
    await writeFile(path.join(acmeHome, 'account.conf'), "ACCOUNT_EMAIL='acme@example.test'\n");

    // certbot: a DNS plugin, manual authentication, per-name webroots, and a key that belongs to another certificate.
    certbotDir = path.join(work, 'letsencrypt');
    const lineage = async (name: string, names: string[], params: string[], opts: { wrongKey?: boolean } = {}) => {
      const c = await makeCertificate(path.join(scratch, name), names);
      const other = opts.wrongKey ? await makeCertificate(path.join(scratch, `${name}-other`), names) : c;
      const live = path.join(certbotDir, 'live', name);
      await mkdir(live, { recursive: true });
      await writeFile(path.join(live, 'cert.pem'), c.certPem);
      await writeFile(path.join(live, 'chain.pem'), c.chainPem);
      await writeFile(path.join(live, 'privkey.pem'), other.keyPem);
      await mkdir(path.join(certbotDir, 'renewal'), { recursive: true });
      await writeFile(
        path.join(certbotDir, 'renewal', `${name}.conf`),
        [`version = 2.1.0`, `cert = ${path.join(live, 'cert.pem')}`, `privkey = ${path.join(live, 'privkey.pem')}`, `chain = ${path.join(live, 'chain.pem')}`, '', '[renewalparams]', `server = ${API}`, 'account = 0a1b2c', ...params, ''].join('\n'),
      );
    };
    await lineage('cf.test', ['cf.test'], ['authenticator = dns-cloudflare', 'dns_cloudflare_credentials = /root/.secrets/cf.ini', 'key_type = ecdsa']);
    await lineage('man.test', ['man.test'], ['authenticator = manual', 'pref_challs = http-01,', 'key_type = ecdsa']);
    await lineage('web.test', ['web.test', 'www.web.test'], ['authenticator = webroot', 'key_type = ecdsa', 'pre_hook = systemctl stop nginx', 'post_hook = systemctl start nginx', '[[webroot_map]]', 'web.test = /srv/one', 'www.web.test = /srv/two']);
    await lineage('bad.test', ['bad.test'], ['authenticator = standalone', 'key_type = ecdsa'], { wrongKey: true });
    const acct = path.join(certbotDir, 'accounts', 'acme.example.test', 'directory', '0a1b2c');
    await mkdir(acct, { recursive: true });
    await writeFile(path.join(acct, 'private_key.json'), JSON.stringify(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })));
    await writeFile(path.join(acct, 'regr.json'), JSON.stringify({ body: {}, uri: 'https://acme.example.test/acct/certbot-1' }));
    await writeFile(path.join(acct, 'meta.json'), JSON.stringify({ creation_dt: '2024-01-01T00:00:00Z', creation_host: 'host' }));
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  const freshHome = async (name: string) => {
    const home = path.join(work, name);
    await mkdir(home, { mode: 0o700 });
    return home;
  };

  it('acme.sh: webroot, install paths and the base64 reload command carry over; the DNS API is listed with what to do; idempotent', async () => {
    const before = await hashTree(acmeHome);
    const home = await freshHome('home-acme');
    const { engine } = await createRuntime({ CERTDECK_HOME: home }, { deployAfterIssue: false });
    try {
      const plan = await engine.planImport('acme.sh', { dir: acmeHome });
      const a = plan.certificates.find((c) => c.certName === 'a.test')!;
      assert.equal(a.action, 'import');
      assert.deepEqual(a.domains, ['a.test', 'www.a.test']);
      assert.deepEqual(a.request?.challenge, { method: 'http-01-webroot', webroot: '/var/www/a' });
      assert.equal(a.request?.keyType, 'ec-p256');
      assert.match(a.request?.account ?? '', /\/acme@example\.test$/);
      assert.ok(a.notCarried.some((n) => n.what.startsWith('Le_RenewalDays')));
      const dns = plan.certificates.find((c) => c.certName === 'dns.test')!;
      assert.equal(dns.action, 'import');
      assert.equal(dns.request, undefined, 'no challenge certdeck can use: no stored request');
      assert.match(dns.notCarried.map((n) => n.reason).join('\n'), /dns_cf.*--dns-hook HOOK/);
      assert.deepEqual(plan.accounts.map((x) => [x.action, x.accountUrl]), [['import', 'https://acme.example.test/acct/77']]);

      const result = await engine.applyImport(plan);
      assert.deepEqual(result.imported.certificates.sort(), ['a.test', 'dns.test']);
      const targets = await engine.describeDeployTargets('a.test');
      assert.deepEqual(
        targets.targets.map((t) => (t.kind === 'command' ? t.argv : t.kind === 'files' ? t.paths : t.kind)),
        [{ key: '/etc/nginx/a.key', fullchain: '/etc/nginx/a.pem' }, ['/bin/sh', '-c', 'systemctl reload nginx && echo reloaded']],
      );
      assert.deepEqual((await engine.storedRequest('a.test'))?.challenge, { method: 'http-01-webroot', webroot: '/var/www/a' });
      const [account] = await engine.listAccounts();
      assert.equal(account?.accountUrl, 'https://acme.example.test/acct/77');
      assert.equal(account?.email, 'acme@example.test');
      assert.deepEqual(account?.certificates, ['a.test']);
      assert.equal((await stat(path.join(home, 'accounts', ...account!.id.split('/'), 'account.key'))).mode & 0o777, 0o600);
      assert.equal((await stat(path.join(home, 'live', 'a.test', 'privkey.pem'))).mode & 0o777, 0o600);

      const homeAfter = await hashTree(home);
      // The plan shown before is stale now (everything in it is managed): confirming it again writes nothing.
      await assert.rejects(engine.applyImport(plan), /changed since the preview; nothing was imported/);
      assert.deepEqual(await hashTree(home), homeAfter);
      const again = await engine.planImport('acme.sh', { dir: acmeHome });
      assert.deepEqual(again.summary, { import: 0, alreadyManaged: 3, cannotImport: 0 });
      await assert.doesNotReject(engine.applyImport(again));
      assert.deepEqual(await hashTree(home), homeAfter, 'a second import rewrites nothing');
    } finally {
      await engine.close();
    }
    assert.deepEqual(await hashTree(acmeHome), before, "acme.sh's files are unchanged");
  });

  it('certbot: DNS plugin, manual auth and per-name webroots are listed with the reason; a wrong key is refused; the JWK account key is kept', async () => {
    const before = await hashTree(certbotDir);
    const home = await freshHome('home-certbot');
    const { engine } = await createRuntime({ CERTDECK_HOME: home }, { deployAfterIssue: false });
    try {
      const plan = await engine.planImport('certbot', { dir: certbotDir });
      const byName = (n: string) => plan.certificates.find((c) => c.sourceName === n)!;
      const reasons = (n: string) => byName(n).notCarried.map((x) => `${x.what}: ${x.reason}`).join('\n');
      assert.match(reasons('cf.test'), /authenticator = dns-cloudflare: .*cloudflare DNS plugin .*\/root\/\.secrets\/cf\.ini.*--dns-hook HOOK/);
      assert.match(reasons('man.test'), /manual authentication needs a person/);
      assert.match(reasons('web.test'), /web\.test -> \/srv\/one, www\.web\.test -> \/srv\/two.*one webroot per certificate/);
      assert.match(reasons('web.test'), /pre_hook = systemctl stop nginx: certdeck has no hook before an order/);
      assert.deepEqual(byName('web.test').deployTargets.map((t) => t.kind === 'command' && t.argv), [['systemctl', 'start', 'nginx']]);
      assert.equal(byName('bad.test').action, 'cannot-import');
      assert.match(byName('bad.test').reason ?? '', /private key next to it is not the key of this certificate/);

      await engine.applyImport(plan);
      const { certificates } = await engine.listCertificates();
      assert.deepEqual(certificates.map((c) => c.certName).sort(), ['cf.test', 'man.test', 'web.test']);
      const [account] = await engine.listAccounts();
      assert.equal(account?.accountUrl, 'https://acme.example.test/acct/certbot-1');
      const jwk = JSON.parse(await readFile(path.join(certbotDir, 'accounts', 'acme.example.test', 'directory', '0a1b2c', 'private_key.json'), 'utf8')) as import('node:crypto').JsonWebKey;
      const pem = await readFile(path.join(home, 'accounts', ...account!.id.split('/'), 'account.key'), 'utf8');
      assert.equal(createPublicKey(pem).export({ format: 'jwk' }).n, jwk.n, 'the same key, now PEM');
    } finally {
      await engine.close();
    }
    assert.deepEqual(await hashTree(certbotDir), before, "certbot's files are unchanged");
  });

  it('a failure half-way leaves the certdeck home as it was', async () => {
    const home = await freshHome('home-fail');
    // deploy/ is a file: the deploy targets of a.test cannot be saved, after its account and certificate were.
    await writeFile(path.join(home, 'deploy'), 'in the way\n');
    const beforeHome = await hashTree(home);
    const { engine } = await createRuntime({ CERTDECK_HOME: home }, { deployAfterIssue: false });
    let plan: ImportPlan;
    try {
      plan = await engine.planImport('acme.sh', { dir: acmeHome });
      assert.equal(plan.summary.import, 3);
      await assert.rejects(engine.applyImport(plan), /deploy/);
    } finally {
      await engine.close();
    }
    const left = await hashTree(home);
    assert.deepEqual(Object.keys(left).filter((k) => !k.startsWith('history/')), Object.keys(beforeHome), `left behind: ${JSON.stringify(Object.keys(left))}`);
    for (const dir of ['live', 'archive', 'requests', 'accounts']) {
      const entries = await readdir(path.join(home, dir)).catch(() => []);
      assert.deepEqual(entries, [], `${dir}/ is empty again`);
    }
  });
});
