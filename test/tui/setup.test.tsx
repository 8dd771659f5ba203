import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import type { CaInfo, IssueRequest, PreflightOptions, PreflightReport } from '../../src/engine/api.js';
import { ManualClock } from '../../src/engine/core/clock.js';
import { validateDomain } from '../../src/engine/names.js';
import { DEFAULT_POLICY } from '../../src/engine/policy.js';
import { renewalScheduler } from '../../src/commands/schedule.js';
import { sandboxDnsHookPath } from '../../src/sandbox/dns-hook.js';
import { currentCommand } from '../../src/schedule/units.js';
import { FakeEngine, type FakeEngineOptions } from '../support/fake-engine.js';
import { KEYS, renderApp, type RenderedApp } from '../support/render.js';
import { phase, queued } from './fixtures.js';

afterEach(() => cleanup());

const realValidator = (raw: string) => validateDomain(raw, { wildcardAllowed: false });

const SANDBOX: CaInfo = { id: 'sandbox', name: 'Local sandbox (Pebble)', directoryUrl: 'https://127.0.0.1:14000/dir', eabRequired: false, notes: ['A throw-away CA on this machine.'], staging: true, policy: DEFAULT_POLICY };
const LE: CaInfo = { id: 'letsencrypt', name: "Let's Encrypt", directoryUrl: 'https://127.0.0.1:14010/dir', eabRequired: false, notes: ['Rate limits apply.'], staging: false, policy: DEFAULT_POLICY };
const LE_STAGING: CaInfo = { id: 'letsencrypt-staging', name: "Let's Encrypt (staging)", directoryUrl: 'https://127.0.0.1:14011/dir', eabRequired: false, notes: ['Not trusted.'], staging: true, policy: DEFAULT_POLICY };
const LONG_TOS = 'https://127.0.0.1/legal/terms-of-service/subscriber-agreement-version-2026-12-03-with-a-very-long-path.pdf';

function report(over: Partial<PreflightReport> = {}): PreflightReport {
  return { certNames: [], findings: [], checks: [], counts: { error: 0, warning: 0, info: 0 }, exitCode: 0, names: [], blocking: false, ...over };
}

/** A preflight that streams two checks, as the engine does, and suggests the built-in server. */
function streamingPreflight(opts: PreflightOptions): PreflightReport {
  const check = { key: 'preflight:port', title: 'port 80 for HTTP-01', tier: 'offline' as const };
  opts.onProgress?.({ type: 'started', check });
  opts.onProgress?.({ type: 'finished', check, outcome: 'ok', note: 'port 80 is free', findings: [] });
  return report({ suggestedChallenge: { method: 'http-01-standalone', port: 80 }, suggestionReason: 'port 80 is free' });
}

function openSetup(opts: FakeEngineOptions = {}, size = { columns: 100, rows: 30 }) {
  const engine = new FakeEngine({ cas: [SANDBOX, LE_STAGING, LE], accounts: [], preflightReport: streamingPreflight, termsOfService: { sandbox: LONG_TOS }, ...opts });
  const ui = renderApp(engine, { clock: new ManualClock(), mode: { kind: 'dashboard', setup: true }, validateDomain: realValidator, ...size });
  return { engine, ui };
}

/** A newly focused input listens from its first effect on, one turn after the frame that shows it. */
async function focused(ui: RenderedApp, text: string): Promise<void> {
  await ui.waitForText(text);
  await new Promise((resolve) => setTimeout(resolve, 20));
}

async function step(ui: RenderedApp, title: string): Promise<string> {
  return ui.waitForFrame((f) => f.includes(title), `the step "${title}"`);
}

/** Names -> CA (first: the sandbox) -> preflight -> account. */
async function toAccount(ui: RenderedApp, names = 'www.example.test') {
  await step(ui, '1/11 Names');
  await ui.type(names);
  await ui.waitForText('✔ ');
  ui.press(KEYS.enter);
  await step(ui, 'Certificate authority');
  ui.press(KEYS.enter);
  await ui.waitForText('No blocking problem');
  ui.press(KEYS.enter);
  await step(ui, 'Account');
}

