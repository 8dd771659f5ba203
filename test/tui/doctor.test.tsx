import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import type { CheckInfo, DiagnoseOptions, Finding } from '../../src/engine/api.js';
import { ManualClock } from '../../src/engine/core/clock.js';
import { doctorLines, emptyDoctorState, foldProgress, wrapText } from '../../src/tui/view-model/doctor-lines.js';
import { FakeEngine } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { certKnown, certificate, processingOrder } from './fixtures.js';

afterEach(() => cleanup());

const keyCheck: CheckInfo = { key: 'cert:api.example.org:key', title: 'private key matches the certificate', tier: 'offline', certName: 'api.example.org' };
const filesCheck: CheckInfo = { key: 'cert:api.example.org:files', title: 'files present and private', tier: 'offline', certName: 'api.example.org' };
const mismatch: Finding = {
  id: 'cert.key-mismatch',
  severity: 'error',
  tier: 'offline',
  certName: 'api.example.org',
  seen: 'privkey.pem in /var/lib/certdeck/archive/api.example.org/3 is not the private key of cert.pem (serial 5CA7D48537EAF5B6): TLS with this pair fails at the next reload of every server that uses it.',
  todo: 'Restore the matching key from a backup, or re-issue: certdeck issue api.example.org (a new key is generated).',
};

describe('doctor screen', () => {
  test('D on a certificate row opens the doctor for it; each check shows as running, then its result and finding, wrapped', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({ events: [certKnown(certificate('api.example.org'))] });
    const ui = renderApp(engine, { clock, columns: 60, rows: 24 });
    await ui.waitForText('60d valid');
    ui.press('D');
    await ui.waitForText('Doctor · api.example.org');
    assert.deepEqual((engine.callsOf('diagnose')[0]?.[0] as DiagnoseOptions).certNames, ['api.example.org']);

    engine.diagnoseProgress({ type: 'started', check: filesCheck });
    let frame = await ui.waitForText('files present and private …');
    assert.match(frame, /◐ files present and private …/);
    engine.diagnoseProgress({ type: 'finished', check: filesCheck, outcome: 'ok', findings: [] }, { type: 'started', check: keyCheck });
    frame = await ui.waitForText('✔ files present and private');
    assert.match(frame, /◐ private key matches the certificate …/);
    engine.diagnoseProgress({ type: 'finished', check: keyCheck, outcome: 'findings', worst: 'error', findings: [mismatch] });
    frame = await ui.waitForText('ERROR cert.key-mismatch');
    assert.match(frame, /✖ private key matches the certificate/);
    // The long "seen" text is wrapped over lines, never cut: its last words are on screen, no line is wider than 60.
    assert.match(frame, /seen {2}privkey\.pem in/);
    assert.match(frame, /every server that uses it\./);
    assert.match(frame, /do {4}Restore the matching key/);
    for (const line of frame.split('\n')) assert.ok([...line].length <= 60, `too wide: ${line}`);

    engine.settleDiagnose({ certNames: ['api.example.org'], findings: [mismatch], checks: [], counts: { error: 1, warning: 0, info: 0 }, exitCode: 1 });
    await ui.waitForText('problems found');
  });

  test('r runs the checks again, o switches to offline only; esc goes back to the dashboard', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({ events: [certKnown(certificate('api.example.org'))] });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('api.example.org');
    ui.press('D');
    await ui.waitForText('Doctor · api.example.org');
    ui.press('r');
    await ui.waitForFrame(() => engine.callsOf('diagnose').length === 2, 'a second run');
    ui.press('o');
    await ui.waitForText('· offline');
    assert.equal((engine.callsOf('diagnose')[2]?.[0] as DiagnoseOptions).offline, true);
    // The runs replaced are aborted, so their late progress cannot mix into the current list.
    assert.equal((engine.callsOf('diagnose')[0]?.[0] as DiagnoseOptions).signal?.aborted, true);
    ui.press(KEYS.escape);
    await ui.waitForFrame((f) => !f.includes('Doctor ·') && f.includes('api.example.org'), 'the dashboard');
  });

  test('D on an order opens the doctor for the order\'s certificate, also from the order detail', async () => {
    const clock = new ManualClock();
    const engine = new FakeEngine({ events: processingOrder('o1', { domains: ['api.example.org'] }) });
    const ui = renderApp(engine, { clock });
    await ui.waitForText('api.example.org');
    ui.press(KEYS.enter);
    await ui.waitForText('Order · api.example.org');
    ui.press('D');
    await ui.waitForText('Doctor · api.example.org');
    assert.deepEqual((engine.callsOf('diagnose')[0]?.[0] as DiagnoseOptions).certNames, ['api.example.org']);
  });
});

describe('doctor lines', () => {
  test('wrapping keeps every word, indents continuation lines and breaks words longer than the width', () => {
    const lines = wrapText('a '.repeat(30) + 'x'.repeat(50), 30, '  seen  ', '        ');
    assert.ok(lines.every((l) => l.length <= 30));
    assert.ok(lines[0]!.startsWith('  seen  '));
    assert.equal(lines.join(' ').replace('  seen  ', '').replace(/\s+/g, ''), 'a'.repeat(30) + 'x'.repeat(50));
    assert.ok(lines.slice(1).every((l) => l.startsWith('        ')));
  });

  test('checks are grouped by certificate and tier in the order they started', () => {
    let s = foldProgress(emptyDoctorState, { type: 'started', check: filesCheck });
    s = foldProgress(s, { type: 'started', check: { key: 'ca:x:directory', title: 'directory of X reachable', tier: 'ca', caId: 'x' } });
    s = foldProgress(s, { type: 'finished', check: filesCheck, outcome: 'ok', findings: [] });
    const text = doctorLines(s, 80).map((l) => l.text);
    assert.deepEqual(text, ['Certificate api.example.org · offline', '  ✔ files present and private', 'CA x · ca', '  ◐ directory of X reachable …']);
  });
});
