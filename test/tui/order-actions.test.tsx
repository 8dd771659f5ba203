import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, created, finished, phase, processingOrder, queued, waitScheduled } from './fixtures.js';

afterEach(() => cleanup());

/** A dashboard with one processing order at ZeroSSL, selected. */
async function withOrder() {
  const clock = new ManualClock();
  const engine = new FakeEngine({ events: processingOrder('o1', { domains: ['api.example.org'], caId: 'zerossl', caName: 'ZeroSSL' }) });
  const ui = renderApp(engine, { clock, columns: 90, rows: 26 });
  await ui.waitForText('› ◐ api.example.org');
  return { clock, engine, ui };
}

/** A dashboard with one order at ZeroSSL still validating its names (nothing finalized yet), selected. */
async function withAuthorizingOrder() {
  const clock = new ManualClock();
  const engine = new FakeEngine({
    events: [
      queued('o1', { domains: ['api.example.org'], caId: 'zerossl', caName: 'ZeroSSL' }),
      phase('o1', 'creating'),
      created('o1', 'pending'),
      phase('o1', 'authorizing'),
      waitScheduled('o1', { phase: 'authorization', delayMs: 8000, reason: 'backoff' }),
    ],
  });
  const ui = renderApp(engine, { clock, columns: 90, rows: 26 });
  await ui.waitForText('› ◐ api.example.org');
  return { clock, engine, ui };
}

