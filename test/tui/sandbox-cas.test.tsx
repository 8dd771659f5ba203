import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import type { CaInfo } from '../../src/engine/api.js';
import { ManualClock } from '../../src/engine/core/clock.js';
import { DEFAULT_POLICY } from '../../src/engine/policy.js';
import { casForSwitch, casInPickerOrder, isRunningSandboxCa } from '../../src/tui/view-model/ca-list.js';
import { challengeChoices } from '../../src/tui/view-model/issue-form.js';
import { DEFAULT_TEST_CAS, FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { processingOrder } from './fixtures.js';

afterEach(() => cleanup());

/** The catalog as listCas() gives it: public CAs first, the sandbox's last; a sandbox CA's URL is '' unless it runs. */
function catalog(sandboxRunning: boolean): CaInfo[] {
  const sandbox = (id: string, name: string, port: number): CaInfo => ({
    id,
    name,
    directoryUrl: sandboxRunning ? `https://127.0.0.1:${port}/dir` : '',
    eabRequired: false,
    notes: sandboxRunning ? [] : ['Not running: start it with: certdeck sandbox start'],
    staging: true,
    policy: DEFAULT_POLICY,
  });
  return [...DEFAULT_TEST_CAS, sandbox('sandbox', 'Local sandbox (Pebble)', 14000), sandbox('sandbox-b', 'Local sandbox B (second Pebble)', 14010)];
}

const ids = (cas: CaInfo[]) => cas.map((c) => c.id);

describe('sandbox CAs in the picker and the form', () => {
  test('running sandbox CAs come first, in catalog order; stopped ones stay where the catalog puts them', () => {
    assert.deepEqual(ids(casInPickerOrder(catalog(true))), ['sandbox', 'sandbox-b', 'letsencrypt', 'zerossl', 'google']);
    assert.deepEqual(ids(casInPickerOrder(catalog(false))), ['letsencrypt', 'zerossl', 'google', 'sandbox', 'sandbox-b']);
    // A public CA with a loopback URL is not the sandbox.
    assert.equal(isRunningSandboxCa(DEFAULT_TEST_CAS[0]!), false);
  });

  test('the standalone challenge names port 80 for a public CA and the validation port for a sandbox CA', () => {
    const standalone = (id: string | undefined) => challengeChoices(id === undefined ? undefined : { id }).find((c) => c.value === 'http-01-standalone')?.label;
    assert.equal(standalone('letsencrypt'), 'standalone http-01 (certdeck answers on port 80)');
    assert.equal(standalone(undefined), 'standalone http-01 (certdeck answers on port 80)');
    assert.equal(standalone('sandbox'), "standalone http-01 (certdeck answers on the sandbox's validation port)");
    assert.equal(standalone('sandbox-b'), "standalone http-01 (certdeck answers on the sandbox's validation port)");
  });

  test('switch CA from a sandbox order: the other sandbox CA is first, and Enter switches to it', async () => {
    const engine = new FakeEngine({ cas: catalog(true), events: processingOrder('o1', { domains: ['hang.test'], caId: 'sandbox', caName: 'Local sandbox (Pebble)' }) });
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 100, rows: 30 });
    await ui.waitForText('› ◐ hang.test');
    ui.press('s');
    const picker = await ui.waitForText('Switch CA for hang.test');
    const list = picker.slice(picker.indexOf('Switch CA for'));
    assert.match(list, /› Local sandbox B \(second Pe/);
    assert.ok(list.indexOf('Local sandbox B') < list.indexOf("Let's Encrypt"), 'sandbox-b is listed before the public CAs');
    assert.doesNotMatch(list, /^[› ] Local sandbox \(Pebble\)/m, "the order's own CA is not offered");
    ui.press(KEYS.enter);
    await ui.waitForText('Switch hang.test from Local sandbox (Pebble) to Local sandbox B');
    ui.press('y');
    await ui.waitForText('Re-issuing hang.test at Local sandbox B');
    assert.deepEqual(engine.callsOf('switchCa'), [['o1', 'sandbox-b']]);
  });

  test('a stopped sandbox is listed last and marked not running', async () => {
    const engine = new FakeEngine({ cas: catalog(false), events: processingOrder('o1', { domains: ['a.example'], caId: 'zerossl', caName: 'ZeroSSL' }) });
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 100, rows: 30 });
    await ui.waitForText('› ◐ a.example');
    ui.press('s');
    const picker = await ui.waitForText('Switch CA for a.example');
    const list = picker.slice(picker.indexOf('Switch CA for'));
    assert.match(list, /› Let's Encrypt/);
    assert.match(list, /Local sandbox \(Pebble\)\s+not running · staging, untrusted/);
    assert.ok(list.indexOf('Local sandbox (Pebble)') > list.indexOf('Google Trust Services'));
  });

  test('the form defaults to the running sandbox and does not promise port 80; a public CA does', async () => {
    const engine = new FakeEngine({ cas: catalog(true) });
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 100, rows: 30 });
    await ui.waitForText('Press n');
    ui.press('n');
    let form = await ui.waitForText('New certificate');
    assert.match(form, /CA\s+Local sandbox \(Pebble\)/);
    assert.match(form, /Challenge\s+standalone http-01 \(certdeck answers on the sandbox's validation port\)/);
    assert.doesNotMatch(form, /port 80/);

    await ui.type('hang.test');
    ui.press(KEYS.tab);
    form = await ui.waitForText('› Local sandbox (Pebble)');
    assert.ok(form.indexOf('Local sandbox B') < form.indexOf("Let's Encrypt"), 'both sandbox CAs come before the public ones');
    ui.press('j');
    ui.press('j');
    await ui.waitForText("› Let's Encrypt");
    ui.press(KEYS.tab);
    form = await ui.waitForText('› ec-p256');
    assert.match(form, /Challenge\s+standalone http-01 \(certdeck answers on port 80\)/);

    // Submitting with the sandbox chosen issues there.
    ui.press(KEYS.shiftTab);
    await ui.waitForText("› Let's Encrypt");
    ui.press('k');
    ui.press('k');
    await ui.waitForText('› Local sandbox (Pebble)');
    for (let i = 0; i < 3; i++) ui.press(KEYS.tab);
    await ui.waitForText('› [ Request certificate ]');
    ui.press(KEYS.enter);
    await ui.waitForText('Requested hang.test from Local sandbox (Pebble)');
    assert.deepEqual(engine.callsOf('issue'), [[{ domains: ['hang.test'], ca: 'sandbox', keyType: 'ec-p256', challenge: { method: 'http-01-standalone' } }]]);
  });
});

