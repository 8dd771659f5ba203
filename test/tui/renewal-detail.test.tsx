/**
 * The dashboard's certificate view shows the engine's renewal plan for the selected certificate: the ARI window,
 * the time chosen in it and the CA's explanation link, and after failed renewals when the next attempt is.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import { FakeEngine } from '../support/fake-engine.js';
import { renderApp } from '../support/render.js';
import { renewalDetail } from '../../src/tui/view-model/renewal-detail.js';
import { DAY, T0, certKnown, certificate } from './fixtures.js';

afterEach(() => cleanup());

describe('renewal detail of the selected certificate', () => {
  test('ARI window, chosen time and explanation link; a retry schedule says when the next attempt is', async () => {
    const base = certificate('ari.example', { notBefore: T0 - 10 * DAY, lifetimeDays: 90 });
    const cert = {
      ...base,
      renewal: {
        dueAt: T0 + 20 * DAY,
        source: 'ari' as const,
        ari: { windowStart: T0 + 19 * DAY, windowEnd: T0 + 21 * DAY, selectedAt: T0 + 20 * DAY, explanationUrl: 'https://ca.example/why', nextFetchAt: T0 + DAY / 4 },
        retry: { failures: 2, lastAt: T0 - 60_000, lastError: 'serverInternal', nextAttemptAt: T0 + 9 * 60_000 },
      },
    };
    const detail = renewalDetail(cert, T0);
    assert.match(String(detail), /^renewal failed 2x · next attempt at \d{4}-\d\d-\d\d \d\d:\d\d · ARI window .* – .*, renews at .* · https:\/\/ca\.example\/why$/);
    assert.equal(renewalDetail({ ...base, renewal: { dueAt: T0 + 50 * DAY, source: 'lifetime' } }, T0), undefined, 'the lifetime rule alone adds no line');

    const engine = new FakeEngine({ events: [certKnown(cert)] });
    const ui = renderApp(engine, { clock: new ManualClock(T0), columns: 140, rows: 30 });
    const frame = await ui.waitForText('ARI window');
    assert.match(frame, /next attempt at/);
    assert.match(frame, /renews at \d{4}-/);
  });
});

describe('issue form: the CA\'s profiles', () => {
  test("the chosen CA's meta.profiles show under the CA field, with their descriptions", async () => {
    const engine = new FakeEngine();
    const asked: string[] = [];
    Object.assign(engine, {
      caProfiles: async (ca: string) => (asked.push(ca), [{ name: 'tlsserver', description: 'A modern profile (45 days)' }, { name: 'shortlived', description: '160 hours' }]),
    });
    const ui = renderApp(engine, { clock: new ManualClock(T0), columns: 120, rows: 30 });
    await ui.waitForText('Press n');
    ui.press('n');
    const frame = await ui.waitForText('profiles: tlsserver (A modern profile (45 days)), shortlived (160 hours)');
    assert.match(frame, /New certificate/);
    assert.ok(asked.length >= 1, 'asked the engine for the chosen CA');
  });
});
