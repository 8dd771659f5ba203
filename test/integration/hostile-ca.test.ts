import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { IssueOutcome, IssueRequest } from '../../src/engine/api.js';
import { AcmeSession } from '../../src/engine/acme/session.js';
import { NoncePool } from '../../src/engine/acme/nonce-pool.js';
import { installTransport } from '../../src/engine/acme/transport.js';
import { systemClock } from '../../src/engine/core/clock.js';
import { EngineError } from '../../src/engine/core/errors.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { accountDir } from '../../src/engine/store/accounts.js';
import { startHostileCa, type HostileCa } from '../support/hostile-ca.js';

/**
 * certdeck against an ACME server that lies (test/support/hostile-ca.ts): every answer it must not trust is
 * refused before anything is installed, and nothing it sends reaches a terminal raw.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('a hostile CA gets nowhere', () => {
  let ca: HostileCa;
  let root: string;
  let webroot: string;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'certdeck-hostile-'));
    webroot = await mkdtemp(path.join(root, 'webroot-'));
    ca = await startHostileCa(root);
  });
  after(async () => {
    await ca?.stop();
    await rm(root, { recursive: true, force: true });
  });

  async function issue(home: string, request: Partial<IssueRequest> & { domains: string[] }): Promise<{ outcome: IssueOutcome; events: EngineEvent[] }> {
    const engine = new Engine({ paths: pathsUnder(home), clock: systemClock, userAgent: 'certdeck-test' });
    const events: EngineEvent[] = [];
    engine.onEvent((e) => events.push(e));
    try {
      const outcome = await engine.issue({
        ca: ca.directoryUrl,
        caBundlePath: ca.tlsRootPath,
        agreeTos: true,
        challenge: { method: 'http-01-webroot', webroot },
        ...request,
      });
      return { outcome, events };
    } finally {
      await engine.close();
    }
  }

  const liveFingerprint = async (home: string, certName: string): Promise<string> =>
    (JSON.parse(await readFile(path.join(home, 'live', certName, 'meta.json'), 'utf8')) as { fingerprint: string }).fingerprint;

  describe('the issued certificate', () => {
    let home: string;
    let good: string;
    before(async () => {
      home = await mkdtemp(path.join(root, 'home-'));
      ca.behaviour = {};
      const { outcome } = await issue(home, { domains: ['site.test', 'www.site.test'], certName: 'site' });
      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
      good = await liveFingerprint(home, 'site');
    });

    const refused = async (behaviour: HostileCa['behaviour'], code: string, message: RegExp): Promise<void> => {
      ca.behaviour = behaviour;
      const { outcome } = await issue(home, { domains: ['site.test', 'www.site.test'], certName: 'site' });
      assert.equal(outcome.ok, false);
      assert.equal(outcome.error?.kind, 'ca-problem', JSON.stringify(outcome.error));
      assert.equal(outcome.error?.code, code);
      assert.match(outcome.error!.message, message);
      assert.equal(await liveFingerprint(home, 'site'), good, 'the certificate in use is untouched');
    };

    it('for other names is refused and the valid certificate stays', () =>
      refused({ certNames: ['evil.test'] }, 'issued-wrong-names', /is for evil\.test; not requested: evil\.test; missing: site\.test, www\.site\.test/));

    it('for one name too many is refused', () =>
      refused({ certNames: ['site.test', 'www.site.test', 'extra.test'] }, 'issued-wrong-names', /not requested: extra\.test/));

    it('for one name too few is refused', () => refused({ certNames: ['site.test'] }, 'issued-wrong-names', /missing: www\.site\.test/));

    it('valid only from 2099 is refused', () =>
      refused({ notBefore: new Date('2099-01-01T00:00:00Z'), notAfter: new Date('2099-06-01T00:00:00Z') }, 'issued-not-yet-valid', /not valid until 2099-01-01/));

    it('already expired is refused', () =>
      refused({ notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }, 'issued-expired', /expired at/));

    it('not signed by the issuer sent with it is refused', () => refused({ wrongIssuer: true }, 'issued-bad-chain', /not signed by the issuer/));

    it('an honest certificate is installed and meta.json records its real names and dates', async () => {
      ca.behaviour = {};
      const { outcome } = await issue(home, { domains: ['site.test', 'www.site.test'], certName: 'site' });
      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
      const meta = JSON.parse(await readFile(path.join(home, 'live', 'site', 'meta.json'), 'utf8')) as { domains: string[]; notBefore: string; fingerprint: string };
      assert.deepEqual(meta.domains, ['site.test', 'www.site.test']);
      assert.notEqual(meta.fingerprint, good);
    });
  });

  it('authorizations for names never requested are refused, never shown as validated', async () => {
    const home = await mkdtemp(path.join(root, 'home-'));
    ca.behaviour = { extraAuthzNames: ['bank.test'] };
    const finalized = ca.counts.finalize;
    const { outcome, events } = await issue(home, { domains: ['authz.test'] });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.code, 'unrequested-identifier', JSON.stringify(outcome.error));
    assert.match(outcome.error!.message, /added an authorization for "bank\.test"/);
    assert.equal(events.some((e) => e.type === 'authz:updated' && e.domain === 'bank.test'), false);
    assert.equal(ca.counts.finalize, finalized, 'the order was never finalized');
  });

  it('a redirect of a signed request to plain http is not followed', async () => {
    const home = await mkdtemp(path.join(root, 'home-'));
    ca.behaviour = { redirectNewOrderTo: `${ca.httpUrl}/order` };
    ca.httpHits.length = 0;
    const { outcome } = await issue(home, { domains: ['redirect.test'] });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'ca-problem', JSON.stringify(outcome.error));
    assert.deepEqual(ca.httpHits, [], 'nothing was sent over http');
  });

  it('directory endpoints on http (another host or scheme) are refused before any request to them', async () => {
    const home = await mkdtemp(path.join(root, 'home-'));
    ca.behaviour = { directoryOverrides: { newOrder: `${ca.httpUrl}/order`, newAccount: `${ca.httpUrl}/acct` } };
    ca.httpHits.length = 0;
    const before = ca.counts.newOrder;
    const { outcome } = await issue(home, { domains: ['plain.test'] });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'config');
    assert.equal(outcome.error?.code, 'insecure-ca-url');
    assert.match(outcome.error!.message, /not https; certdeck does not follow it/);
    assert.deepEqual(ca.httpHits, []);
    assert.equal(ca.counts.newOrder, before);
  });

  for (const retryAfter of ['0', '-5', 'Thu, 01 Jan 1970 00:00:00 GMT']) {
    it(`Retry-After: ${retryAfter} waits the policy's floor, never nothing`, async () => {
      const home = await mkdtemp(path.join(root, 'home-'));
      ca.behaviour = { processingPolls: 3, retryAfter };
      const polls = ca.counts.orderPolls;
      const { outcome, events } = await issue(home, { domains: [`ra${retryAfter.length}.test`], policy: { floorMs: 250, jitter: 0 } });
      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
      const waits = events.filter((e): e is Extract<EngineEvent, { type: 'wait:scheduled' }> => e.type === 'wait:scheduled' && e.phase === 'processing');
      assert.ok(waits.length >= 3, `${waits.length} waits`);
      for (const w of waits) assert.ok(w.delayMs >= 250, `waited ${w.delayMs} ms`);
      assert.ok(ca.counts.orderPolls - polls <= 6, `${ca.counts.orderPolls - polls} polls, not hundreds`);
    });
  }

  it('CA text with escape sequences and newlines reaches no error message raw (problem detail)', async () => {
    const home = await mkdtemp(path.join(root, 'home-'));
    ca.behaviour = { orderProblemDetail: 'denied\u001b[2J\u001b]0;pwned\u0007\nFAKE: certificate issued OK\r' };
    const { outcome, events } = await issue(home, { domains: ['escape.test'] });
    assert.equal(outcome.ok, false);
    assert.doesNotMatch(outcome.error!.message, CONTROL);
    assert.match(outcome.error!.message, /denied/);
    for (const e of events) assert.doesNotMatch(JSON.stringify(e).replace(/\\u00[0-9a-f]{2}/g, (m) => (m === '\\u001b' ? '\u001b' : m)), /\u001b/, e.type);
  });

  it('the terms-of-service URL is made safe before it is shown', async () => {
    const home = await mkdtemp(path.join(root, 'home-'));
    ca.behaviour = { termsOfService: 'https://tos.test/\u001b[31mred\nforged line' };
    const { outcome } = await issue(home, { domains: ['tos.test'], agreeTos: false });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.code, 'tos-required');
    assert.doesNotMatch(outcome.error!.message, CONTROL);
    assert.match(outcome.error!.message, /https:\/\/tos\.test\/red forged line/);
  });

  it('a corrupt account key is a configuration error at once, not a network error after retries', async () => {
    const home = await mkdtemp(path.join(root, 'home-'));
    ca.behaviour = {};
    assert.equal((await issue(home, { domains: ['acct.test'] })).outcome.ok, true);
    const keyFile = path.join(accountDir(pathsUnder(home), ca.directoryUrl, undefined), 'account.key');
    assert.match(await readFile(keyFile, 'utf8'), /PRIVATE KEY/);
    await writeFile(keyFile, '-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n');
    const { outcome, events } = await issue(home, { domains: ['acct2.test'] });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.kind, 'config', JSON.stringify(outcome.error));
    assert.equal(outcome.error?.code, 'bad-account-key');
    assert.match(outcome.error!.message, /is not a readable private key/);
    assert.equal(events.some((e) => e.type === 'retry:scheduled'), false, 'no retries');
  });

  describe('transport limits', () => {
    let agent: https.Agent;
    before(async () => {
      agent = new https.Agent({ ca: [...rootCertificates, await readFile(ca.tlsRootPath, 'utf8')] });
    });
    after(() => agent?.destroy());
    const trusted = (requestDeadlineMs?: number): AcmeSession => {
      installTransport('certdeck-test');
      return new AcmeSession({
        caId: 'hostile',
        caName: 'hostile CA',
        directoryUrl: ca.directoryUrl,
        httpsAgent: agent,
        clock: systemClock,
        nonces: new NoncePool(),
        onExchange: () => undefined,
        ...(requestDeadlineMs === undefined ? {} : { requestDeadlineMs }),
      });
    };

    it('a body dripped one byte at a time is cut at the request deadline', async () => {
      ca.behaviour = { dripMs: 100 };
      const err = await trusted(800).loadDirectory().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof EngineError, String(err));
      assert.equal(err.kind, 'network');
      assert.match(err.message, /did not complete its answer within 0\.8s while trying to read the ACME directory/);
    });

    it('an oversized body is refused, not buffered', async () => {
      ca.behaviour = { directoryBytes: 3 * 1024 * 1024 };
      const err = await trusted().loadDirectory().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof EngineError, String(err));
      assert.equal(err.kind, 'ca-problem');
      assert.equal(err.code, 'response-too-large');
    });
  });
});