describe('switch CA groups staging CAs apart and never preselects one for a production order', () => {
  const staging: CaInfo = { id: 'letsencrypt-staging', name: "Let's Encrypt (staging)", directoryUrl: 'https://127.0.0.1:14003/dir', eabRequired: false, notes: [], staging: true, policy: DEFAULT_POLICY };
  const cas = [DEFAULT_TEST_CAS[0]!, staging, ...DEFAULT_TEST_CAS.slice(1), ...catalog(true).slice(DEFAULT_TEST_CAS.length)];

  test('a production order: production CAs first under their heading, staging and test CAs in a group below', async () => {
    const engine = new FakeEngine({ cas, events: processingOrder('o1', { domains: ['prod.example'], caId: 'zerossl', caName: 'ZeroSSL' }) });
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 100, rows: 40 });
    await ui.waitForText('› ◐ prod.example');
    ui.press('s');
    const picker = await ui.waitForText('Switch CA for prod.example');
    const list = picker.slice(picker.indexOf('Switch CA for'));
    assert.match(list, /Production CAs\n› Let's Encrypt\s/);
    assert.ok(list.indexOf('Production CAs') < list.indexOf('Google Trust Services'));
    // The list shows five at a time; the staging group starts below the production CAs.
    for (let i = 0; i < 2; i++) ui.press('j');
    const further = await ui.waitForText('Staging and test CAs (certificates not trusted)');
    assert.ok(further.indexOf('Staging and test CAs') > further.indexOf('Google Trust Services'), 'staging after production');
    ui.press('j');
    ui.press('j');
    await ui.waitForText("› Let's Encrypt (staging)");
    ui.press(KEYS.enter);
    const confirm = await ui.waitForText("Switch prod.example from ZeroSSL to Let's Encrypt (staging)?");
    assert.match(confirm, /staging\/test CA: its certificates are not trusted by browsers/);
    ui.press('n');
    await ui.waitForText('Switch CA for prod.example');
    assert.deepEqual(engine.callsOf('switchCa'), []);
  });

  test('the order of the groups in the view model', () => {
    const production = casForSwitch(cas, { caId: 'zerossl' }, false);
    assert.deepEqual(production.map((e) => e.ca.id), ['letsencrypt', 'google', 'sandbox', 'sandbox-b', 'letsencrypt-staging']);
    assert.ok(!production[0]!.ca.staging, 'never a staging CA preselected for a production order');
    const test = casForSwitch(cas, { caId: 'sandbox' }, true);
    assert.deepEqual(test.map((e) => e.ca.id), ['sandbox-b', 'letsencrypt-staging', 'letsencrypt', 'zerossl', 'google']);
  });
});
