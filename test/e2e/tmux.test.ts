/**
 * certdeck in a real terminal (tmux, 100x30, xterm-256color) against the local sandbox CA with an order that hangs
 * in "processing": what the operator sees, the keys they press, the exit code and the terminal they get back.
 *
 * Needs tmux, pebble and the built CLI (npm test builds dist/ first); skipped with the reason otherwise.
 * Every wait is bounded (30 s per expectation, for a loaded CI machine) and polls the screen; the tmux server and
 * the sandbox are always ended.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { CLI } from '../support/cli.js';
import { systemPackagesSkip } from '../support/system-packages.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { cookedWithEcho, lineWith, TmuxTerminal, tmuxAvailable } from './support/tmux-terminal.js';

const skip = systemPackagesSkip(['tmux', 'pebble']) || (!tmuxAvailable()
  ? 'tmux is not installed (apt-get install tmux)'
  : !pebbleAvailable()
    ? 'pebble and pebble-challtestsrv are not installed (apt-get install pebble pebble-challtestsrv)'
    : !existsSync(CLI)
      ? `the CLI is not built (${CLI} is missing): run npm run build`
      : false);

/** What the order row says about the wait: time in the phase, the countdown to the next poll, the poll count. */
interface WaitShown {
  inPhaseSeconds: number;
  nextPollIn: string;
  poll: number;
}

function waitShown(screen: string): WaitShown | undefined {
  const inPhase = /(?:HUNG )?processing (\d+)s\s*$/m.exec(screen);
  const next = /next poll in (\S+) \((?:backoff|Retry-After) [^)]*\) · poll (\d+)/.exec(screen);
  if (!inPhase || !next) return undefined;
  return { inPhaseSeconds: Number(inPhase[1]), nextPollIn: next[1]!, poll: Number(next[2]) };
}

/** The CA picker's lines, below its title. */
function pickerLines(screen: string): string[] {
  const lines = screen.split('\n');
  const title = lines.findIndex((l) => l.startsWith('Switch CA for'));
  return title < 0 ? [] : lines.slice(title + 1);
}

/** The line under the CA picker's cursor. */
function pickerCursor(screen: string): string | undefined {
  return pickerLines(screen).find((l) => l.startsWith('› '));
}

/** Non-blank screen lines, trailing blanks removed. */
function screenLines(screen: string): string[] {
  return screen.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
}

function certdeck(...args: string[]): string[] {
  return [process.execPath, CLI, ...args];
}