describe('order actions', () => {
  test('r polls now and says so', async () => {
    const { engine, ui } = await withOrder();
    assert.match(ui.lastFrame(), /r retry now/);
    ui.press('r');
    await ui.waitForText('Polling api.example.org now.');
    assert.deepEqual(engine.callsOf('retryNow'), [['o1']]);
  });

  test('w keeps waiting and says by how much', async () => {
    const { engine, ui } = await withOrder();
    ui.press('w');
    await ui.waitForText('processing deadline for api.example.org pushed out by 2m');
    assert.deepEqual(engine.callsOf('keepWaiting'), [['o1']]);
  });

  test('c asks first: n keeps the order, y cancels it', async () => {
    const { engine, ui } = await withAuthorizingOrder();
    ui.press('c');
    await ui.waitForText('Cancel the order for api.example.org at ZeroSSL?');
    assert.match(ui.lastFrame(), /y\/N/);
    ui.press('n');
    await ui.waitForText('Kept the order running.');
    assert.deepEqual(engine.callsOf('cancel'), []);

    ui.press('c');
    await ui.waitForText('Cancel the order for api.example.org');
    ui.press('y');
    await ui.waitForText('Cancelling the order for api.example.org');
    assert.deepEqual(engine.callsOf('cancel'), [['o1', 'cancelled by the operator']]);
  });

  test('c on a finalized order: says the certificate is being issued; w keeps waiting, s stops it to resume later', async () => {
    const { engine, ui } = await withOrder();
    ui.press('c');
    const prompt = await ui.waitForText('Already being issued by ZeroSSL: api.example.org (processing');
    assert.match(prompt, /w keep waiting · s stop now, resume later/);
    assert.doesNotMatch(prompt, /y cancel it/);
    ui.press('w');
    await ui.waitForText('Waiting for ZeroSSL to issue api.example.org.');
    assert.deepEqual(engine.callsOf('cancel'), []);

    ui.press('c');
    await ui.waitForText('Already being issued');
    ui.press('s');
    await ui.waitForText('Stopped; run the same order again later to download api.example.org');
    assert.deepEqual(engine.callsOf('cancel'), [['o1', 'stopped by the operator']]);
  });

  test('Esc and Enter at the cancel prompt keep the order too', async () => {
    const { engine, ui } = await withAuthorizingOrder();
    ui.press('c');
    await ui.waitForText('Cancel the order');
    ui.press(KEYS.escape);
    await ui.waitForText('Kept the order running.');
    ui.press('c');
    await ui.waitForText('Cancel the order');
    ui.press(KEYS.enter);
    await ui.waitForFrame((f) => !f.includes('Cancel the order'), 'the prompt to close');
    assert.deepEqual(engine.callsOf('cancel'), []);
  });

  test('s lists the other CAs, marks EAB, shows notes, and switches to the chosen one', async () => {
    const { engine, ui } = await withOrder();
    ui.press('s');
    const picker = await ui.waitForText('Switch CA for api.example.org (now ZeroSSL)');
    assert.match(picker, /› Let's Encrypt/);
    assert.match(picker, /Google Trust Services\s+EAB required/);
    // The order's own CA is not offered.
    assert.doesNotMatch(picker.split('Switch CA')[1] ?? '', /ZeroSSL\s+EAB/);
    ui.press('j');
    await ui.waitForText('› Google Trust Services');
    ui.press(KEYS.enter);
    // Asks first, and says the order stays resumable until the new CA has accepted the new one.
    const confirm = await ui.waitForText('Switch api.example.org from ZeroSSL to Google Trust Services?');
    assert.match(confirm, /The ZeroSSL order stays resumable until Google Trust Services accepts the new one\./);
    assert.deepEqual(engine.callsOf('switchCa'), []);
    ui.press('y');
    await ui.waitForText('Re-issuing api.example.org at Google Trust Services');
    assert.deepEqual(engine.callsOf('switchCa'), [['o1', 'google']]);
  });

  test('Esc closes the CA picker without switching', async () => {
    const { engine, ui } = await withOrder();
    ui.press('s');
    await ui.waitForText('Switch CA');
    ui.press(KEYS.escape);
    await ui.waitForFrame((f) => !f.includes('Switch CA'), 'the picker to close');
    assert.deepEqual(engine.callsOf('switchCa'), []);
  });

  test('a finished order offers no retry or cancel, and refuses them with a reason', async () => {
    const { engine, ui } = await withOrder();
    engine.emit(finished('o1', 'valid', T0 + 1000));
    const frame = await ui.waitForText('done');
    assert.doesNotMatch(frame, /r retry now/);
    assert.doesNotMatch(frame, /c cancel/);
    ui.press('r');
    await ui.waitForText('Nothing to retry: api.example.org is done.');
    ui.press('c');
    await ui.waitForText('api.example.org has already ended (done).');
    assert.deepEqual(engine.callsOf('retryNow'), []);
    assert.deepEqual(engine.callsOf('cancel'), []);
  });

  test('? shows the help overlay with every key; ? closes it', async () => {
    const { engine, ui } = await withOrder();
    ui.press('?');
    const help = await ui.waitForText('Keys');
    for (const word of ['retry now', 'keep waiting', 'switch CA', 'full log', 'deploy view', 'new order', 'quit']) assert.match(help, new RegExp(word));
    assert.match(help, /Retry-After 30s/);
    // Action keys do nothing while the help is open.
    ui.press('r');
    ui.press('?');
    await ui.waitForText('› ◐ api.example.org');
    assert.deepEqual(engine.callsOf('retryNow'), []);
  });
});

describe('keys that arrive together', () => {
  test('a chunk of keys (tmux send-keys, a fast typist) acts key by key, Enter included', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({ events: [...processingOrder('o1', { domains: ['a.example'] }), ...processingOrder('o2', { domains: ['b.example'], caId: 'zerossl', caName: 'ZeroSSL' })] });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('› ◐ a.example');
    ui.press('js');
    await ui.waitForText('Switch CA for b.example (now ZeroSSL)');
    ui.press('j\r');
    await ui.waitForText('Switch b.example from ZeroSSL to Google Trust Services?');
    ui.press('y');
    await ui.waitForText('Re-issuing b.example at Google Trust Services');
    assert.deepEqual(engine.callsOf('switchCa'), [['o2', 'google']]);
  });
});
