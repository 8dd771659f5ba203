/**
 * `--preferred-chain` against a real CA offering alternate chains: Pebble started with PEBBLE_ALTERNATE_ROOTS=1
 * serves every certificate with the default chain (intermediate <- /roots/0) and, as `Link: rel="alternate"`,
 * the same leaf with an intermediate cross-signed by a second root (/roots/1). This Pebble's intermediates share
 * one common name and key, so only the roots' names tell the chains apart, and a chain "verifies" only if its
 * intermediate's signature checks out against the right root.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { livePaths } from '../../src/engine/store/cert-files.js';
import { simpleRequest } from '../../src/sandbox/https-request.js';
import { engineHarness, requestsOf, type EngineHarness } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';

function splitPem(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));
}

function cn(dn: string): string {
  const m = /^CN=(.*)$/m.exec(dn);
  if (!m) throw new Error(`no CN in ${dn}`);
  return m[1]!;
}

/** A root or intermediate from Pebble's management API (`/roots/N`, `/intermediates/N`). */
async function managementCert(sb: TestSandbox, what: string): Promise<X509Certificate> {
  const url = `${sb.ca().managementUrl}/${what}`;
  const res = await simpleRequest(url, { ca: sb.caBundlePem });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const [cert] = splitPem(res.body);
  if (!cert) throw new Error(`${url} held no certificate`);
  return cert;
}

interface Saved {
  leaf: X509Certificate;
  chain: X509Certificate[];
  fullchainPem: string;
  certPem: string;
  chainPem: string;
}

async function readSaved(h: EngineHarness, certName: string): Promise<Saved> {
  const live = livePaths(h.paths, certName);
  const [certPem, chainPem, fullchainPem] = await Promise.all([live.cert, live.chain, live.fullchain].map((f) => readFile(f, 'utf8')));
  const [leaf, ...rest] = splitPem(certPem!);
  assert.equal(rest.length, 0, 'cert.pem holds the leaf only');
  return { leaf: leaf!, chain: splitPem(chainPem!), fullchainPem: fullchainPem!, certPem: certPem!, chainPem: chainPem! };
}

/** fullchain = leaf + chain, and every link (leaf -> intermediate(s) -> root) checks out by name and signature. */
function assertVerifiesUpTo(saved: Saved, root: X509Certificate): void {
  const full = splitPem(saved.fullchainPem);
  assert.deepEqual(full.map((c) => c.fingerprint256), [saved.leaf, ...saved.chain].map((c) => c.fingerprint256), 'fullchain.pem = cert.pem + chain.pem');
  assert.ok(saved.chain.length >= 1, 'at least one intermediate');
  for (let i = 0; i < full.length; i++) {
    const issuer = full[i + 1] ?? root;
    assert.ok(full[i]!.checkIssued(issuer), `certificate ${i} (${cn(full[i]!.subject)}) is issued by ${cn(issuer.subject)}`);
    assert.ok(full[i]!.verify(issuer.publicKey), `certificate ${i} (${cn(full[i]!.subject)}) is signed by ${cn(issuer.subject)}`);
  }
}

/** The top of the saved chain (the certificate just below the root): whose root it names and is signed by. */
function top(saved: Saved): X509Certificate {
  return saved.chain[saved.chain.length - 1]!;
}

