import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import type { ImportPlan } from '../../src/engine/api.js';
import { ManualClock } from '../../src/engine/core/clock.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';

afterEach(() => cleanup());

const plan: ImportPlan = {
  client: 'certbot',
  dir: '/etc/letsencrypt',
  options: {},
  certificates: [
    {
      sourceName: 'shop.test',
      sourceFile: '/etc/letsencrypt/renewal/shop.test.conf',
      action: 'import',
      certName: 'shop.test',
      domains: ['shop.test', 'www.shop.test'],
      serial: '04A1B2',
      request: { ca: 'letsencrypt', directoryUrl: 'https://acme.example/dir', keyType: 'ec-p256', challenge: { method: 'http-01-webroot', webroot: '/srv/www' }, account: 'le/default' },
      deployTargets: [{ kind: 'command', argv: ['systemctl', 'reload', 'nginx'], from: 'deploy_hook = systemctl reload nginx' }],
      notCarried: [{ what: 'pre_hook = systemctl stop nginx', reason: 'certdeck has no hook before an order' }],
    },
    {
      sourceName: 'old.test',
      sourceFile: '/etc/letsencrypt/renewal/old.test.conf',
      action: 'already-managed',
      reason: 'already managed as old.test (serial 0F)',
      certName: 'old.test',
      domains: ['old.test'],
      deployTargets: [],
      notCarried: [],
    },
    {
      sourceName: 'cf.test',
      sourceFile: '/etc/letsencrypt/renewal/cf.test.conf',
      action: 'cannot-import',
      reason: 'the private key next to it is not the key of this certificate',
      certName: 'cf.test',
      domains: ['cf.test'],
      deployTargets: [],
      notCarried: [],
    },
  ],
  accounts: [{ sourceId: 'abc', sourceDir: '/etc/letsencrypt/accounts/x/abc', action: 'import', accountId: 'le/default', accountUrl: 'https://acme.example/acct/1' }],
  skipped: [],
  summary: { import: 2, alreadyManaged: 1, cannotImport: 1 },
};

describe('import screen', () => {
  test('I on the dashboard opens it; enter previews what was found and what will be managed; y imports that plan', async () => {
    const engine = new FakeEngine();
    engine.importPlan = plan;
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 140, rows: 30 });
    ui.press('I');
    await ui.waitForText('acme.sh');
    ui.press(KEYS.down);
    ui.press(KEYS.up);
    ui.press(KEYS.enter);
    const frame = await ui.waitForText('will import 2, already managed 1, cannot import 1');
    assert.equal(engine.callsOf('planImport')[0]?.[0], 'certbot');
    assert.match(frame, /✚ shop\.test {2}will import {2}shop\.test, www\.shop\.test {2}serial 04A1B2/);
    assert.match(frame, /run systemctl reload nginx/);
    assert.match(frame, /not carried over: pre_hook = systemctl stop nginx: certdeck has no hook before an order/);
    assert.match(frame, /= old\.test {2}already managed: already managed as old\.test/);
    assert.match(frame, /✖ cf\.test {2}cannot import: the private key/);
    assert.equal(engine.callsOf('applyImport').length, 0, 'nothing is imported before the confirmation');
    ui.press('y');
    await ui.waitForText('Imported 1 certificate(s) and 1 account(s)');
    assert.equal((engine.callsOf('applyImport')[0]?.[0] as ImportPlan).certificates.length, 3);
  });

  test('a client whose directory is missing says so', async () => {
    const engine = new FakeEngine();
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 100, rows: 24 });
    ui.press('I');
    await ui.waitForText('lego');
    ui.press(KEYS.down);
    ui.press(KEYS.down);
    ui.press(KEYS.enter);
    await ui.waitForText('Import from lego failed: There is no lego directory.');
    assert.equal(engine.callsOf('planImport')[0]?.[0], 'lego');
  });
});
