import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { excerpt, stripControl } from '../../src/engine/core/sanitize.js';
import { AcmeProblemError } from '../../src/engine/core/errors.js';

describe('text from outside is made safe for a terminal and a log', () => {
  it('drops escape sequences whole and turns line breaks into spaces', () => {
    assert.equal(stripControl('a\u001b[2Jb\u001b]0;title\u0007c\u001b[31mred\u001b[0m'), 'abcred');
    assert.equal(stripControl('line one\nFAKE: issued OK\r\n'), 'line one FAKE: issued OK  ');
    assert.equal(stripControl('tab\there'), 'tab here');
  });

  it('removes other C0/C1 controls, DEL and bidirectional overrides', () => {
    assert.equal(stripControl('a\u0000b\u0007c\u007fd\u0085e\u202eg\u2066h'), 'abcd egh');
  });

  it('keeps ordinary text, Unicode included', () => {
    assert.equal(stripControl('Order is invalid: café.example: 403 — urn:ietf'), 'Order is invalid: café.example: 403 — urn:ietf');
  });

  it('excerpt is one short line', () => {
    const long = `<html>\n${'x'.repeat(500)}\u001b[2J</html>`;
    const e = excerpt(long);
    assert.ok(e.length <= 121);
    assert.doesNotMatch(e, /[\u0000-\u001f]/);
  });

  it('an ACME problem built from CA text carries no control characters', () => {
    const p = new AcmeProblemError({
      type: 'urn:ietf:params:acme:error:unauthorized\u001b[2J',
      status: 403,
      detail: 'no\nFAKE line\u001b]0;x\u0007',
      subproblems: [{ identifier: 'a.test\u001b[1m', detail: 'bad\r\nforged' }],
    });
    assert.doesNotMatch(p.message, /[\u0000-\u001f]/);
    assert.doesNotMatch(JSON.stringify(p.toInfo()), /\\u00(0|1)[0-9a-f]/);
  });
});
