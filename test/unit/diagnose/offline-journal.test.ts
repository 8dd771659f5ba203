import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLastFailure, checkUnfinishedOrder } from '../../../src/engine/diagnose/offline/journal.js';
import type { Journal } from '../../../src/engine/store/journal.js';
import { pathsUnder } from '../../../src/engine/store/paths.js';

const paths = pathsUnder('/tmp/certdeck-unit-home');
const base: Journal = {
  formatVersion: 1,
  certName: 'a.example.com',
  request: { domains: ['a.example.com', 'www.a.example.com'], caId: 'letsencrypt', directoryUrl: 'https://x/dir', keyType: 'ec-p256' },
  requestKey: 'k',
  history: [],
};

describe('journal findings', () => {
  it('the last failure names its problem type and the matching next step; one older than the certificate is ignored', () => {
    const journal: Journal = { ...base, lastFailure: { at: 2_000, caId: 'letsencrypt', reason: 'caa: CAA record for a.example.com prevents issuance' } };
    const [f] = checkLastFailure(journal, 1_000, true);
    assert.equal(f?.id, 'renewal.last-failed');
    assert.equal(f?.severity, 'warning');
    assert.match(f?.seen ?? '', /\(caa\): caa: CAA record/);
    assert.match(f?.todo ?? '', /CAA record forbids this CA/);
    assert.equal(checkLastFailure(journal, 1_000, false)[0]?.severity, 'error');
    assert.deepEqual(checkLastFailure(journal, 3_000, true), []);
  });

  it('an unfinished order says to resume it; after finalize it warns not to start over; a live owner is only noted', () => {
    const current = { caId: 'letsencrypt', directoryUrl: 'https://x/dir', keyFile: '/k', startedAt: 5, orderUrl: 'https://x/order/1' };
    const [open] = checkUnfinishedOrder({ ...base, current }, false, paths);
    assert.equal(open?.id, 'order.unfinished');
    assert.match(open?.todo ?? '', /certdeck issue a\.example\.com www\.a\.example\.com --name a\.example\.com --ca letsencrypt/);
    const [finalized] = checkUnfinishedOrder({ ...base, current: { ...current, finalizeSentAt: 9 } }, false, paths);
    assert.match(finalized?.todo ?? '', /do not start over/);
    assert.equal(checkUnfinishedOrder({ ...base, current }, true, paths)[0]?.id, 'order.running');
    assert.deepEqual(checkUnfinishedOrder(base, false, paths), []);
  });
});