describe('certdeck in a real terminal (tmux)', { skip }, () => {
  let sandbox: TestSandbox;

  before(async () => {
    sandbox = await startTestSandbox({ fault: 'hang-processing' });
  });

  after(async () => {
    await sandbox?.stop();
  });

  test('issue: a hung order counts down live, is flagged HUNG, and one switch to sandbox-b issues it (exit 0)', async () => {
    const term = await TmuxTerminal.start(certdeck('issue', 'hang.test', 'www.hang.test', '--ca', 'sandbox', '--agree-tos'), {
      env: { CERTDECK_HOME: sandbox.home },
    });
    try {
      // Given the order sits in "processing", when time passes, then the countdowns on screen move by themselves.
      const first = await term.waitFor(waitShown, 'the order processing with a countdown to its next poll');
      const moved = await term.waitFor((s) => {
        const now = waitShown(s);
        return now && now.inPhaseSeconds > first.inPhaseSeconds ? now : undefined;
      }, `the time in "processing" to move past ${first.inPhaseSeconds}s`);
      assert.ok(moved.inPhaseSeconds > first.inPhaseSeconds);
      const countdowns = new Set([first.nextPollIn, moved.nextPollIn]);
      await term.waitFor((s) => {
        const now = waitShown(s);
        if (now) countdowns.add(now.nextPollIn);
        return countdowns.size >= 2;
      }, 'the "next poll in" countdown to change');
      assert.ok(countdowns.size >= 2, `next poll in: ${[...countdowns].join(', ')}`);

      // Past the CA's threshold (10 s for the sandbox) the order is flagged, with what to do about it.
      const hungScreen = await term.waitForText('⚠ HUNG: processing');
      assert.match(hungScreen, /s re-issue at another CA/);
      assert.match(hungScreen, /HUNG processing \d+s/);

      // s opens the picker; the order's own CA is not offered; move to sandbox-b and switch.
      await term.sendKeys('s');
      const picker = await term.waitForText('Switch CA for hang.test +1');
      assert.ok(!pickerLines(picker).some((l) => /^[› ] Local sandbox \(Pebble\)/.test(l)), "the hung order's own CA is not offered");
      for (let presses = 0; !pickerCursor(await term.capture())?.includes('Local sandbox B'); presses++) {
        assert.ok(presses < 20, 'Local sandbox B is not in the CA picker');
        const before = pickerCursor(await term.capture());
        await term.sendKeys('j');
        await term.waitFor((s) => pickerCursor(s) !== before, 'the picker cursor to move');
      }
      await term.sendKeys('Enter');
      // Switching asks first.
      await term.waitForText('y switch · n keep');
      await term.sendKeys('y');

      // Then the certificate is issued by sandbox-b, the summary stays on screen, and the command exits 0.
      assert.equal(await term.exitCode(), 0);
      const done = await term.capture();
      const lines = screenLines(done);
      // The summary wraps rather than cuts off why the first order was abandoned.
      assert.match(done.replace(/\n(?!✔|certdeck|EXIT)/g, ' '), /↷ hang\.test, www\.hang\.test at .*: abandoned \(switched to\s+Sandbox B \(Pebble\) by the operator\)/);
      assert.match(done, /✔ hang\.test, www\.hang\.test: issued by Sandbox B \(Pebble\)/);
      assert.deepEqual(lines.slice(-2), ['certdeck issue finished: exit 0 (ok)', 'EXIT=0']);
      assert.doesNotMatch(done, /Switch CA for|next poll in/, 'the live view is replaced by the summary');

      // And the files on disk chain to sandbox-b's root, not to the hung CA's.
      const live = path.join(pathsUnder(sandbox.home).liveDir, 'hang.test');
      const leaf = new X509Certificate(await readFile(path.join(live, 'cert.pem')));
      const issuer = new X509Certificate(await readFile(path.join(live, 'chain.pem')));
      assert.match(leaf.subjectAltName ?? '', /DNS:hang\.test/);
      assert.match(leaf.subjectAltName ?? '', /DNS:www\.hang\.test/);
      assert.ok(leaf.verify(issuer.publicKey), 'cert.pem is signed by chain.pem');
      assert.ok(issuer.verify(new X509Certificate(await sandbox.pebbleRootPem('sandbox-b')).publicKey), 'chain.pem is signed by the sandbox-b root');
      assert.ok(!issuer.verify(new X509Certificate(await sandbox.pebbleRootPem('sandbox')).publicKey), 'not by the hung sandbox');
    } finally {
      await term.kill();
    }
  });

  test('issue: c then s stops the hung (finalized) order, exits 130 and gives the terminal back as it was', async () => {
    const term = await TmuxTerminal.start(certdeck('issue', 'cancel.test', '--ca', 'sandbox', '--agree-tos'), {
      env: { CERTDECK_HOME: sandbox.home },
    });
    try {
      await term.waitFor(waitShown, 'the order processing');
      await term.sendKeys('c');
      const confirm = await term.waitForText('s stop now, resume later');
      assert.match(confirm, /Already being issued by .*: cancel\.test \(processing \d+s\)\./);
      await term.sendKeys('s');

      assert.equal(await term.exitCode(), 130);
      const done = await term.capture();
      // The summary is the last thing the program wrote: the shell's next line follows it directly.
      // (The stop reason is long enough for the terminal to wrap it.)
      const lines = screenLines(done);
      assert.deepEqual(lines.slice(-2), ['certdeck issue finished: exit 130 (cancelled)', 'EXIT=130']);
      assert.match(
        lines.slice(0, -2).join(' '),
        /^⊘ cancel\.test at .*: cancelled \(stopped by the operator; the ?certificate is already being issued, the next run resumes this order and downloads it\)$/,
      );
      // The cursor is visible again, in the screen's state and in the bytes written: the last cursor-visibility
      // sequence is "show". Input is back in cooked mode with echo.
      assert.equal(await term.display('#{cursor_flag}'), '1');
      const raw = await term.rawOutput();
      assert.ok(raw.includes('\u001B[?25l'), 'the live view hid the cursor while it ran');
      assert.ok(raw.lastIndexOf('\u001B[?25h') > raw.lastIndexOf('\u001B[?25l'), 'the cursor was shown again after the last hide');
      const afterSummary = raw.slice(raw.lastIndexOf('certdeck issue finished: exit 130 (cancelled)'));
      assert.match(afterSummary, /^certdeck issue finished: exit 130 \(cancelled\)[\s\S]*EXIT=130/);
      // Colour resets and terminal mode switches may follow; nothing that prints, moves the cursor or erases does.
      const drawn = afterSummary.replace(/\u001B\[[\d;]*m|\u001B\[\?\d+[hl]/g, '');
      assert.match(drawn, /^certdeck issue finished: exit 130 \(cancelled\)\s*EXIT=130\s*$/, `after the summary: ${JSON.stringify(afterSummary)}`);
      assert.ok(cookedWithEcho(await term.sttyAfterExit()), 'stty is back to icanon echo');
    } finally {
      await term.kill();
    }
  });

  test('dashboard: opens, n shows the form with the running sandbox first, a bad name is explained, q quits cleanly', async () => {
    const term = await TmuxTerminal.start(certdeck(), { env: { CERTDECK_HOME: sandbox.home } });
    try {
      const home = await term.waitForText('n new order');
      assert.match(screenLines(home)[0] ?? '', /^certdeck\s+(idle|\d+ running) · \d\d:\d\d:\d\d$/);
      assert.equal(await term.display('#{alternate_on}'), '1', 'the dashboard takes the alternate screen');

      await term.sendKeys('n');
      const form = await term.waitForText('New certificate');
      // The sandbox runs, so its CA is the default, and the challenge line does not promise port 80.
      assert.match(lineWith(form, /^ {2}CA /) ?? '', /Local sandbox \(Pebble\)/);
      assert.match(lineWith(form, /^ {2}Challenge /) ?? '', /standalone http-01 \(certdeck answers on the sandbox's validation port\)/);
      await term.type('bad_name.test');
      const invalid = await term.waitForText('✖ bad_name.test:');
      assert.match(lineWith(invalid, '✖ bad_name.test:') ?? '', /✖ bad_name\.test: .*'_'/);

      await term.sendKeys('Escape');
      await term.waitForText('n new order');
      await term.sendKeys('q');
      assert.equal(await term.exitCode(), 0);
      // The alternate screen is left: the shell's screen is back, with nothing but the exit line on it.
      assert.deepEqual(screenLines(await term.capture()), ['EXIT=0']);
      assert.equal(await term.display('#{alternate_on}'), '0');
      assert.equal(await term.display('#{cursor_flag}'), '1');
      assert.ok(cookedWithEcho(await term.sttyAfterExit()), 'stty is back to icanon echo');
    } finally {
      await term.kill();
    }
  });
});
