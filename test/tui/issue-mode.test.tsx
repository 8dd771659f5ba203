import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, certificate, finished, processingOrder, queued } from './fixtures.js';

afterEach(() => cleanup());

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('issue mode (certdeck issue on a terminal)', () => {
  test('follows the orders started after it, and the order that replaces one; leaves a summary and exits with the code', async () => {
    const clock = new ManualClock();
    // An order finished before the command started is history, not part of this run.
    const engine = new FakeEngine({ events: [queued('unrelated', { domains: ['other.example'] }), finished('unrelated', 'valid', T0)] });
    const done = deferred<number>();
    const ui = renderApp(engine, { clock, mode: { kind: 'issue', done: done.promise } });
    await ui.waitForText('Starting the order…');
    engine.emit(...processingOrder('o1', { domains: ['example.com', 'www.example.com'], caId: 'zerossl', caName: 'ZeroSSL' }));
    let frame = await ui.waitForText('certdeck issue · example.com +1');
    assert.match(frame, /next poll in 8s/);
    assert.doesNotMatch(frame, /other\.example/);

    ui.press('s');
    await ui.waitForText('Switch CA');
    ui.press(KEYS.enter);
    await ui.waitForText("Switch example.com +1 from ZeroSSL to Let's Encrypt?");
    ui.press('y');
    await ui.waitForText("Re-issuing example.com +1 at Let's Encrypt");
    assert.deepEqual(engine.callsOf('switchCa'), [['o1', 'letsencrypt']]);

    engine.emit(
      finished('o1', 'abandoned', T0, { reason: "switched to Let's Encrypt by the operator", replacedBy: 'o2' }),
      queued('o2', { domains: ['example.com', 'www.example.com'], replaces: 'o1' }),
    );
    frame = await ui.waitForText('abandoned 0s ago');
    assert.match(frame, /Let's Encrypt\s+queued/);

    const cert = certificate('example.com', { notBefore: T0, lifetimeDays: 90, domains: ['example.com', 'www.example.com'] });
    engine.emit(finished('o2', 'valid', T0 + 1000, { certificate: cert }));
    done.resolve(0);
    assert.equal(await ui.waitForExit(), 0);
    frame = await ui.waitForText('certdeck issue finished: exit 0 (ok)');
    assert.match(frame, /✔ example\.com, www\.example\.com: issued by Let's Encrypt/);
    assert.match(frame, /valid until 2026-04-01 \(90d\) · \/var\/lib\/certdeck\/live\/example\.com/);
    assert.match(frame, /↷ example\.com, www\.example\.com at ZeroSSL: abandoned \(switched to Let's Encrypt by the operator\)/);
    // The summary is compact: no full-screen padding left behind in the scrollback.
    assert.ok(frame.trim().split('\n').length <= 5);
  });

  test('orders the command queued just before the UI mounted are followed too', async () => {
    const engine = new FakeEngine({ events: processingOrder('early', { domains: ['early.example'] }) });
    const ui = renderApp(engine, { clock: new ManualClock(), mode: { kind: 'issue', done: new Promise(() => undefined) } });
    await ui.waitForText('certdeck issue · early.example');
  });

  test('given order ids, only those are followed', async () => {
    const engine = new FakeEngine({ events: [...processingOrder('a', { domains: ['a.example'] }), ...processingOrder('b', { domains: ['b.example'] })] });
    const ui = renderApp(engine, { clock: new ManualClock(), mode: { kind: 'issue', orderIds: ['b'], done: new Promise(() => undefined) } });
    const frame = await ui.waitForText('b.example');
    assert.doesNotMatch(frame, /a\.example/);
  });

  test('q while the order runs asks; c cancels it and the summary reports the result', async () => {
    const engine = new FakeEngine();
    const done = deferred<number>();
    const ui = renderApp(engine, { clock: new ManualClock(), mode: { kind: 'issue', done: done.promise } });
    await ui.waitForText('Starting the order');
    engine.emit(...processingOrder('o1'));
    await ui.waitForText('next poll in');
    ui.press('q');
    await ui.waitForText('1 order is still running');
    ui.press('c');
    await ui.waitForText('Cancelling 1 order…');
    assert.deepEqual(engine.callsOf('cancel'), [['o1', 'cancelled by the operator on quit']]);
    assert.equal(ui.exitCode(), undefined);
    engine.emit(finished('o1', 'cancelled', T0, { reason: 'cancelled by the operator on quit' }));
    done.resolve(130);
    assert.equal(await ui.waitForExit(), 130);
    const frame = ui.lastFrame();
    assert.match(frame, /⊘ example\.com at Let's Encrypt: cancelled \(cancelled by the operator on quit\)/);
    assert.match(frame, /exit 130 \(cancelled\)/);
  });

  test('q between orders lets the command finish and shows its summary', async () => {
    const engine = new FakeEngine({ events: [queued('o1'), finished('o1', 'valid', T0)] });
    const done = deferred<number>();
    const ui = renderApp(engine, { clock: new ManualClock(), mode: { kind: 'issue', orderIds: ['o1'], done: done.promise } });
    await ui.waitForText('done 0s ago');
    ui.press('q');
    await ui.waitForText('Letting certdeck issue finish…');
    assert.equal(ui.exitCode(), undefined);
    done.resolve(0);
    assert.equal(await ui.waitForExit(), 0);
    assert.match(ui.lastFrame(), /exit 0 \(ok\)/);
  });

  test('a failed issue shows the error and what to do', async () => {
    const engine = new FakeEngine();
    const done = deferred<number>();
    const ui = renderApp(engine, { clock: new ManualClock(), mode: { kind: 'issue', done: done.promise } });
    await ui.waitForText('Starting the order');
    engine.emit(
      queued('o1'),
      finished('o1', 'failed', T0, { error: { kind: 'timeout', code: 'processing-deadline', message: 'the CA kept the order in processing for 2m', hint: 'Keep waiting longer with --processing-timeout, or switch CA.', retryable: true } }),
    );
    done.resolve(5);
    assert.equal(await ui.waitForExit(), 5);
    const frame = ui.lastFrame();
    assert.match(frame, /✖ example\.com at Let's Encrypt: failed/);
    assert.match(frame, /the CA kept the order in processing for 2m/);
    assert.match(frame, /what to do: Keep waiting longer/);
    assert.match(frame, /exit 5 \(timeout\)/);
  });

  test('a done promise that rejects ends with exit 1', async () => {
    const done = deferred<number>();
    const ui = renderApp(new FakeEngine(), { clock: new ManualClock(), mode: { kind: 'issue', done: done.promise } });
    await ui.waitForText('Starting the order');
    done.reject(new Error('boom'));
    assert.equal(await ui.waitForExit(), 1);
  });

  test('when nothing was ordered (--if-due, not due), the summary says why instead of showing an empty run', async () => {
    const engine = new FakeEngine();
    const done = deferred<number>();
    const ui = renderApp(engine, { clock: new ManualClock(), mode: { kind: 'issue', done: done.promise } });
    await ui.waitForText('Starting the order');
    engine.emit({ type: 'log', at: T0, level: 'info', certName: 'example.com', message: 'example.com is not due for renewal until 2027-01-01T00:00:00.000Z; nothing ordered.' });
    done.resolve(0);
    assert.equal(await ui.waitForExit(), 0);
    assert.match(ui.lastFrame(), /example\.com is not due for renewal until 2027-01-01T00:00:00\.000Z; nothing ordered\.\n.*exit 0 \(ok\)/);
  });
});
