import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import type { EngineEvent, EventOf } from '../../src/engine/events.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, created, phase, queued } from './fixtures.js';

afterEach(() => cleanup());

const FQDN = '_acme-challenge.example.com.';
const V1 = 'a'.repeat(43);
const V2 = 'b'.repeat(43);

function challenge(domain: string, value: string, status: EventOf<'challenge:status'>['status'], at = T0): EngineEvent {
  return { type: 'challenge:status', at, orderId: 'o1', domain, challengeType: 'dns-01', status, record: FQDN, value };
}

function propagation(at: number, checks: number, seen: [boolean, boolean], done = false): EngineEvent {
  const servers = (s: boolean) => [
    { server: '192.0.2.1', seen: true, answer: '"x"' },
    { server: '192.0.2.2', seen: s, answer: s ? '"x"' : 'no TXT record' },
  ];
  return {
    type: 'dns:propagation',
    at,
    orderId: 'o1',
    mode: 'authoritative',
    startedAt: T0,
    deadlineAt: T0 + 120_000,
    checks,
    records: [
      { fqdn: FQDN, value: V1, servers: servers(seen[0]) },
      { fqdn: FQDN, value: V2, servers: servers(seen[1]) },
    ],
    done,
    ...(done ? {} : { nextCheckAt: at + 2_000 }),
  };
}

describe('order detail: dns-01 records', () => {
  test('shows each record published, propagation n/m servers, time waited, next check and deadline, live', async () => {
    const clock = new ManualClock(T0 + 6_000);
    const engine = new FakeEngine({
      events: [
        { ...queued('o1', { domains: ['*.example.com', 'example.com'] }), challenge: 'dns-01' },
        phase('o1', 'authorizing'),
        created('o1', 'pending'),
        challenge('*.example.com', V1, 'published'),
        challenge('example.com', V2, 'published'),
        propagation(T0 + 6_000, 3, [true, false]),
      ],
    });
    const ui = renderApp(engine, { clock, columns: 120, rows: 40 });
    await ui.waitForText('*.example.com');
    ui.press(KEYS.enter);
    let frame = await ui.waitForText('DNS records');
    assert.match(frame, /· dns-01/);
    assert.match(frame, /DNS records authoritative check 3 · waited 6s · next check in 2s · gives up in 1m54s/);
    assert.match(frame, /\*\.example\.com\s+_acme-challenge\.example\.com\.\s+published ✓\s+propagated 2\/2 servers/);
    assert.match(frame, /example\.com\s+_acme-challenge\.example\.com\.\s+published ✓\s+propagation 1\/2 servers/);
    assert.match(frame, /192\.0\.2\.2 answered no TXT record/);

    engine.emit(propagation(T0 + 8_000, 4, [true, true], true), challenge('*.example.com', V1, 'ready', T0 + 8_000), challenge('example.com', V2, 'ready', T0 + 8_000));
    frame = await ui.waitForText('propagated (authoritative) after 4 checks');
    assert.match(frame, /after 4 checks, 8s/);
    assert.doesNotMatch(frame, /propagation 1\/2/);
    assert.doesNotMatch(frame, /answered no TXT record/);
  });
});
