import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, certKnown, certificate } from './fixtures.js';

afterEach(() => cleanup());

const STARTED: EngineEvent = {
  type: 'deploy:started',
  at: T0,
  runId: 'run1',
  certName: 'example.com',
  targets: [
    { id: 'files', kind: 'files', label: '/etc/ssl/example.com' },
    { id: 'reload', kind: 'command', label: 'systemctl reload nginx' },
    { id: 'verify', kind: 'verify', label: 'TLS check on :443', domains: ['example.com', 'www.example.com'] },
  ],
};

function target(targetId: string, status: 'running' | 'succeeded' | 'failed' | 'timed-out', at: number, extra: { domain?: string; reason?: string; attempt?: number } = {}): EngineEvent {
  return { type: 'deploy:target', at, runId: 'run1', targetId, status, ...extra };
}

function log(targetId: string, line: string, at = T0): EngineEvent {
  return { type: 'deploy:log', at, runId: 'run1', targetId, line };
}

async function deployView(events: EngineEvent[]) {
  const clock = new ManualClock();
  const engine = new FakeEngine({ events: [certKnown(certificate('example.com', { domains: ['example.com', 'www.example.com'] })), ...events] });
  const ui = renderApp(engine, { clock, columns: 100, rows: 30 });
  await ui.waitForText('› ✔ example.com');
  ui.press('d');
  await ui.waitForText('Deploy · example.com');
  return { clock, engine, ui };
}

describe('deploy view', () => {
  test('shows each target and each checked domain with its own status, live', async () => {
    const { clock, engine, ui } = await deployView([STARTED, target('files', 'succeeded', T0), target('reload', 'running', T0)]);
    let frame = await ui.waitForText('systemctl reload nginx');
    assert.match(frame, /✔ files\s+\/etc\/ssl\/example\.com\s+succeeded/);
    assert.match(frame, /◐ command\s+systemctl reload nginx\s+running 0s/);
    assert.match(frame, /○ www\.example\.com\s+waiting/);
    assert.match(frame, /running 0s · 1\/3 targets done/);

    await clock.advance(3_000);
    await ui.waitForText('running 3s');
    engine.emit(
      target('reload', 'succeeded', T0 + 3_000),
      target('verify', 'running', T0 + 3_000),
      target('verify', 'succeeded', T0 + 3_500, { domain: 'example.com' }),
      target('verify', 'failed', T0 + 3_600, { domain: 'www.example.com', reason: 'served the old certificate' }),
      target('verify', 'failed', T0 + 3_600, { reason: '1 of 2 domains failed' }),
      { type: 'deploy:finished', at: T0 + 3_600, runId: 'run1', certName: 'example.com', succeeded: 2, failed: 1, skipped: 0, outcome: 'partial' },
    );
    frame = await ui.waitForText('partial: 2 succeeded, 1 failed, 0 skipped');
    assert.match(frame, /✔ example\.com\s+succeeded/);
    assert.match(frame, /✖ www\.example\.com\s+failed: served the old certificate/);
    assert.match(frame, /✖ verify\s+TLS check on :443\s+failed 0s at \d\d:\d\d:\d\d · 1 of 2 domains failed/);
  });

  test("shows the selected target's log; j moves the selection", async () => {
    const { ui } = await deployView([STARTED, log('files', 'wrote fullchain.pem'), log('reload', 'nginx: [emerg] cannot load certificate'), target('reload', 'failed', T0, { reason: 'exit status 1' })]);
    let frame = await ui.waitForText('Log · /etc/ssl/example.com');
    assert.match(frame, /wrote fullchain\.pem/);
    ui.press('j');
    frame = await ui.waitForText('Log · systemctl reload nginx');
    assert.match(frame, /nginx: \[emerg\] cannot load certificate/);
    assert.doesNotMatch(frame, /wrote fullchain/);
  });

  test('R re-runs only the failed targets, leaving the other results alone', async () => {
    const { engine, ui } = await deployView([
      STARTED,
      target('files', 'succeeded', T0),
      target('reload', 'failed', T0, { reason: 'exit status 1' }),
      target('verify', 'timed-out', T0),
      { type: 'deploy:finished', at: T0, runId: 'run1', certName: 'example.com', succeeded: 1, failed: 2, skipped: 0, outcome: 'partial' },
    ]);
    await ui.waitForText('R re-run failed (2)');
    ui.press('R');
    await ui.waitForText('Re-running 2 failed targets of example.com');
    assert.deepEqual(engine.callsOf('deploy'), [['example.com', { only: ['reload', 'verify'] }]]);
  });

  test('R while a run is going is refused', async () => {
    const { engine, ui } = await deployView([STARTED, target('reload', 'failed', T0)]);
    ui.press('R');
    await ui.waitForText('A deploy run is still going');
    assert.deepEqual(engine.callsOf('deploy'), []);
  });

  test('with no run yet, D deploys all targets; Esc goes back', async () => {
    const { engine, ui } = await deployView([]);
    await ui.waitForText('No deploy run for example.com yet.');
    ui.press('D');
    await ui.waitForText('Deploying example.com');
    assert.deepEqual(engine.callsOf('deploy'), [['example.com']]);
    ui.press(KEYS.escape);
    await ui.waitForText('Certificates 1');
  });
});
