import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_POLICY } from '../../src/engine/policy.js';
import { replay } from '../../src/engine/state.js';
import { certificateStatus } from '../../src/tui/view-model/certificate-status.js';
import { formatCountdown, formatElapsed, formatSpan, formatTimeLeft } from '../../src/engine/core/duration.js';
import { checkIssueForm, parseNames, type IssueFormValues } from '../../src/tui/view-model/issue-form.js';
import { describeOrder, hungSince, orderAbilities } from '../../src/tui/view-model/order-progress.js';
import { stripStyles, truncate, truncateStart } from '../../src/tui/view-model/text.js';
import { describeTimelineEntry } from '../../src/tui/view-model/timeline.js';
import { clampScroll, visibleWindow } from '../../src/tui/view-model/visible-window.js';
import { followedOrderIds } from '../../src/tui/view-model/dashboard-items.js';
import { testValidateDomain } from '../support/render.js';
import { DAY, T0, certificate, finished, hung, processingOrder, queued } from './fixtures.js';

describe('durations', () => {
  test('elapsed rounds down, countdowns round up, spans drop zero parts', () => {
    assert.equal(formatElapsed(252_900), '4m12s');
    assert.equal(formatElapsed(-5), '0s');
    assert.equal(formatElapsed(2 * 3_600_000 + 5 * 60_000), '2h05m');
    assert.equal(formatCountdown(7_200), '8s');
    assert.equal(formatCountdown(0), '0s');
    assert.equal(formatSpan(120_000), '2m');
    assert.equal(formatSpan(90_000), '1m30s');
    assert.equal(formatSpan(1_500), '1.5s');
    assert.equal(formatSpan(250), '250ms');
    assert.equal(formatTimeLeft(54 * DAY + 5), '54d');
    assert.equal(formatTimeLeft(14 * 3_600_000), '14h');
    assert.equal(formatTimeLeft(-3 * DAY), '-3d');
  });
});

describe('order progress', () => {
  test('a wait reads as a countdown with its reason and budget', () => {
    const s = replay(processingOrder('o1', { delayMs: 30_000, reason: 'retry-after' }));
    const p = describeOrder(s.orders['o1']!, T0 + 5_000);
    assert.equal(p.headline, 'processing 5s');
    assert.equal(p.nextPoll, 'next poll in 25s');
    assert.equal(p.delayReason, 'Retry-After 30s');
    assert.equal(p.budget, 'poll 1 · gives up in 1m55s');
    assert.equal(p.tone, 'running');
  });

  test('a poll that is due reads "polling now", never a negative countdown', () => {
    const s = replay(processingOrder('o1', { delayMs: 8_000 }));
    assert.equal(describeOrder(s.orders['o1']!, T0 + 9_000).nextPoll, 'polling now');
  });

  test('hung from the engine flag, or from the policy threshold between polls', () => {
    const policy = { ...DEFAULT_POLICY, hungAfterMs: 60_000 };
    const s = replay(processingOrder('o1', { policy }));
    const o = s.orders['o1']!;
    assert.equal(hungSince(o, T0 + 59_999), undefined);
    assert.equal(hungSince(o, T0 + 60_000), T0);
    const flagged = replay([hung('o1', T0, 7, T0 + 1_000)], s).orders['o1']!;
    assert.equal(hungSince(flagged, T0 + 1_000), T0);
    assert.deepEqual(describeOrder(flagged, T0 + 1_000).hung, { forText: '1s', polls: 7 });
    // Flagged at the threshold while the screen's clock is still a tick behind: hung for the threshold, not less.
    const atThreshold = replay([hung('o1', T0, 5, T0 + 60_000)], s).orders['o1']!;
    assert.deepEqual(describeOrder(atThreshold, T0 + 59_400).hung, { forText: '1m00s', polls: 5 });
    assert.deepEqual(describeOrder(atThreshold, T0 + 61_000).hung, { forText: '1m01s', polls: 5 });
  });

  test('finished orders say how they ended and offer only what still makes sense', () => {
    const s = replay([
      queued('o1'),
      finished('o1', 'failed', T0 + 1000, { error: { kind: 'timeout', code: 'deadline', message: 'processing deadline passed', retryable: true } }),
    ]);
    const o = s.orders['o1']!;
    const p = describeOrder(o, T0 + 61_000);
    assert.equal(p.headline, 'failed 1m00s ago');
    assert.equal(p.ending, 'processing deadline passed');
    assert.deepEqual(orderAbilities(o), { retryNow: false, keepWaiting: false, cancel: false, switchCa: true });
  });
});

