import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { CaInfo } from '../../src/engine/api.js';
import { validateDomain } from '../../src/engine/names.js';
import { DEFAULT_POLICY } from '../../src/engine/policy.js';
import { cronLine, directoryUrlError, dnsHookError, emailError, equivalentCommands, parseSetupNames, planRequest, portError, shellQuote, stagingOf, type SetupPlan } from '../../src/tui/view-model/setup-plan.js';

const ca = (id: string, staging = false): CaInfo => ({ id, name: id, directoryUrl: `https://127.0.0.1/${id}`, eabRequired: false, notes: [], staging, policy: DEFAULT_POLICY });
const validate = (raw: string) => validateDomain(raw, { wildcardAllowed: false });

function plan(over: Partial<SetupPlan> = {}): SetupPlan {
  return {
    domains: ['example.test', 'www.example.test'],
    certName: 'example.test',
    ca: ca('letsencrypt'),
    account: { kind: 'new', email: 'ops@example.test' },
    challenge: { method: 'http-01-webroot', webroot: '/srv/www root' },
    keyType: 'rsa-2048',
    deploy: [{ kind: 'command', argv: ['systemctl', 'reload', 'nginx'], id: 'command-1' }],
    schedule: 'cron',
    ...over,
  };
}

describe('setup plan', () => {
  test('names: IDN to A-label with both forms kept; wildcards refused until dns-01 exists, accepted with it', () => {
    const parsed = parseSetupNames('Bücher.example, *.example.test', validate, { dns01: false });
    assert.deepEqual(parsed.names, ['xn--bcher-kva.example']);
    assert.deepEqual(parsed.idn, [{ unicode: 'bücher.example', ascii: 'xn--bcher-kva.example' }]);
    assert.match(parsed.problems[0]!.reason, /dns-01.*_acme-challenge\.example\.test/);
    assert.deepEqual(parseSetupNames('*.example.test', validate, { dns01: true }).wildcards, ['*.example.test']);
  });

  test('the equivalent commands quote what the shell would split and never carry the EAB HMAC key', () => {
    const lines = equivalentCommands(plan({ eab: { kid: 'kid-1', hmacKey: 'SECRET' } }));
    assert.deepEqual(lines, [
      'CERTDECK_EAB_HMAC_KEY=… certdeck account add --ca letsencrypt --email ops@example.test --eab-kid kid-1 --agree-tos',
      "certdeck issue example.test www.example.test --ca letsencrypt --email ops@example.test --key-type rsa-2048 --webroot '/srv/www root'",
      'certdeck deploy add example.test command --id command-1 -- systemctl reload nginx',
    ]);
    assert.ok(lines.every((l) => !l.includes('SECRET')));
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
  });

  test('an existing account needs no account add; the request and the issue line agree', () => {
    const p = plan({ account: { kind: 'existing', id: 'letsencrypt/ops@example.test', email: 'ops@example.test' }, deploy: [] });
    const lines = equivalentCommands(p);
    assert.equal(lines.length, 1);
    assert.deepEqual(planRequest(p), { certName: 'example.test', domains: ['example.test', 'www.example.test'], ca: 'letsencrypt', email: 'ops@example.test', keyType: 'rsa-2048', challenge: { method: 'http-01-webroot', webroot: '/srv/www root' } });
  });

  test('dns-01: the issue line and the request carry the hook; the hook must be an executable file', () => {
    const p = plan({ domains: ['*.example.test', 'example.test'], challenge: { method: 'dns-01', hook: '/opt/dns hook' }, deploy: [] });
    assert.deepEqual(equivalentCommands(p), [
      'certdeck account add --ca letsencrypt --email ops@example.test --agree-tos',
      "certdeck issue '*.example.test' example.test --name example.test --ca letsencrypt --email ops@example.test --key-type rsa-2048 --challenge dns-01 --dns-hook '/opt/dns hook'",
    ]);
    assert.deepEqual(planRequest(p).challenge, { method: 'dns-01', hook: '/opt/dns hook' });
    const dir = mkdtempSync(path.join(tmpdir(), 'certdeck-hook-'));
    try {
      const hook = path.join(dir, 'hook');
      writeFileSync(hook, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
      assert.match(dnsHookError(hook) ?? '', /not executable: chmod \+x/);
      chmodSync(hook, 0o755);
      assert.equal(dnsHookError(hook), undefined);
      assert.match(dnsHookError(path.join(dir, 'missing')) ?? '', /no file at/);
      assert.match(dnsHookError(dir) ?? '', /is not a file/);
      assert.match(dnsHookError('hook') ?? '', /absolute path/);
      assert.match(dnsHookError('') ?? '', /present\|cleanup/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a rehearsal order goes to the staging CA under its own certificate name', () => {
    const staging = ca('letsencrypt-staging', true);
    assert.equal(stagingOf(ca('letsencrypt'), [ca('letsencrypt'), staging]), staging);
    assert.equal(stagingOf(staging, [staging]), undefined);
    const r = planRequest(plan(), staging);
    assert.equal(r.ca, 'letsencrypt-staging');
    assert.equal(r.certName, 'example.test-rehearsal');
  });

  test('cron line names a non-default home; field checks say what is wrong', () => {
    assert.equal(cronLine('/var/lib/certdeck'), '17 3,15 * * * CERTDECK_HOME=/var/lib/certdeck certdeck renew --jitter 1h');
    assert.equal(cronLine(undefined), '17 3,15 * * * certdeck renew --jitter 1h');
    assert.equal(emailError(''), undefined);
    assert.match(emailError('ops@') ?? '', /not a mail domain/);
    assert.match(emailError('a b@example.test') ?? '', /no spaces/);
    assert.match(directoryUrlError('http://ca.test/dir') ?? '', /https/);
    assert.equal(directoryUrlError('https://ca.test/dir'), undefined);
    assert.match(portError('99999') ?? '', /between 1 and 65535/);
  });
});
