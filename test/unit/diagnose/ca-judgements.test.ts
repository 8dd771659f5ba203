import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveCa } from '../../../src/engine/ca/catalog.js';
import { behaviourFindings } from '../../../src/engine/diagnose/behaviour.js';
import { clockSkewFindings, reachabilityFindings, tosFindings } from '../../../src/engine/diagnose/ca/checks.js';
import { rateLimitFindings } from '../../../src/engine/diagnose/ca/rate-limits.js';
import type { Journal } from '../../../src/engine/store/journal.js';

const ctx = { sandboxDir: '/nonexistent' };
const HOUR = 3_600_000;
const NOW = Date.parse('2026-12-03T12:00:00Z');

function journal(certName: string, domains: string[], history: Journal['history']): Journal {
  return { formatVersion: 1, certName, request: { domains, caId: 'letsencrypt', directoryUrl: 'x', keyType: 'ec-p256' }, requestKey: 'k', history };
}

describe('catalog facts the doctor relies on', () => {
  it('every public CA has CAA identifiers; Let\'s Encrypt has rate limits; ZeroSSL is identified as sectigo.com', () => {
    assert.deepEqual(resolveCa('letsencrypt', ctx).caaIdentifiers, ['letsencrypt.org']);
    assert.deepEqual(resolveCa('zerossl', ctx).caaIdentifiers, ['sectigo.com']);
    assert.deepEqual(resolveCa('google', ctx).caaIdentifiers, ['pki.goog']);
    assert.ok((resolveCa('letsencrypt', ctx).rateLimits ?? []).some((l) => l.id === 'certificates-per-name-set' && l.limit === 5));
  });
});

describe('rate limits against local history', () => {
  const le = resolveCa('letsencrypt', ctx);
  it('five valid certificates for the same names within 7 days is the limit: an error saying when it frees up', () => {
    const history = [1, 2, 3, 4, 5].map((d) => ({ caId: 'letsencrypt', outcome: 'valid' as const, at: NOW - d * 24 * HOUR }));
    const r = rateLimitFindings({ caId: le.id, caName: le.name, limits: le.rateLimits ?? [], certName: 'a', domains: ['a.example.com'], journals: [journal('a', ['a.example.com'], history)], now: NOW });
    const reached = r.findings.find((f) => f.id === 'ratelimit.reached');
    assert.ok(reached, JSON.stringify(r.findings));
    assert.match(reached.seen, /5 of the 5 certificates per exact set of names/);
    assert.match(reached.todo, new RegExp(new Date(NOW - 5 * 24 * HOUR + 168 * HOUR).toISOString()));
  });

  it('four of five is a warning; old entries and other CAs do not count', () => {
    const history = [
      ...[1, 2, 3, 4].map((d) => ({ caId: 'letsencrypt', outcome: 'valid' as const, at: NOW - d * HOUR })),
      { caId: 'letsencrypt', outcome: 'valid' as const, at: NOW - 8 * 24 * HOUR },
      { caId: 'zerossl', outcome: 'valid' as const, at: NOW - HOUR },
    ];
    const r = rateLimitFindings({ caId: le.id, caName: le.name, limits: le.rateLimits ?? [], certName: 'a', domains: ['a.example.com'], journals: [journal('a', ['a.example.com'], history)], now: NOW });
    assert.deepEqual(r.findings.map((f) => `${f.severity} ${f.id}`), ['warning ratelimit.near']);
  });
});

describe('CA judgements', () => {
  const sandboxLike = { ...resolveCa('letsencrypt', ctx) };
  it('a Date an hour ahead is an error, 40 s a warning, 2 s nothing', () => {
    const probe = (skewMs: number) => ({ url: 'u', status: 200, skewMs, dateHeader: 'd' });
    assert.equal(clockSkewFindings(sandboxLike, probe(3_600_000)).findings[0]?.severity, 'error');
    assert.equal(clockSkewFindings(sandboxLike, probe(-40_000)).findings[0]?.severity, 'warning');
    assert.equal(clockSkewFindings(sandboxLike, probe(2_000)).findings.length, 0);
  });

  it('refused connections, 503s and non-directories each get their own finding', () => {
    assert.equal(reachabilityFindings(sandboxLike, { url: 'u', error: { code: 'ECONNREFUSED', message: 'x' } }, NOW).findings[0]?.id, 'ca.unreachable');
    assert.equal(reachabilityFindings(sandboxLike, { url: 'u', error: { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'x' } }, NOW).findings[0]?.id, 'ca.tls-untrusted');
    assert.equal(reachabilityFindings(sandboxLike, { url: 'u', status: 503, retryAfter: '2' }, NOW).findings[0]?.id, 'ca.busy');
    assert.equal(reachabilityFindings(sandboxLike, { url: 'u', status: 200, directory: {} }, NOW).findings[0]?.id, 'ca.not-a-directory');
    assert.equal(reachabilityFindings(sandboxLike, { url: 'u', status: 200, durationMs: 12, directory: { newNonce: 'a', newAccount: 'b', newOrder: 'c' } }, NOW).findings.length, 0);
  });

  it('terms of service changed since the account agreed', () => {
    const probe = { url: 'u', status: 200, directory: { newNonce: 'a', newAccount: 'b', newOrder: 'c', meta: { termsOfService: 'https://ca/tos-v2.pdf' } } };
    const base = { directoryUrl: 'u', tosAgreed: true, dir: '/d', accountUrl: 'https://ca/acct/1' };
    assert.equal(tosFindings(sandboxLike, probe, [{ ...base, tosUrl: 'https://ca/tos-v1.pdf' }])[0]?.id, 'ca.tos-changed');
    assert.equal(tosFindings(sandboxLike, probe, [{ ...base, tosUrl: 'https://ca/tos-v2.pdf' }]).length, 0);
  });

  it('known slow processing: info with the default policy, a warning when the deadline is cut below what it needs', () => {
    const zerossl = resolveCa('zerossl', ctx);
    assert.deepEqual(behaviourFindings(zerossl).map((f) => f.severity), ['info']);
    const short = resolveCa('zerossl', { ...ctx, caPolicies: { zerossl: { deadlines: { processing: 60_000 } } } });
    const [f] = behaviourFindings(short);
    assert.equal(f?.severity, 'warning');
    assert.match(f?.todo ?? '', /--poll-timeout 5m/);
  });
});
