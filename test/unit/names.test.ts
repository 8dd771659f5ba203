import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadInputError } from '../../src/engine/core/errors.js';
import {
  DomainListError,
  defaultCertName,
  directorySlug,
  normalizeDomains,
  validateCertName,
  validateDomain,
} from '../../src/engine/names.js';

const http = { wildcardAllowed: false };
const dns = { wildcardAllowed: true };

describe('validateDomain accepts and normalizes', () => {
  const cases: Array<[string, string, { wildcardAllowed: boolean; ipAllowed?: boolean }?]> = [
    ['example.com', 'example.com'],
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['www.example.co.uk', 'www.example.co.uk'],
    ['a-b.example.com', 'a-b.example.com'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['Bücher.example', 'xn--bcher-kva.example'],
    ['ｅｘａｍｐｌｅ．com', 'example.com'],
    ['bücher。example', 'xn--bcher-kva.example'],
    ['localhost', 'localhost'],
    ['*.example.com', '*.example.com', dns],
    ['*.Bücher.example', '*.xn--bcher-kva.example', dns],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
    ['127.0.0.1', '127.0.0.1', { wildcardAllowed: false, ipAllowed: true }],
    ['[::1]', '::1', { wildcardAllowed: false, ipAllowed: true }],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', { wildcardAllowed: false, ipAllowed: true }],
  ];
  for (const [input, expected, opts] of cases) {
    it(`${JSON.stringify(input)} -> ${expected}`, () => {
      assert.deepEqual(validateDomain(input, opts ?? http), { ok: true, name: expected });
    });
  }
});

describe('validateDomain rejects with the exact reason', () => {
  const longName = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.');
  const cases: Array<[string, RegExp, { wildcardAllowed: boolean; ipAllowed?: boolean }?]> = [
    ['', /^is empty$/],
    ['exa mple.com', /contains a space/],
    [' example.com', /contains a space/],
    ['example.com\t', /contains whitespace/],
    ['a_b.example.com', /contains '_'/],
    ['example.com/path', /contains '\/'/],
    ['a%2eb.com', /contains '%'/],
    ['user@example.com', /contains '@'/],
    ['example.com:443', /contains ':'/],
    ['ｅｘａｍｐｌｅ／com', /contains '\/'/],
    ['xn--abc.example', /invalid punycode label 'xn--abc'/],
    ['xn--ab-.example', /invalid punycode label 'xn--ab-'/],
    ['xn--.example', /invalid punycode label/],
    ['ex\u200bample.com', /invisible character U\+200B/],
    ['exam\u00adple.com', /invisible character U\+00AD/],
    ['exa\ufeffmple.com', /contains whitespace/],
    ['a..example.com', /empty label/],
    ['.example.com', /empty label/],
    ['.', /empty label/],
    ['example.com..', /empty label/],
    [`${'a'.repeat(64)}.com`, /label of 64 characters.*limit is 63/],
    [longName, /is 304 characters long; the limit is 253/],
    ['-a.example.com', /starting with '-'/],
    ['a-.example.com', /ending with '-'/],
    ['*.example.com', /wildcard.*HTTP-01 and TLS-ALPN-01 cannot validate wildcards, use dns-01/],
    ['*example.com', /'\*' may only be the whole leftmost label/, dns],
    ['www.*.example.com', /'\*' may only be the whole leftmost label/, dns],
    ['*.*.example.com', /'\*' may only be the whole leftmost label/, dns],
    ['*.', /empty label/, dns],
    ['192.0.2.1', /IP certificates are not supported yet/],
    ['::1', /IP certificates are not supported yet/],
    ['[2001:db8::1]', /IP certificates are not supported yet/],
    ['10.1', /IP certificates are not supported yet/],
    ['foo.123', /all-digit label '123'/],
    ['[example.com]', /not an IPv6 address/],
    ['10.1', /not supported/, { wildcardAllowed: false, ipAllowed: true }],
  ];
  for (const [input, reason, opts] of cases) {
    it(`${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}: ${reason.source}`, () => {
      const r = validateDomain(input, opts ?? http);
      assert.equal(r.ok, false, `expected ${JSON.stringify(input)} to be rejected, got ${JSON.stringify(r)}`);
      if (!r.ok) assert.match(r.reason, reason);
    });
  }

  it('never throws, whatever is typed', () => {
    const samples = ['\u0000', '\uD800', '[', ']', '*', '**', '.'.repeat(300), 'é'.repeat(300), '🙂.com', 'a\u00ADb.com'];
    for (const s of samples) assert.doesNotThrow(() => validateDomain(s, dns));
  });
});

describe('normalizeDomains', () => {
  it('deduplicates after normalization and keeps first-seen order', () => {
    assert.deepEqual(normalizeDomains(['WWW.example.com', 'example.com', 'www.example.com.', 'Example.com'], http), [
      'www.example.com',
      'example.com',
    ]);
  });

  it('lists every bad name with its reason and a hint, in one error', () => {
    let err: unknown;
    try {
      normalizeDomains(['ok.example', 'bad_name.example', '*.wild.example', 'ok.example', '1.2.3.4'], http);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof DomainListError);
    assert.ok(err instanceof BadInputError);
    assert.equal(err.code, 'bad-domain');
    assert.match(err.message, /^3 of 5 domain names are invalid:/);
    assert.match(err.message, /"bad_name\.example" contains '_'/);
    assert.match(err.message, /"\*\.wild\.example" is a wildcard/);
    assert.match(err.message, /"1\.2\.3\.4" is an IP address/);
    assert.doesNotMatch(err.message, /"ok\.example"/);
    assert.deepEqual(err.problems.map((p) => p.input), ['bad_name.example', '*.wild.example', '1.2.3.4']);
    assert.ok(err.hint && err.hint.length > 0);
  });

  it('rejects an empty list', () => {
    assert.throws(() => normalizeDomains([], http), (e: unknown) => e instanceof BadInputError && e.code === 'no-domains');
  });
});

describe('validateCertName', () => {
  const good = ['example.com', 'www.example.com', 'my-cert_2', 'ops@example.com', 'a'.repeat(100)];
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['a/b', /slash/],
    ['a\\b', /slash/],
    ['..', /'\.\.'/],
    ['a..b', /'\.\.'/],
    ['.hidden', /starts with '\.'/],
    ['-rf', /starts with '-'/],
    ['a'.repeat(101), /101 characters.*limit is 100/],
    ['*.example.com', /contains '\*'/],
    ['a b', /contains ' '/],
  ];
  for (const name of good) it(`accepts ${name.slice(0, 30)}`, () => assert.deepEqual(validateCertName(name), { ok: true, name }));
  for (const [name, reason] of bad) {
    it(`rejects ${JSON.stringify(name.slice(0, 30))}`, () => {
      const r = validateCertName(name);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, reason);
    });
  }
  it('defaultCertName strips a wildcard', () => {
    assert.equal(defaultCertName(['*.example.com', 'example.com']), 'example.com');
    assert.equal(defaultCertName(['www.example.com']), 'www.example.com');
  });
});

describe('directorySlug', () => {
  it('is readable, stable and file-name safe', () => {
    const s = directorySlug('https://acme-v02.api.letsencrypt.org/directory');
    assert.match(s, /^acme-v02-api-letsencrypt-org-directory-[0-9a-f]{8}$/);
    assert.equal(directorySlug('https://acme-v02.api.letsencrypt.org/directory/'), s);
    assert.equal(directorySlug('HTTPS://ACME-V02.api.letsencrypt.org/directory'), s);
  });
  it('tells apart URLs that differ only in port or punctuation', () => {
    assert.notEqual(directorySlug('https://127.0.0.1:14000/dir'), directorySlug('https://127.0.0.1:14001/dir'));
    assert.notEqual(directorySlug('https://a-b.example/x'), directorySlug('https://a.b-example/x'));
  });
});