/** Certificate downloads (POST-as-GET on /certZ/...) the engine made for one order, in order. */
function certificateFetches(h: EngineHarness, orderId: string): string[] {
  return h
    .of('http:exchange', orderId)
    .filter((x) => x.method === 'POST' && x.status === 200 && /\/certZ\//.test(new URL(x.url).pathname))
    .map((x) => new URL(x.url).pathname);
}

describe('--preferred-chain against Pebble offering one alternate chain', { skip }, () => {
  let sb: TestSandbox;
  let h: EngineHarness;
  let defaultRoot: X509Certificate;
  let alternateRoot: X509Certificate;

  before(async () => {
    sb = await startTestSandbox({ alternateRoots: 1 });
    h = engineHarness(sb);
    [defaultRoot, alternateRoot] = await Promise.all([managementCert(sb, 'roots/0'), managementCert(sb, 'roots/1')]);
    // The premise of every test below: two distinct roots, and the alternate intermediate is really signed by /roots/1.
    assert.notEqual(cn(defaultRoot.subject), cn(alternateRoot.subject));
    const altIntermediate = await managementCert(sb, 'intermediates/1');
    assert.equal(cn(altIntermediate.issuer), cn(alternateRoot.subject));
  });
  after(async () => {
    await h?.close();
    await sb?.stop();
  });

  it('without a preferred chain saves the default chain, up to /roots/0, fetching no alternate', async () => {
    const outcome = await h.issue({ domains: ['default.chain.test'] });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const saved = await readSaved(h, 'default.chain.test');
    assert.equal(cn(top(saved).issuer), cn(defaultRoot.subject), 'the chain tops out at the default root');
    assertVerifiesUpTo(saved, defaultRoot);
    assert.equal(top(saved).verify(alternateRoot.publicKey), false, 'the default intermediate is not signed by the alternate root');
    assert.equal(certificateFetches(h, outcome.orderId).length, 1, 'only the default chain was downloaded');
  });

  it('with the alternate root as preferred chain saves the alternate chain, same leaf kind, verifying up to /roots/1', async () => {
    const preferred = cn(alternateRoot.subject);
    const outcome = await h.issue({ domains: ['alt.chain.test', 'www.alt.chain.test'], preferredChain: preferred });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const saved = await readSaved(h, 'alt.chain.test');
    assert.equal(cn(top(saved).issuer), preferred, "the chain's last certificate is issued by the preferred root");
    assertVerifiesUpTo(saved, alternateRoot);
    assert.equal(top(saved).checkIssued(defaultRoot) || top(saved).verify(defaultRoot.publicKey), false, 'not the default chain');
    // The leaf is the same kind of certificate as on the default chain: our names, issued by the (shared) intermediate.
    assert.deepEqual(saved.leaf.subjectAltName!.split(', ').sort(), ['DNS:alt.chain.test', 'DNS:www.alt.chain.test']);
    assert.equal(saved.leaf.issuer, (await managementCert(sb, 'intermediates/0')).subject);
    const fetches = certificateFetches(h, outcome.orderId);
    assert.equal(fetches.length, 2, `the default and the alternate chain were downloaded: ${fetches.join(', ')}`);
    assert.match(fetches[1]!, /\/alternate\/1$/);
  });

  it('a preferred chain matching no offered chain falls back to the default chain (acme-client returns chains[0])', async () => {
    const outcome = await h.issue({ domains: ['nomatch.chain.test'], preferredChain: 'No Such Root CA' });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const saved = await readSaved(h, 'nomatch.chain.test');
    assert.equal(cn(top(saved).issuer), cn(defaultRoot.subject));
    assertVerifiesUpTo(saved, defaultRoot);
    // Not "ignored": the alternates were fetched and compared, and none matched.
    assert.equal(certificateFetches(h, outcome.orderId).length, 2);
  });
});

describe('--preferred-chain on a resumed order', { skip }, () => {
  it('an order suspended in processing and resumed by a new engine still downloads the preferred chain', async (t) => {
    const sb = await startTestSandbox({ alternateRoots: 1, fault: { rules: [{ kind: 'hang-processing' }] } });
    t.after(() => sb.stop());
    const alternateRoot = await managementCert(sb, 'roots/1');
    const request = { domains: ['resume.chain.test'], preferredChain: cn(alternateRoot.subject) };

    const first = engineHarness(sb);
    t.after(() => first.close());
    const running = first.issue(request);
    const created = await first.waitFor('order:created');
    await first.waitFor('order:status', (e) => e.status === 'processing');
    await first.close();
    const suspended = await running;
    assert.equal(suspended.ok, false, 'the first run was suspended, not finished');

    sb.proxy!.setScenario({ rules: [] });
    sb.proxy!.clearLog();
    const second = engineHarness(sb);
    t.after(() => second.close());
    const outcome = await second.issue(request);
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const resumed = second.of('order:created', outcome.orderId)[0];
    assert.equal(resumed?.resumed, true, 'the journaled order was resumed');
    assert.equal(resumed?.orderUrl, created.orderUrl);
    assert.equal(requestsOf(sb.proxy!.log(), 'new-order').length, 0, 'no new order at the CA');

    const saved = await readSaved(second, 'resume.chain.test');
    assert.equal(cn(top(saved).issuer), cn(alternateRoot.subject));
    assertVerifiesUpTo(saved, alternateRoot);
  });
});

describe('the alternateRoots sandbox option', { skip }, () => {
  it('refuses a count that is not a whole number from 0 to 10, before starting anything', async () => {
    for (const bad of [-1, 1.5, 11, Number.NaN]) {
      await assert.rejects(startTestSandbox({ alternateRoots: bad }), { code: 'bad-alternate-roots' }, String(bad));
    }
  });
});
