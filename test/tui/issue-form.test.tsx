import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { ManualClock } from '../../src/engine/core/clock.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { certKnown, certificate } from './fixtures.js';

afterEach(() => cleanup());

async function openForm(columns = 90, rows = 30) {
  const engine = new FakeEngine();
  const ui = renderApp(engine, { clock: new ManualClock(), columns, rows });
  await ui.waitForText('Press n');
  ui.press('n');
  await ui.waitForText('New certificate');
  return { engine, ui };
}

describe('issue form', () => {
  test('names are validated as they are typed, each bad one with its reason', async () => {
    const { ui } = await openForm();
    await ui.type('example.com, bad_name.com nodot');
    const frame = await ui.waitForText('nodot: not a domain name');
    assert.match(frame, /✖ bad_name\.com: underscores are not allowed in host names/);
    ui.press(KEYS.backspace.repeat(1));
    for (let i = 0; i < 'bad_name.com nodot'.length; i++) ui.press(KEYS.backspace);
    await ui.type('www.example.com');
    const ok = await ui.waitForText('✔ 2 names: example.com, www.example.com');
    assert.doesNotMatch(ok, /underscores/);
  });

  test('letters typed into the form are text, not commands (q does not quit, n does not nest)', async () => {
    const { ui } = await openForm();
    await ui.type('qn?.example');
    await ui.waitForText('qn?.example');
    assert.equal(ui.exitCode(), undefined);
    assert.doesNotMatch(ui.lastFrame(), /Keys/);
  });

  test('the CA list marks EAB and shows notes; key type defaults to ec-p256; webroot asks for a path', async () => {
    const { ui } = await openForm();
    await ui.type('example.com');
    ui.press(KEYS.tab);
    let frame = await ui.waitForText('› Let\'s Encrypt');
    assert.match(frame, /ZeroSSL\s+EAB required/);
    ui.press('j');
    frame = await ui.waitForText('Orders often sit in processing for minutes.');
    // EAB fields appear for a CA that needs them; the HMAC key is never echoed.
    assert.match(frame, /EAB key id/);
    assert.match(frame, /EAB HMAC key/);
    ui.press(KEYS.tab);
    await ui.waitForText('› EAB key id');
    await ui.type('kid-1');
    ui.press(KEYS.tab);
    await ui.waitForText('› EAB HMAC key');
    await ui.type('s3cr3t-hmac');
    frame = await ui.waitForText('***********');
    assert.doesNotMatch(frame, /s3cr3t/);
    ui.press(KEYS.tab);
    frame = await ui.waitForText('› ec-p256');
    assert.doesNotMatch(frame, /s3cr3t/);
    assert.match(frame, /set \(hidden\)/);
    ui.press(KEYS.tab);
    await ui.waitForText('› standalone http-01');
    ui.press('j');
    await ui.waitForText('Webroot');
    ui.press(KEYS.tab);
    await ui.waitForText('› Webroot');
    await ui.type('var/www');
    await ui.waitForText('use an absolute path (starting with /)');
  });

  test('submitting a valid form calls engine.issue with the request and returns to the dashboard', async () => {
    const { engine, ui } = await openForm();
    await ui.type('example.com www.example.com');
    ui.press(KEYS.enter); // names -> CA
    await ui.waitForText("› Let's Encrypt");
    ui.press(KEYS.enter); // CA -> key type
    await ui.waitForText('› ec-p256');
    ui.press('j');
    ui.press('j');
    await ui.waitForText('› rsa-2048');
    ui.press(KEYS.enter); // key type -> challenge
    await ui.waitForText('› standalone http-01');
    ui.press(KEYS.enter); // challenge -> submit
    await ui.waitForText('› [ Request certificate ]');
    ui.press(KEYS.enter);
    await ui.waitForText("Requested example.com +1 from Let's Encrypt");
    assert.deepEqual(engine.callsOf('issue'), [
      [{ domains: ['example.com', 'www.example.com'], ca: 'letsencrypt', keyType: 'rsa-2048', challenge: { method: 'http-01-standalone' } }],
    ]);
  });

  test('submitting with no names says what to do and goes back to the names', async () => {
    const { engine, ui } = await openForm();
    ui.press(KEYS.shiftTab); // already first: stays
    for (let i = 0; i < 5; i++) ui.press(KEYS.tab);
    await ui.waitForText('› [ Request certificate ]');
    ui.press(KEYS.enter);
    const frame = await ui.waitForText('enter at least one name, e.g. example.com');
    assert.match(frame, /fix the fields marked above/);
    assert.deepEqual(engine.callsOf('issue'), []);
  });

  test('Esc leaves the form without issuing; the form fits 80x24', async () => {
    const { engine, ui } = await openForm(80, 24);
    ui.press(KEYS.tab);
    const frame = await ui.waitForText("› Let's Encrypt");
    assert.ok(frame.split('\n').every((l) => [...l].length <= 80));
    assert.ok(frame.split('\n').length <= 23);
    ui.press(KEYS.escape);
    await ui.waitForText('Press n');
    assert.deepEqual(engine.callsOf('issue'), []);
  });

  test('e on a certificate renews it: the form comes filled in with its names and CA, and keeps its name', async () => {
    const cert = { ...certificate('site', { domains: ['example.com', 'www.example.com'], caId: 'zerossl' }), lastRenewalFailure: { at: 0, caId: 'zerossl', reason: 'timeout' } };
    const engine = new FakeEngine({ events: [certKnown(cert)] });
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 100, rows: 30 });
    await ui.waitForText('renew failed, valid'); // a cron run's failure, from the journal
    ui.press('e');
    let frame = await ui.waitForText('Renew site');
    assert.match(frame, /example\.com, www\.example\.com/);
    assert.match(frame, /ZeroSSL/);
    // ZeroSSL needs EAB: credentials saved for the account are used when the fields stay empty.
    for (let i = 0; i < 6; i++) ui.press(KEYS.tab);
    frame = await ui.waitForText('› [ Request certificate ]');
    ui.press(KEYS.enter);
    await ui.waitForText('Requested example.com +1 from ZeroSSL');
    assert.deepEqual(engine.callsOf('issue'), [
      [{ domains: ['example.com', 'www.example.com'], ca: 'zerossl', keyType: 'ec-p256', challenge: { method: 'http-01-standalone' }, certName: 'site' }],
    ]);
  });

  test("a new order starts from the engine's settings: default CA and key type, not hard-coded ones", async () => {
    const engine = new FakeEngine({ defaults: { ca: 'google', keyType: 'rsa-3072', fallback: [] } });
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 100, rows: 30 });
    await ui.waitForText('Press n');
    ui.press('n');
    const frame = await ui.waitForText('New certificate');
    assert.match(frame, /CA +Google Trust Services/);
    assert.match(frame, /Key type +rsa-3072/);
  });

  test('e starts from the stored request (CA, key type, webroot) once the engine has read it', async () => {
    const engine = new FakeEngine({
      events: [certKnown(certificate('site', { domains: ['example.com'], caId: 'letsencrypt' }))],
      storedRequests: {
        site: {
          certName: 'site',
          domains: ['example.com'],
          ca: 'letsencrypt',
          directoryUrl: 'https://127.0.0.1:14000/dir',
          account: '127.0.0.1_14000-dir/ops@example.com',
          keyType: 'ec-p384',
          challenge: { method: 'http-01-webroot', webroot: '/srv/www' },
          savedAt: '2026-01-01T00:00:00.000Z',
        },
      },
    });
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 100, rows: 30 });
    await ui.waitForText('site');
    ui.press('e');
    const frame = await ui.waitForText('/srv/www');
    assert.match(frame, /Key type +ec-p384/);
    for (let i = 0; i < 5; i++) ui.press(KEYS.tab);
    await ui.waitForText('› [ Request certificate ]');
    ui.press(KEYS.enter);
    await ui.waitForText('Requested example.com');
    // No e-mail and no terms of service: the engine reuses the account the stored request names.
    assert.deepEqual(engine.callsOf('issue'), [
      [{ domains: ['example.com'], ca: 'letsencrypt', keyType: 'ec-p384', challenge: { method: 'http-01-webroot', webroot: '/srv/www' }, certName: 'site' }],
    ]);
  });
});
