import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, certKnown, certificate, hung, processingOrder } from './fixtures.js';

afterEach(() => cleanup());

const LONG = 'a-very-long-label-that-goes-on.and-on.subdomain.example-company-with-long-name.com';

/** Every screen and prompt, walked in turn on an 80x24 terminal with long names everywhere. */
test('80x24: every screen and prompt fits: no line over 80 columns, no frame over 23 lines', async () => {
  const events: EngineEvent[] = [
    certKnown(certificate(LONG, { domains: [LONG, `www.${LONG}`] })),
    ...processingOrder('o1', { domains: [LONG, `www.${LONG}`], caId: 'zerossl', caName: 'ZeroSSL with a long display name' }),
    hung('o1', T0, 40, T0 + 600_000),
    { type: 'authz:updated', at: T0, orderId: 'o1', url: 'u1', domain: LONG, status: 'invalid', challengeType: 'http-01', challengeStatus: 'invalid', error: `connection refused while fetching http://${LONG}/.well-known/acme-challenge/abcdef` },
    { type: 'http:exchange', at: T0, orderId: 'o1', caId: 'zerossl', method: 'POST', url: `https://127.0.0.1:14000/acme/order/${'x'.repeat(90)}`, status: 503, problemType: 'urn:ietf:params:acme:error:serverInternal', problemDetail: 'the CA is having a very long day and says so at length', retryAfterMs: 30_000, durationMs: 1234 },
    { type: 'deploy:started', at: T0, runId: 'r', certName: LONG, targets: [{ id: 't', kind: 'verify', label: `TLS check of every name on ${LONG}:443`, domains: [LONG, `www.${LONG}`] }] },
    { type: 'deploy:log', at: T0, runId: 'r', targetId: 't', line: `handshake with ${LONG}:443 returned a certificate for someone else entirely` },
  ];
  const engine = new FakeEngine({ events });
  const ui = renderApp(engine, { clock: new ManualClock(T0 + 600_000), columns: 80, rows: 24 });
  const check = (frame: string, where: string) => {
    const lines = frame.split('\n');
    assert.ok(lines.length <= 23, `${where}: ${lines.length} lines`);
    for (const line of lines) assert.ok([...line].length <= 80, `${where}: line too wide (${[...line].length}): ${line}`);
  };
  check(await ui.waitForText('Certificates'), 'dashboard');
  ui.press('?');
  check(await ui.waitForText('Countdowns'), 'help');
  ui.press('?');
  await ui.waitForFrame((f) => !f.includes('Countdowns'), 'help closed');
  ui.press('j');
  await ui.waitForText('› ⚠');
  ui.press('s');
  check(await ui.waitForText('Switch CA'), 'CA picker');
  ui.press(KEYS.escape);
  await ui.waitForFrame((f) => !f.includes('Switch CA'), 'picker closed');
  ui.press('c');
  check(await ui.waitForText('Already being issued'), 'cancel prompt (finalized order)');
  ui.press('n');
  await ui.waitForFrame((f) => !f.includes('Already being issued'), 'cancel prompt closed');
  ui.press('q');
  check(await ui.waitForText('still running'), 'quit prompt');
  ui.press(KEYS.escape);
  await ui.waitForFrame((f) => !f.includes('still running'), 'quit prompt closed');
  ui.press(KEYS.enter);
  check(await ui.waitForText('Timeline'), 'order detail');
  ui.press('l');
  check(await ui.waitForText('following new lines'), 'log');
  ui.press(KEYS.escape);
  await ui.waitForText('Timeline');
  ui.press('d');
  check(await ui.waitForText('handshake with'), 'deploy');
  ui.press(KEYS.escape);
  await ui.waitForText('Timeline');
  ui.press(KEYS.escape);
  await ui.waitForText('Certificates');
  ui.press('n');
  await ui.waitForText('New certificate');
  await ui.type(`${LONG} bad_name_${LONG}`);
  ui.press(KEYS.tab);
  check(await ui.waitForText('underscores'), 'issue form');
});
