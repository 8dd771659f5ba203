import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateCaa, findRelevantCaa, parseIssueValue, toProperties, type CaaProperty } from '../../../src/engine/diagnose/dns/caa.js';
import type { DnsLookups, LookupResult, RawCaa } from '../../../src/engine/diagnose/dns/resolver.js';

const issue = (value: string, critical = false): CaaProperty => ({ tag: 'issue', value, critical });
const wild = (value: string): CaaProperty => ({ tag: 'issuewild', value, critical: false });
const LE = { caIdentifiers: ['letsencrypt.org'], wildcard: false };

/** Lookups answering CAA from a table; every other type is "none". */
function fakeLookups(caa: Record<string, RawCaa[] | 'SERVFAIL'>): DnsLookups & { asked: string[] } {
  const asked: string[] = [];
  const none = async <T>(): Promise<LookupResult<T>> => ({ kind: 'none', code: 'ENODATA' });
  return {
    servers: [],
    asked,
    a: none,
    aaaa: none,
    txt: none,
    async caa(name) {
      asked.push(name);
      const r = caa[name];
      if (r === 'SERVFAIL') return { kind: 'failed', code: 'ESERVFAIL', message: 'queryCaa ESERVFAIL' };
      return r ? { kind: 'ok', value: r } : { kind: 'none', code: 'ENODATA' };
    },
  };
}

describe('CAA evaluation (RFC 8659, RFC 8657)', () => {
  it('allows the CA an issue record names, case-insensitively, and refuses one it does not name', () => {
    assert.equal(evaluateCaa([issue('LetsEncrypt.org')], LE).allowed, true);
    const v = evaluateCaa([issue('sectigo.com'), issue('pki.goog')], LE);
    assert.equal(v.allowed, false);
    assert.match(v.reason, /do not name letsencrypt\.org/);
  });

  it('an empty issuer (";") forbids every CA; a set without issue records restricts nothing', () => {
    assert.equal(evaluateCaa([issue(';')], LE).allowed, false);
    assert.equal(evaluateCaa([{ tag: 'iodef', value: 'mailto:sec@example.com', critical: false }], LE).allowed, true);
  });

  it('issuewild decides for wildcards when present, issue otherwise; non-wildcards ignore issuewild', () => {
    const set = [issue('letsencrypt.org'), wild(';')];
    assert.equal(evaluateCaa(set, { ...LE, wildcard: true }).allowed, false);
    assert.equal(evaluateCaa(set, LE).allowed, true);
    assert.equal(evaluateCaa([issue('letsencrypt.org')], { ...LE, wildcard: true }).allowed, true);
  });

  it('accounturi and validationmethods restrict the property to one account and the listed methods', () => {
    const set = [issue('letsencrypt.org; accounturi=https://acme/acct/1; validationmethods=dns-01')];
    assert.equal(evaluateCaa(set, { ...LE, accountUri: 'https://acme/acct/1', method: 'dns-01' }).allowed, true);
    const otherAccount = evaluateCaa(set, { ...LE, accountUri: 'https://acme/acct/2', method: 'dns-01' });
    assert.equal(otherAccount.allowed, false);
    assert.match(otherAccount.reason, /account https:\/\/acme\/acct\/1, not https:\/\/acme\/acct\/2/);
    const http = evaluateCaa(set, { ...LE, accountUri: 'https://acme/acct/1', method: 'http-01' });
    assert.equal(http.allowed, false);
    assert.match(http.reason, /only by dns-01, not http-01/);
    // Unknown account: allowed, but the verdict says what it is bound to.
    assert.match(evaluateCaa(set, { ...LE, method: 'dns-01' }).reason, /only for account https:\/\/acme\/acct\/1/);
  });

  it('an unknown critical property forbids issuance; an unknown CA cannot be judged', () => {
    assert.equal(evaluateCaa([issue('letsencrypt.org'), { tag: 'future', value: 'x', critical: true }], LE).allowed, false);
    assert.equal(evaluateCaa([issue('letsencrypt.org')], { wildcard: false }).allowed, 'unknown');
  });

  it('parses issuer and parameters with spaces around the separators', () => {
    const v = parseIssueValue(' letsencrypt.org ;  accounturi = https://a/1 ; validationmethods=http-01,dns-01');
    assert.equal(v.issuer, 'letsencrypt.org');
    assert.equal(v.params.get('accounturi'), 'https://a/1');
    assert.equal(v.params.get('validationmethods'), 'http-01,dns-01');
  });

  it('reads node resolveCaa records, which carry a "type" key besides the tag', () => {
    assert.deepEqual(toProperties([{ critical: 128, type: 'CAA', issuewild: 'pki.goog' } as unknown as RawCaa]), [{ critical: true, tag: 'issuewild', value: 'pki.goog' }]);
  });
});

describe('CAA tree climbing', () => {
  it('climbs from the name to the first ancestor with records and stops there', async () => {
    const lookups = fakeLookups({ 'example.com': [{ critical: 0, issue: 'pki.goog' } as RawCaa], com: [{ critical: 0, issue: 'letsencrypt.org' } as RawCaa] });
    const found = await findRelevantCaa(lookups, '*.www.example.com');
    assert.equal(found.kind, 'found');
    assert.equal(found.kind === 'found' && found.at, 'example.com');
    assert.deepEqual(lookups.asked, ['www.example.com', 'example.com']);
  });

  it('reports no records after asking every label up to the TLD, and stops at a failed lookup', async () => {
    const none = fakeLookups({});
    assert.equal((await findRelevantCaa(none, 'a.b.example.com')).kind, 'none');
    assert.deepEqual(none.asked, ['a.b.example.com', 'b.example.com', 'example.com', 'com']);
    const failing = fakeLookups({ 'b.example.com': 'SERVFAIL' });
    const r = await findRelevantCaa(failing, 'a.b.example.com');
    assert.equal(r.kind, 'failed');
    assert.equal(r.kind === 'failed' && r.at, 'b.example.com');
  });
});