/** Enter through the steps named (the challenge step has a second field: its port). */
async function through(ui: RenderedApp, steps: string[]) {
  for (const s of steps) {
    const frame = ui.lastFrame();
    ui.press(KEYS.enter);
    if (frame.includes('Challenge ·') || frame.includes('› Challenge')) {
      await ui.waitForText('› Port');
      ui.press(KEYS.enter);
    }
    await step(ui, s);
  }
}

const writes = (engine: FakeEngine) => [...engine.callsOf('addAccount'), ...engine.callsOf('issue'), ...engine.callsOf('addDeployTarget')];

describe('guided setup', () => {
  test('names: bad names are refused with their reason and the field keeps focus; IDNs show both forms; a wildcard is accepted (dns-01)', async () => {
    const { ui, engine } = openSetup();
    await step(ui, '1/11 Names');
    await ui.type('bücher.test bad_name *.example.test');
    let frame = await ui.waitForText('bad_name:');
    assert.match(frame, /IDN: bücher\.test is xn--bcher-kva\.test in DNS and in the certificate/);
    assert.doesNotMatch(frame, /\*\.example\.test:/, 'a wildcard is no problem now that dns-01 exists');
    assert.match(frame, /A wildcard \(\*\.example\.com\) needs dns-01/);
    ui.press(KEYS.enter);
    frame = await ui.waitForText('fix the name marked above');
    assert.match(frame, /1\/11 Names/, 'still on the names step');
    for (let i = 0; i < 'bad_name *.example.test'.length; i++) ui.press(KEYS.backspace);
    frame = await ui.waitForText('✔ 1 name: bücher.test (xn--bcher-kva.test)');
    assert.doesNotMatch(frame, /fix the name/, 'the message follows the typing');
    ui.press(KEYS.enter);
    await step(ui, 'Certificate authority');
    assert.equal(writes(engine).length, 0);
  });

  test('CA: the running sandbox first, staging recommended with the reason; esc goes back with the names kept', async () => {
    const { ui } = openSetup({ cas: [LE, LE_STAGING] });
    await ui.type('example.test');
    ui.press(KEYS.enter);
    let frame = await step(ui, 'Certificate authority');
    assert.match(frame, /› Let's Encrypt \(staging\)\s+staging: try here first/, 'staging first in the list');
    assert.match(frame, /failures there do not count against rate limits/);
    ui.press('j');
    frame = await ui.waitForText('rehearses on');
    assert.match(frame, /The setup rehearses on Let's Encrypt \(staging\) first/);
    ui.press(KEYS.escape);
    frame = await step(ui, '1/12 Names');
    assert.match(frame, /example\.test/);
  });

  test('preflight streams each check; a blocking finding stops the setup until it is fixed (r checks again)', async () => {
    let blocking = true;
    const { ui, engine } = openSetup({
      preflightReport: (opts) => {
        const check = { key: 'caa', title: 'www.example.test: CAA allows Local sandbox (Pebble)', tier: 'dns' as const };
        const finding = { id: 'dns.caa-forbids', severity: 'error' as const, tier: 'dns' as const, seen: 'CAA at example.test allows only other.example', todo: 'Add a CAA issue record for pebble.letsencrypt.org' };
        opts.onProgress?.({ type: 'started', check });
        opts.onProgress?.({ type: 'finished', check, outcome: blocking ? 'findings' : 'ok', ...(blocking ? { worst: 'error' as const } : {}), findings: blocking ? [finding] : [] });
        return blocking ? report({ findings: [finding], counts: { error: 1, warning: 0, info: 0 }, exitCode: 1, blocking: true }) : report();
      },
    });
    await ui.type('www.example.test');
    ui.press(KEYS.enter);
    await step(ui, 'Certificate authority');
    ui.press(KEYS.enter);
    let frame = await ui.waitForText('BLOCKS');
    assert.match(frame, /✖ www\.example\.test: CAA allows Local sandbox/);
    assert.match(frame, /do: Add a CAA issue record/);
    assert.deepEqual((engine.callsOf('preflight')[0]![0] as PreflightOptions).domains, ['www.example.test']);
    assert.equal((engine.callsOf('preflight')[0]![0] as PreflightOptions).caId, 'sandbox');
    ui.press(KEYS.enter);
    frame = await ui.waitForText('a check above blocks');
    assert.match(frame, /Preflight checks/);
    blocking = false;
    ui.press('r');
    await ui.waitForText('No blocking problem');
    assert.equal(engine.callsOf('preflight').length, 2);
    ui.press(KEYS.enter);
    await step(ui, 'Account');
  });

  test('account: e-mail checked as typed; the terms URL shown whole at 60 columns; nothing agreed or registered without a', async () => {
    const { ui, engine } = openSetup({}, { columns: 60, rows: 15 });
    await toAccount(ui);
    let frame = await ui.waitForText('› Create a new a');
    ui.press(KEYS.enter);
    await focused(ui, '› E-mail');
    await ui.type('ops@');
    ui.press(KEYS.enter);
    frame = await ui.waitForText('is not a mail domain');
    assert.match(frame, /› E-mail/, 'the field keeps focus');
    await ui.type('example.test');
    await ui.waitForFrame((f) => !f.includes('is not a mail domain'), 'the message to go');
    ui.press(KEYS.enter);
    frame = await ui.waitForText('asks you to agree');
    // Wrapped over lines, never cut: joining the rows gives the URL back.
    const joined = frame.split('\n').map((l) => l.trim()).join('');
    assert.ok(joined.includes(LONG_TOS), `the whole URL is on screen:\n${frame}`);
    ui.press(KEYS.enter);
    await ui.waitForText('press a to agree');
    ui.press(KEYS.escape);
    await ui.waitForText('› E-mail');
    ui.press(KEYS.enter);
    await ui.waitForText('asks you to agree');
    ui.press('a');
    await ui.waitForText('Agreed.');
    ui.press(KEYS.enter);
    await step(ui, 'Challenge');
    assert.equal(engine.callsOf('addAccount').length, 0, 'nothing registered before the run');
  });

  test('an existing account for the CA is offered first and used without a new registration', async () => {
    const { ui, engine } = openSetup({ accounts: undefined });
    await toAccount(ui);
    const frame = await ui.waitForText('existing account');
    assert.match(frame, /› ops@example\.test\s+existing account/);
    ui.press(KEYS.enter);
    await step(ui, 'Challenge');
    await through(ui, ['Key type', 'Deploy', 'Renewal schedule', 'Review']);
    const review = await ui.waitForText('certdeck issue');
    assert.doesNotMatch(review, /certdeck account add/);
    ui.press(KEYS.enter);
    await step(ui, 'Issuing');
    await ui.waitForFrame(() => engine.callsOf('issue').length === 1, 'the order');
    assert.equal(engine.callsOf('addAccount').length, 0);
    assert.equal((engine.callsOf('issue')[0]![0] as IssueRequest).email, 'ops@example.test');
  });

  test('the whole plan: review shows the headless commands, nothing is written before run; run creates account, target, order; done says where', async () => {
    const { ui, engine } = openSetup();
    await toAccount(ui);
    ui.press(KEYS.enter);
    await focused(ui, '› E-mail');
    await ui.type('ops@example.test');
    await ui.waitForFrame((f) => /› E-mail\s+ops@example\.test/.test(f), 'the typed e-mail');
    ui.press(KEYS.enter);
    await ui.waitForText('asks you to agree');
    ui.press('a');
    ui.press(KEYS.enter);
    let frame = await step(ui, 'Challenge');
    assert.match(frame, /Preselected from the preflight: port 80 is free/);
    ui.press('j'); // webroot
    ui.press(KEYS.enter);
    await focused(ui, '› Webroot');
    await ui.type('var/www');
    await ui.waitForFrame((f) => /› Webroot\s+var\/www/.test(f), 'the typed path');
    ui.press(KEYS.enter);
    await ui.waitForText('use an absolute path');
    for (let i = 0; i < 'var/www'.length; i++) ui.press(KEYS.backspace);
    await ui.type('/var/www/html');
    await ui.waitForFrame((f) => !f.includes('use an absolute path'), 'the webroot accepted');
    ui.press(KEYS.enter);
    frame = await step(ui, 'Key type');
    assert.match(frame, /› ec-p256\s+default: small, fast/);
    ui.press('j');
    ui.press(KEYS.enter);
    await step(ui, 'Deploy');
    ui.press('j'); // add files
    ui.press(KEYS.enter);
    await focused(ui, '› Directory');
    await ui.type('/etc/ssl/www');
    await ui.waitForFrame((f) => /› Directory\s+\/etc\/ssl\/www/.test(f), 'the typed directory');
    ui.press(KEYS.enter);
    await ui.waitForText('files-1: copy the files to /etc/ssl/www');
    ui.press('k');
    ui.press(KEYS.enter);
    await step(ui, 'Renewal schedule');
    ui.press(KEYS.enter);
    frame = (await step(ui, 'Review')).replace(/\n/g, ' '); // the lines wrap at a space: joined, they are the commands
    assert.match(frame, /certdeck account add --ca sandbox --email ops@example\.test --agree-tos/);
    assert.match(frame, /certdeck issue www\.example\.test --ca sandbox --email ops@example\.test --key-type ec-p384 --webroot \/var\/www\/html/);
    assert.match(frame, /certdeck deploy add www\.example\.test files --dir \/etc\/ssl\/www --id files-1/);
    assert.deepEqual(writes(engine), [], 'nothing written before run');
    ui.press(KEYS.enter);
    await step(ui, 'Issuing');
    await ui.waitForFrame(() => engine.callsOf('issue').length === 1, 'the order');
    assert.deepEqual(engine.callsOf('addAccount')[0]![0], { ca: 'sandbox', email: 'ops@example.test', agreeTos: true });
    assert.deepEqual(engine.callsOf('addDeployTarget')[0], ['www.example.test', { kind: 'files', dir: '/etc/ssl/www', id: 'files-1' }]);
    assert.deepEqual(engine.callsOf('issue')[0]![0], {
      certName: 'www.example.test',
      domains: ['www.example.test'],
      ca: 'sandbox',
      email: 'ops@example.test',
      keyType: 'ec-p384',
      challenge: { method: 'http-01-webroot', webroot: '/var/www/html' },
    });
    engine.settleIssue({ certName: 'www.example.test', ok: true, orderId: 'o1', orderIds: ['o1'], certificateDir: '/home/x/live/www.example.test' });
    frame = await step(ui, 'Done');
    assert.match(frame, /\/home\/x\/live\/www\.example\.test\/fullchain\.pem/);
    assert.match(frame.replace(/\n\s*/g, ' '), /certdeck renew --jitter 1h/, 'the cron line runs renew');
    assert.doesNotMatch(frame, /--if-due/);
  });

  test('a wildcard goes through with dns-01: preselected, the sandbox hook prefilled, a bad hook refused; the plan and the commands carry it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'certdeck-setup-hook-'));
    const notExec = path.join(dir, 'not-exec');
    writeFileSync(notExec, '#!/bin/sh\n', { mode: 0o644 });
    const { ui, engine } = openSetup({ accounts: undefined });
    await toAccount(ui, '*.example.test example.test');
    ui.press(KEYS.enter);
    let frame = await step(ui, 'Challenge');
    assert.match(frame, /› dns-01\s+a hook publishes a TXT record/, 'dns-01 preselected for a wildcard');
    assert.match(frame, /\*\.example\.test is a wildcard: only dns-01 can prove it/);
    ui.press('k'); // http-01 webroot: refused for a wildcard
    ui.press(KEYS.enter);
    await ui.waitForText('a wildcard can only be proven with dns-01');
    ui.press('j');
    ui.press(KEYS.enter);
    await focused(ui, '› DNS hook');
    frame = ui.lastFrame();
    assert.ok(frame.replace(/\n\s*/g, '').includes(sandboxDnsHookPath()), `the sandbox's hook is preselected:\n${frame}`);
    for (let i = 0; i < sandboxDnsHookPath().length; i++) ui.press(KEYS.backspace);
    await ui.type(notExec);
    await ui.waitForFrame((f) => f.includes('not-exec'), 'the typed hook');
    ui.press(KEYS.enter);
    await ui.waitForText('is not executable');
    for (let i = 0; i < notExec.length; i++) ui.press(KEYS.backspace);
    await ui.type(sandboxDnsHookPath());
    await ui.waitForFrame((f) => !f.includes('is not executable'), 'the hook accepted');
    ui.press(KEYS.enter);
    await step(ui, 'Key type');
    await through(ui, ['Deploy', 'Renewal schedule', 'Review']);
    frame = ui.lastFrame().replace(/\n\s*/g, ' ');
    assert.match(frame, /Challenge: DNS-01/);
    assert.ok(frame.replace(/ /g, '').includes(`--challengedns-01--dns-hook${sandboxDnsHookPath()}`), `the issue line carries dns-01:\n${frame}`);
    ui.press(KEYS.enter);
    await step(ui, 'Issuing');
    await ui.waitForFrame(() => engine.callsOf('issue').length === 1, 'the order');
    const request = engine.callsOf('issue')[0]![0] as IssueRequest;
    assert.deepEqual(request.domains, ['*.example.test', 'example.test']);
    assert.equal(request.certName, 'example.test');
    assert.deepEqual(request.challenge, { method: 'dns-01', hook: sandboxDnsHookPath() });
    rmSync(dir, { recursive: true, force: true });
  });

  test('renewal: as root with systemd the timer is offered first and installed after the issue (injected unit directory); otherwise the cron line runs renew', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'certdeck-setup-units-'));
    const command = currentCommand();
    try {
      const scheduler = renewalScheduler({ CERTDECK_HOME: '/srv/certdeck home' }, { systemd: true, root: true, unitDir: dir, command });
      const engine = new FakeEngine({ cas: [SANDBOX, LE_STAGING, LE], accounts: undefined, preflightReport: streamingPreflight });
      const ui = renderApp(engine, { clock: new ManualClock(), mode: { kind: 'dashboard', setup: true, renewalScheduler: scheduler }, validateDomain: realValidator, columns: 100, rows: 30 });
      await toAccount(ui);
      await through(ui, ['Challenge', 'Key type', 'Deploy', 'Renewal schedule']);
      let frame = ui.lastFrame();
      assert.match(frame, /› Install systemd timer\s+certdeck-renew\.timer: certdeck renew twice a day/);
      assert.ok(frame.replace(/\n\s*/g, '').includes(dir), 'names the unit directory');
      ui.press(KEYS.enter);
      frame = (await step(ui, 'Review')).replace(/\n\s*/g, ' ');
      assert.match(frame, /Renewal: the systemd timer certdeck-renew\.timer/);
      assert.deepEqual(readdirSync(dir), [], 'nothing installed before run');
      ui.press(KEYS.enter);
      await step(ui, 'Issuing');
      await ui.waitForFrame(() => engine.callsOf('issue').length === 1, 'the order');
      engine.settleIssue({ certName: 'www.example.test', ok: true, orderId: 'o1', orderIds: ['o1'], certificateDir: '/home/x/live/www.example.test' });
      frame = await step(ui, 'Done');
      assert.match(frame, /the systemd timer is installed/);
      assert.deepEqual(readdirSync(dir).sort(), ['certdeck-renew.service', 'certdeck-renew.timer']);
      const service = readFileSync(path.join(dir, 'certdeck-renew.service'), 'utf8');
      assert.match(service, /renew/);
      assert.match(service, /CERTDECK_HOME/);
      cleanup();

      const noRoot = renewalScheduler({}, { systemd: true, root: false, unitDir: dir, command });
      const engine2 = new FakeEngine({ cas: [SANDBOX, LE_STAGING, LE], accounts: undefined, preflightReport: streamingPreflight });
      const ui2 = renderApp(engine2, { clock: new ManualClock(), mode: { kind: 'dashboard', setup: true, renewalScheduler: noRoot }, validateDomain: realValidator, columns: 100, rows: 30 });
      await toAccount(ui2);
      await through(ui2, ['Challenge', 'Key type', 'Deploy', 'Renewal schedule']);
      frame = ui2.lastFrame();
      assert.doesNotMatch(frame, /Install systemd timer/, 'no timer offered without root');
      assert.match(frame, /› Show the cron line/);
      assert.match(frame, /No systemd timer: installing a systemd timer needs root/);
      assert.match(frame.replace(/\n\s*/g, ' '), /renew --jitter 1h/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('quit: esc on the first step and q at the review leave without writing anything', async () => {
    const first = openSetup();
    await step(first.ui, '1/11 Names');
    first.ui.press(KEYS.escape);
    assert.equal(await first.ui.waitForExit(), 0);
    cleanup();

    const { ui, engine } = openSetup({ accounts: undefined });
    await toAccount(ui);
    await through(ui, ['Challenge', 'Key type', 'Deploy', 'Renewal schedule', 'Review']);
    ui.press('q');
    assert.equal(await ui.waitForExit(), 0);
    assert.deepEqual(writes(engine), []);
  });

  test('a CA with a staging CA in the catalog rehearses there first, under its own certificate name, then asks', async () => {
    const { ui, engine } = openSetup({ cas: [LE_STAGING, LE], accounts: [] });
    await ui.type('www.example.test');
    ui.press(KEYS.enter);
    await step(ui, 'Certificate authority');
    ui.press('j'); // Let's Encrypt (production)
    await ui.waitForText("› Let's Encrypt ");
    ui.press(KEYS.enter);
    await ui.waitForText('No blocking problem');
    ui.press(KEYS.enter);
    await step(ui, 'Account');
    ui.press(KEYS.enter);
    ui.press(KEYS.enter);
    await ui.waitForText('asks you to agree');
    ui.press('a');
    ui.press(KEYS.enter);
    await step(ui, 'Challenge');
    await through(ui, ['Key type', 'Deploy', 'Renewal schedule', 'Review', 'Rehearsal on staging']);
    ui.press(KEYS.enter);
    await ui.waitForFrame(() => engine.callsOf('issue').length === 1, 'the rehearsal order');
    const rehearsal = engine.callsOf('issue')[0]![0] as IssueRequest;
    assert.equal(rehearsal.ca, 'letsencrypt-staging');
    assert.equal(rehearsal.certName, 'www.example.test-rehearsal');
    engine.settleIssue({ certName: 'www.example.test-rehearsal', ok: true, orderId: 'r1', orderIds: ['r1'] });
    await ui.waitForText('The rehearsal at');
    assert.equal(engine.callsOf('issue').length, 1, 'asks before the real CA');
    ui.press(KEYS.enter);
    await ui.waitForFrame(() => engine.callsOf('issue').length === 2, 'the real order');
    assert.equal((engine.callsOf('issue')[1]![0] as IssueRequest).ca, 'letsencrypt');
    assert.deepEqual(engine.callsOf('addAccount').map((c) => (c[0] as { ca: string }).ca), ['letsencrypt-staging', 'letsencrypt']);
  });

  test('at 60x15 the review scrolls and the hints are short', async () => {
    const { ui } = openSetup({ accounts: undefined }, { columns: 60, rows: 15 });
    await toAccount(ui);
    await through(ui, ['Challenge', 'Key type', 'Deploy', 'Renewal schedule', 'Review']);
    let frame = await ui.waitForText('more');
    assert.match(frame, /↓ \d+ more/);
    assert.match(frame, /enter next/);
    assert.ok(frame.split('\n').every((l) => l.length <= 60), 'nothing wider than the terminal');
    for (let i = 0; i < 20; i++) ui.press(KEYS.down);
    frame = await ui.waitForText('Press enter to run it');
    assert.match(frame, /↑ \d+ more/);
  });
});


describe('guided setup: custom CA and a web server on the port', () => {
  test('a custom directory must be https; its CA bundle path must be absolute; the preflight checks that URL', async () => {
    const { ui, engine } = openSetup({ cas: [LE] });
    await ui.type('www.example.test');
    ui.press(KEYS.enter);
    await step(ui, 'Certificate authority');
    ui.press('j');
    await ui.waitForText('› Other ACME server');
    ui.press(KEYS.enter);
    await focused(ui, '› Directory');
    await ui.type('http://ca.test/dir');
    ui.press(KEYS.enter);
    await ui.waitForText('an ACME directory is served over https://');
    for (let i = 0; i < 'http://ca.test/dir'.length; i++) ui.press(KEYS.backspace);
    await ui.type('https://ca.test/dir');
    await ui.waitForFrame((f) => !f.includes('served over https://'), 'the URL accepted');
    ui.press(KEYS.enter);
    await focused(ui, '› CA bundle');
    await ui.type('ca.pem');
    ui.press(KEYS.enter);
    await ui.waitForText('use an absolute path');
    for (let i = 0; i < 'ca.pem'.length; i++) ui.press(KEYS.backspace);
    await ui.type('/etc/ssl/ca.pem');
    await ui.waitForFrame((f) => !f.includes('use an absolute path'), 'the path accepted');
    ui.press(KEYS.enter);
    await ui.waitForText('No blocking problem');
    assert.equal((engine.callsOf('preflight')[0]![0] as PreflightOptions).caId, 'https://ca.test/dir');
  });

  test('nginx on the port: the preflight suggests webroot with its document root, and the challenge step has it preselected', async () => {
    const { ui } = openSetup({
      preflightReport: () => report({ suggestedChallenge: { method: 'http-01-webroot', webroot: '/srv/nginx-root' }, suggestionReason: 'nginx serves port 80 from /srv/nginx-root' }),
    });
    await ui.type('www.example.test');
    ui.press(KEYS.enter);
    await step(ui, 'Certificate authority');
    ui.press(KEYS.enter);
    const pre = await ui.waitForText('Suggested challenge');
    assert.match(pre, /Suggested challenge: webroot \/srv\/nginx-root \(nginx serves port 80 from \/srv\/nginx-root\)/);
    ui.press(KEYS.enter);
    await step(ui, 'Account');
    ui.press(KEYS.enter);
    await focused(ui, '› E-mail');
    ui.press(KEYS.enter);
    await ui.waitForText('press a to agree');
    ui.press('a');
    ui.press(KEYS.enter);
    const frame = await step(ui, 'Challenge');
    assert.match(frame, /› webroot/, 'webroot is the chosen method');
    assert.match(frame, /Webroot\s+\/srv\/nginx-root/);
    assert.match(frame, /Preselected from the preflight: nginx serves port 80/);
  });
});

describe('guided setup: secrets and an order in flight', () => {
  test('EAB: the HMAC key is masked as typed and appears nowhere, neither on screen nor in the printed commands', async () => {
    const ZEROSSL: CaInfo = { id: 'zerossl', name: 'ZeroSSL', directoryUrl: 'https://127.0.0.1:14020/dir', eabRequired: true, notes: ['Needs EAB.'], staging: false, policy: DEFAULT_POLICY };
    const { ui, engine } = openSetup({ cas: [ZEROSSL] });
    await ui.type('www.example.test');
    ui.press(KEYS.enter);
    await step(ui, 'Certificate authority');
    ui.press(KEYS.enter);
    await focused(ui, '› EAB key id');
    ui.press(KEYS.enter);
    await focused(ui, '› EAB HMAC');
    ui.press(KEYS.enter);
    await ui.waitForText('this CA requires External Account Binding');
    ui.press(KEYS.shiftTab);
    await focused(ui, '› EAB key id');
    await ui.type('kid-123');
    ui.press(KEYS.enter);
    await focused(ui, '› EAB HMAC');
    await ui.type('SECRET-hmac-value');
    await ui.waitForFrame((f) => f.includes('*****'), 'the masked key');
    ui.press(KEYS.enter);
    await ui.waitForText('No blocking problem');
    ui.press(KEYS.enter);
    await step(ui, 'Account');
    ui.press(KEYS.enter);
    await focused(ui, '› E-mail');
    ui.press(KEYS.enter);
    await ui.waitForText('press a to agree');
    ui.press('a');
    ui.press(KEYS.enter);
    await step(ui, 'Challenge');
    await through(ui, ['Key type', 'Deploy', 'Renewal schedule', 'Review']);
    const review = await ui.waitForText('certdeck account add');
    assert.match(review.replace(/\n/g, ' '), /CERTDECK_EAB_HMAC_KEY=… certdeck account add --ca zerossl --eab-kid kid-123 --agree-tos/);
    ui.press(KEYS.enter);
    await ui.waitForFrame(() => engine.callsOf('issue').length === 1, 'the order');
    assert.deepEqual((engine.callsOf('addAccount')[0]![0] as { eab?: unknown }).eab, { kid: 'kid-123', hmacKey: 'SECRET-hmac-value' });
    assert.ok(ui.frames.every((f) => !f.includes('SECRET-hmac-value')), 'no frame ever showed the HMAC key');
  });

  test('q while the order runs asks; leave stops the engine (the order is suspended, resumable)', async () => {
    const { ui, engine } = openSetup({
      accounts: undefined,
      reactions: { issue: () => [queued('o1', { domains: ['www.example.test'], caId: 'sandbox', caName: 'Local sandbox (Pebble)' }), phase('o1', 'authorizing')] },
    });
    await toAccount(ui);
    ui.press(KEYS.enter);
    await step(ui, 'Challenge');
    await through(ui, ['Key type', 'Deploy', 'Renewal schedule', 'Review', 'Issuing']);
    await ui.waitForFrame(() => engine.callsOf('issue').length === 1, 'the order');
    ui.press('q');
    await ui.waitForText('resume on the next run');
    ui.press('l');
    await ui.waitForExit();
    assert.equal(engine.callsOf('close').length, 1, 'the engine was closed (orders suspended), not cancelled');
    assert.equal(engine.callsOf('cancel').length, 0);
  });
});

describe('dashboard form without an account', () => {
  test('asks for an e-mail and the terms before ordering, and orders with the agreement', async () => {
    const engine = new FakeEngine({ accounts: [] });
    const ui = renderApp(engine, { clock: new ManualClock(), columns: 100, rows: 30 });
    await ui.waitForText('Press n');
    ui.press('n');
    await ui.waitForText('New certificate');
    await ui.type('www.example.test');
    for (let i = 0; i < 4; i++) ui.press(KEYS.tab);
    await ui.waitForText('› [ Request certificate ]');
    ui.press(KEYS.enter);
    let frame = await ui.waitForText('has no account here yet');
    assert.match(frame, /https:\/\/127\.0\.0\.1\/tos\/letsencrypt/);
    assert.equal(engine.callsOf('issue').length, 0);
    await focused(ui, '› E-mail');
    await ui.type('ops@example.test');
    ui.press(KEYS.tab);
    await ui.waitForText('press a to agree');
    ui.press(KEYS.tab);
    ui.press(KEYS.enter);
    frame = await ui.waitForText('› Terms');
    assert.equal(engine.callsOf('issue').length, 0, 'no order without agreement');
    ui.press('a');
    await ui.waitForText('✔ agreed');
    ui.press(KEYS.tab);
    ui.press(KEYS.enter);
    await ui.waitForFrame(() => engine.callsOf('issue').length === 1, 'the order');
    const request = engine.callsOf('issue')[0]![0] as IssueRequest;
    assert.equal(request.agreeTos, true);
    assert.equal(request.email, 'ops@example.test');
  });
});
