import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, certKnown, certificate, finished, phase, queued } from './fixtures.js';

afterEach(() => cleanup());

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

const cert = certificate('example.com', { domains: ['example.com', 'www.example.com'] });

describe('the operator can trust what the deploy screens show', () => {
  test('after a restart, every target shows its stored latest result and when', async () => {
    const clock = new ManualClock(T0 + 3_600_000);
    const engine = new FakeEngine({
      events: [certKnown(cert)],
      deployTargets: {
        'example.com': [
          { id: 'files', kind: 'files', label: 'files -> /srv/certs', last: { status: 'succeeded', runId: 'r0', startedAt: T0, endedAt: T0 + 1_000 } },
          { id: 'reload', kind: 'command', label: 'run systemctl reload nginx', last: { status: 'failed', reason: 'exit status 1', runId: 'r0', endedAt: T0 + 2_000 } },
          { id: 'pfx', kind: 'pfx', label: 'pfx -> /srv/app.pfx' },
        ],
      },
    });
    const ui = renderApp(engine, { clock, columns: 120, rows: 30 });
    await ui.waitForText('› ✔ example.com');
    ui.press('d');
    const frame = await ui.waitForText('latest stored results');
    assert.doesNotMatch(frame, /No deploy run/);
    assert.match(frame, /✔ files\s+files -> \/srv\/certs\s+succeeded at \d\d:\d\d:\d\d \(last run\)/);
    assert.match(frame, /✖ command\s+run systemctl reload nginx\s+failed at \d\d:\d\d:\d\d \(last run\) · exit status 1/);
    assert.match(frame, /· pfx\s+pfx -> \/srv\/app\.pfx\s+never run/);
  });

  test('after R re-runs the failed target, the one that succeeded earlier still shows its result', async () => {
    const clock = new ManualClock(T0);
    const engine = new FakeEngine({
      events: [certKnown(cert)],
      deployTargets: {
        'example.com': [
          { id: 'files', kind: 'files', label: 'files -> /srv/certs', last: { status: 'succeeded', runId: 'r0', endedAt: T0 } },
          { id: 'reload', kind: 'command', label: 'run reload', last: { status: 'failed', runId: 'r0', endedAt: T0 } },
        ],
      },
    });
    const ui = renderApp(engine, { clock, columns: 120, rows: 30 });
    await ui.waitForText('› ✔ example.com');
    ui.press('d');
    await ui.waitForText('files -> /srv/certs');
    // The run of only the failed target, as the engine reports it.
    engine.emit(
      { type: 'deploy:started', at: T0 + 5_000, runId: 'r1', certName: 'example.com', targets: [{ id: 'reload', kind: 'command', label: 'run reload' }] },
      { type: 'deploy:target', at: T0 + 5_000, runId: 'r1', targetId: 'reload', status: 'succeeded' },
      { type: 'deploy:finished', at: T0 + 5_000, runId: 'r1', certName: 'example.com', succeeded: 1, failed: 0, skipped: 0, outcome: 'succeeded' },
    );
    const frame = await ui.waitForFrame((f) => /command\s+run reload\s+succeeded/.test(f), 'the re-run');
    assert.match(frame, /✔ files\s+files -> \/srv\/certs\s+succeeded at \d\d:\d\d:\d\d \(last run\)/);
    assert.doesNotMatch(frame, /not run in this session|never run/);
  });

  test('a running deploy can be cancelled from the deploy view (asks first)', async () => {
    const clock = new ManualClock(T0);
    const engine = new FakeEngine({ events: [certKnown(cert)], deployTargets: { 'example.com': [{ id: 'reload', kind: 'command', label: 'run reload' }] } });
    const ui = renderApp(engine, { clock, columns: 120, rows: 30 });
    await ui.waitForText('› ✔ example.com');
    ui.press('d');
    await ui.waitForText('run reload');
    ui.press('c');
    await ui.waitForText('No deploy is running.');
    engine.emit(
      { type: 'deploy:started', at: T0, runId: 'r1', certName: 'example.com', targets: [{ id: 'reload', kind: 'command', label: 'run reload' }] },
      { type: 'deploy:target', at: T0, runId: 'r1', targetId: 'reload', status: 'running' },
    );
    let frame = await ui.waitForText('c cancel deploy');
    ui.press('c');
    frame = await ui.waitForText('Cancel the deploy of example.com?');
    assert.match(frame, /killed and marked cancelled/);
    ui.press('n');
    await ui.waitForText('The deploy of example.com goes on.');
    assert.deepEqual(engine.callsOf('cancelDeploy'), []);
    ui.press('c');
    await ui.waitForText('Cancel the deploy of example.com?');
    ui.press('y');
    await ui.waitForText('Cancelling the deploy of example.com');
    assert.deepEqual(engine.callsOf('cancelDeploy'), [['example.com', 'cancelled by the operator']]);
  });

  test('the dashboard has a refresh key that re-reads the state home', async () => {
    const clock = new ManualClock(T0);
    const engine = new FakeEngine({ events: [certKnown(cert)] });
    const ui = renderApp(engine, { clock, columns: 120, rows: 30 });
    const frame = await ui.waitForText('› ✔ example.com');
    assert.match(frame, /R refresh/);
    ui.press('R');
    await ui.waitForText('Re-read the state home: 1 certificate(s).');
    assert.equal(engine.callsOf('refresh').length, 1);
  });

  test('certdeck issue shows the deploy after issuance per target and per name, its keys, and a failed target in the summary', async () => {
    const clock = new ManualClock(T0);
    const engine = new FakeEngine();
    const done = deferred<number>();
    const ui = renderApp(engine, { clock, columns: 100, rows: 30, mode: { kind: 'issue', done: done.promise } });
    await ui.waitForText('Starting the order…');
    engine.emit(queued('o1', { domains: ['example.com', 'www.example.com'], at: T0 }), phase('o1', 'saving', T0), finished('o1', 'valid', T0 + 1));
    engine.emit(
      {
        type: 'deploy:started',
        at: T0 + 2,
        runId: 'r1',
        certName: 'example.com',
        targets: [
          { id: 'reload', kind: 'command', label: 'run reload' },
          { id: 'verify-1', kind: 'verify', label: 'TLS check', domains: ['example.com', 'www.example.com'] },
        ],
      },
      { type: 'deploy:target', at: T0 + 2, runId: 'r1', targetId: 'reload', status: 'failed', reason: 'exit status 1' },
      { type: 'deploy:target', at: T0 + 2, runId: 'r1', targetId: 'verify-1', status: 'running' },
      { type: 'deploy:target', at: T0 + 2, runId: 'r1', targetId: 'verify-1', domain: 'example.com', status: 'succeeded' },
    );
    let frame = await ui.waitForText('deploying example.com: 1 of 2 targets done');
    assert.match(frame, /deploying · \d\d:\d\d:\d\d/);
    assert.match(frame, /✖ command\s+run reload\s+failed/);
    assert.match(frame, /✔ example\.com\s+succeeded/);
    assert.match(frame, /○ www\.example\.com\s+waiting/);
    assert.match(frame, /c cancel deploy/);
    assert.match(frame, /d deploy/);
    ui.press('c');
    await ui.waitForText('Cancel the deploy of example.com?');
    ui.press('n');
    const events: EngineEvent[] = [
      { type: 'deploy:target', at: T0 + 3, runId: 'r1', targetId: 'verify-1', domain: 'www.example.com', status: 'succeeded' },
      { type: 'deploy:target', at: T0 + 3, runId: 'r1', targetId: 'verify-1', status: 'succeeded' },
      { type: 'deploy:finished', at: T0 + 3, runId: 'r1', certName: 'example.com', succeeded: 1, failed: 1, skipped: 0, outcome: 'partial' },
    ];
    engine.emit(...events);
    done.resolve(3);
    frame = await ui.waitForText('certdeck issue finished: exit 3 (partial)');
    assert.match(frame, /deploy of example\.com partial: 1 succeeded, 1 failed, 0 skipped/);
    assert.match(frame, /reload \(run reload\): failed - exit status 1/);
    assert.match(frame, /certdeck deploy example\.com --only failed/);
  });
});

describe('the certificate view', () => {
  test('shows where the certificate files are', async () => {
    const engine = new FakeEngine({ events: [certKnown(cert)], deployTargets: { 'example.com': [] } });
    const ui = renderApp(engine, { clock: new ManualClock(T0), columns: 120, rows: 30 });
    await ui.waitForText('› ✔ example.com');
    ui.press(KEYS.enter);
    const frame = await ui.waitForText('Deploy · example.com');
    assert.match(frame, new RegExp(`files ${cert.dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/\\{cert,chain,fullchain,privkey\\}\\.pem`));
  });
});
