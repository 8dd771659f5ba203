import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactSecrets, redactUrl } from '../../../src/engine/core/redact.js';

describe('redacting secrets in URLs', () => {
  it('masks userinfo, every query value, the fragment and credential-length path segments', () => {
    assert.equal(redactUrl('https://bot:hunter2@hooks.example.test/notify?token=abc123&channel=ops#frag'), 'https://***:***@hooks.example.test/notify?token=***&channel=***#***');
    assert.equal(redactUrl('https://chat.example.test/services/T0001/B0002/aBcDeFgHiJkLmNoPqRsTuVwX'), 'https://chat.example.test/services/T0001/B0002/***');
    assert.equal(redactUrl('http://127.0.0.1:8080/hook'), 'http://127.0.0.1:8080/hook', 'nothing secret, nothing changed');
  });

  it('finds URLs in free text and keeps the sentence around them', () => {
    const text = 'POST https://u:p@h.example.test/x?key=SECRET failed (see https://h.example.test/status).';
    const out = redactSecrets(text);
    assert.doesNotMatch(out, /SECRET|u:p@/);
    assert.equal(out, 'POST https://***:***@h.example.test/x?key=*** failed (see https://h.example.test/status).');
  });
});