describe('certificate status', () => {
  const cert = certificate('example.com', { notBefore: T0 - 30 * DAY, lifetimeDays: 90 });
  test('valid, due, expired from notAfter and now', () => {
    assert.equal(certificateStatus(cert, [], T0).kind, 'valid');
    assert.equal(certificateStatus(cert, [], T0 + 31 * DAY).kind, 'due'); // 29 days of 90 left: under a third
    assert.equal(certificateStatus(cert, [], T0 + 61 * DAY).kind, 'expired');
  });
  test('renewing while an order for it runs; renewal failed but still valid after a failed order', () => {
    const running = replay(processingOrder('o1')).orders['o1']!;
    assert.equal(certificateStatus(cert, [running], T0).kind, 'renewing');
    const failed = replay([queued('o1'), finished('o1', 'failed', T0 + 10)]).orders['o1']!;
    const st = certificateStatus(cert, [failed], T0 + 20);
    assert.equal(st.kind, 'renewal-failed');
    assert.equal(st.label, 'renewal failed, still valid');
  });
  test('a failure a cron run left in the journal counts too, until this session runs a newer order', () => {
    const failedInCron = { ...cert, lastRenewalFailure: { at: T0 - DAY, caId: 'letsencrypt', reason: 'connect ECONNREFUSED' } };
    assert.equal(certificateStatus(failedInCron, [], T0).kind, 'renewal-failed');
    const running = replay(processingOrder('o1')).orders['o1']!;
    assert.equal(certificateStatus(failedInCron, [running], T0).kind, 'renewing');
    const cancelledNow = replay([queued('o1'), finished('o1', 'cancelled', T0)]).orders['o1']!;
    assert.equal(certificateStatus(failedInCron, [cancelledNow], T0).kind, 'valid', 'a newer order of this session replaces what the journal said');
  });
});

describe('issue form', () => {
  test('each bad name keeps its own reason; duplicates are flagged', () => {
    const parsed = parseNames('example.com, bad_name.com www.example.com example.com', testValidateDomain);
    assert.deepEqual(parsed.names, ['example.com', 'www.example.com']);
    assert.deepEqual(parsed.problems, [
      { raw: 'bad_name.com', reason: 'underscores are not allowed in host names' },
      { raw: 'example.com', reason: 'listed twice' },
    ]);
  });
  test('a valid form becomes an IssueRequest; webroot must be absolute; EAB needs both parts', () => {
    const values: IssueFormValues = { names: 'a.example', ca: 'zerossl', keyType: 'ec-p384', challenge: 'http-01-webroot', webroot: 'var/www', eabKid: 'kid', eabHmacKey: '' };
    const bad = checkIssueForm(values, testValidateDomain, true);
    assert.equal(bad.request, undefined);
    assert.match(bad.errors.webroot ?? '', /absolute path/);
    assert.match(bad.errors.eab ?? '', /both/);
    const good = checkIssueForm({ ...values, webroot: '/var/www', eabHmacKey: 'secret' }, testValidateDomain, true);
    assert.deepEqual(good.request, {
      domains: ['a.example'],
      ca: 'zerossl',
      keyType: 'ec-p384',
      challenge: { method: 'http-01-webroot', webroot: '/var/www' },
      eab: { kid: 'kid', hmacKey: 'secret' },
    });
    assert.match(checkIssueForm({ ...values, names: '' }, testValidateDomain, false).errors.names ?? '', /at least one name/);
  });
});

describe('layout helpers', () => {
  test('the visible window keeps the selected item in view', () => {
    const heights = [1, 1, 1, 2, 2, 2, 2];
    assert.deepEqual(visibleWindow(heights, 0, 100), { start: 0, end: 7 });
    const w = visibleWindow(heights, 6, 5);
    assert.ok(w.start <= 6 && w.end === 7);
    assert.ok(heights.slice(w.start, w.end).reduce((a, b) => a + b) <= 5);
    assert.equal(clampScroll(50, 30, 10), 20);
    assert.equal(clampScroll(-3, 30, 10), 0);
  });
  test('truncation and NO_COLOR stripping', () => {
    assert.equal(truncate('example.com', 6), 'examp…');
    assert.equal(truncateStart('/acme/order/123', 8), '…der/123');
    assert.equal(stripStyles('\u001B[32mok\u001B[39m \u001B[7m \u001B[27m'), 'ok _');
  });
  test('timeline entries keep status, problem type and Retry-After', () => {
    const line = describeTimelineEntry({
      at: T0,
      kind: 'http',
      method: 'POST',
      url: 'https://127.0.0.1:14000/acme/finalize/7',
      status: 429,
      problemType: 'urn:ietf:params:acme:error:rateLimited',
      problemDetail: 'too many new orders',
      retryAfterMs: 30_000,
      durationMs: 12,
    });
    assert.equal(line.text, 'POST /acme/finalize/7 → 429 · rateLimited: too many new orders · Retry-After 30s · 12ms');
    assert.equal(line.tone, 'warn');
  });
  test('an issue run follows its orders and the ones that replace them', () => {
    const s = replay([queued('old'), queued('o1'), queued('o2', { replaces: 'o1' }), queued('o3', { replaces: 'o2' }), queued('other')]);
    assert.deepEqual([...followedOrderIds(s, ['o1'], new Set())].sort(), ['o1', 'o2', 'o3']);
    // Without ids: everything but what had already finished when the UI started.
    assert.deepEqual([...followedOrderIds(s, undefined, new Set(['old', 'other']))].sort(), ['o1', 'o2', 'o3']);
  });
});
