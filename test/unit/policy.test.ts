import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_POLICY, MIN_WAIT_MS, firstPollMs, mergePolicy, nextDelay, nextPollDelay, parseDuration, parseRetryAfter, type WaitPolicy } from '../../src/engine/policy.js';

const noJitter: WaitPolicy = { ...DEFAULT_POLICY, floorMs: 1000, capMs: 30_000, factor: 2, jitter: 0 };

describe('wait policy', () => {
  it('backs off exponentially from the floor to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((a) => nextDelay(noJitter, a, undefined).delayMs);
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('uses Retry-After as given, even above the cap, and says so', () => {
    assert.deepEqual(nextDelay(noJitter, 1, 45_000), { delayMs: 45_000, reason: 'retry-after' });
  });

  it("never waits less than the policy's floor, whatever Retry-After says (0, negative, a past date)", () => {
    assert.deepEqual(nextDelay(noJitter, 3, 0), { delayMs: 1000, reason: 'retry-after' });
    assert.deepEqual(nextDelay(noJitter, 1, -5000), { delayMs: 1000, reason: 'retry-after' });
    assert.deepEqual(nextDelay(noJitter, 1, 400), { delayMs: 1000, reason: 'retry-after' });
    const now = Date.parse('2026-11-23T12:00:00Z');
    assert.equal(parseRetryAfter('-5', now), undefined, 'a negative number is not a Retry-After');
    assert.equal(nextDelay(noJitter, 1, parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', now)).delayMs, 1000);
    // Even a policy with no floor of its own waits MIN_WAIT_MS.
    assert.equal(nextDelay({ ...noJitter, floorMs: 0 }, 1, 0).delayMs, MIN_WAIT_MS);
    assert.equal(nextDelay({ ...noJitter, floorMs: 0 }, 1, undefined).delayMs, MIN_WAIT_MS);
  });

  it('keeps jittered delays within floor and cap', () => {
    const p = { ...noJitter, jitter: 0.5 };
    assert.equal(nextDelay(p, 1, undefined, () => 0).delayMs, 1000); // would be 500: clamped to the floor
    assert.equal(nextDelay(p, 4, undefined, () => 1).delayMs, 12000); // 8000 * 1.5
    assert.equal(nextDelay(p, 9, undefined, () => 1).delayMs, 30000); // clamped to the cap
  });

  it('polls early once, then backs off from the floor: 250 ms, 1 s, 2 s, 4 s, ... by default', () => {
    const p = { ...DEFAULT_POLICY, jitter: 0 };
    const delays = [1, 2, 3, 4, 5, 6].map((a) => nextPollDelay(p, a, undefined).delayMs);
    assert.deepEqual(delays, [250, 1000, 2000, 4000, 8000, 16000]);
    // No more requests than the old floor-first sequence (1, 2, 4, 8 s) over any wait of a second or more:
    // polls by time t are at most one more, and the early one is the one that finds a fast CA's answer.
    const pollsBy = (seq: number[], t: number): number => seq.reduce((acc, d) => ({ at: acc.at + d, n: acc.at + d <= t ? acc.n + 1 : acc.n }), { at: 0, n: 0 }).n;
    const old = [1, 2, 3, 4, 5, 6].map((a) => nextDelay(p, a, undefined).delayMs);
    for (const t of [1000, 3000, 7000, 15000, 31000]) assert.ok(pollsBy(delays, t) <= pollsBy(old, t) + 1, `by ${t} ms`);
  });

  it('lets Retry-After win over the early first poll, floored at the policy floor', () => {
    const p = { ...DEFAULT_POLICY, jitter: 0 };
    assert.deepEqual(nextPollDelay(p, 1, 3000), { delayMs: 3000, reason: 'retry-after' });
    assert.deepEqual(nextPollDelay(p, 1, 0), { delayMs: 1000, reason: 'retry-after' });
    assert.deepEqual(nextPollDelay(p, 4, 20_000), { delayMs: 20_000, reason: 'retry-after' });
  });

  it('never polls first later than the floor (a tuned sandbox floor of 50 ms polls at 50 ms) nor sooner than MIN_WAIT_MS', () => {
    assert.equal(firstPollMs({ ...DEFAULT_POLICY, floorMs: 50 }), 50);
    assert.equal(nextPollDelay({ ...DEFAULT_POLICY, floorMs: 50, jitter: 0 }, 1, undefined).delayMs, 50);
    assert.equal(nextPollDelay({ ...DEFAULT_POLICY, floorMs: 50, jitter: 0 }, 2, undefined).delayMs, 50);
    assert.equal(firstPollMs({ ...DEFAULT_POLICY, firstMs: 0 }), MIN_WAIT_MS);
  });

  it('jitters the first poll within +/- jitter, never above the floor', () => {
    const p = { ...DEFAULT_POLICY, jitter: 0.2 };
    assert.equal(nextPollDelay(p, 1, undefined, () => 0).delayMs, 200);
    assert.equal(nextPollDelay(p, 1, undefined, () => 1).delayMs, 300);
    assert.equal(nextPollDelay({ ...p, firstMs: 1000 }, 1, undefined, () => 1).delayMs, 1000);
  });

  it('parses both Retry-After forms', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('parses durations with s/m/h and bare seconds', () => {
    assert.equal(parseDuration('20s'), 20_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('45'), 45_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('ten'), undefined);
    assert.equal(parseDuration('5d'), undefined);
  });

  it('merges overrides: later wins, deadlines merge per phase', () => {
    const p = mergePolicy(DEFAULT_POLICY, { maxRetries: 2, deadlines: { processing: 5000 } }, { deadlines: { authorization: 7000 }, floorMs: undefined });
    assert.equal(p.maxRetries, 2);
    assert.equal(p.floorMs, DEFAULT_POLICY.floorMs);
    assert.deepEqual(p.deadlines, { ...DEFAULT_POLICY.deadlines, processing: 5000, authorization: 7000 });
  });
});
