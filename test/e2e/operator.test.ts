/**
 * Issue 12 end to end, in a real terminal (tmux) against the sandbox CA: what an operator watching certdeck sees
 * must be true. (a) a dashboard notices a certificate another certdeck process issues in the same home; (b) a
 * failing deploy target is on screen and makes `certdeck issue` exit 3; (c) at 60x15 a hung order still shows HUNG,
 * its deadline and its keys; (d) a switch to a CA that cannot be reached leaves the original order resumable.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { readJournal } from '../../src/engine/store/journal.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { CLI, ndjson, runCli } from '../support/cli.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { systemPackagesSkip } from '../support/system-packages.js';
import { TmuxTerminal } from './support/tmux-terminal.js';

const skip = systemPackagesSkip(['tmux', 'pebble']);

function certdeck(...args: string[]): string[] {
  return [process.execPath, CLI, ...args];
}

/** The sandbox's second Pebble, found by its config file on its command line. */
function pebbleBPid(sandbox: TestSandbox): number {
  for (const pid of sandbox.state.pids) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('pebble-sandbox-b')) return pid;
  }
  throw new Error('no pebble for sandbox-b among the sandbox processes');
}

describe('the operator can trust the screen (tmux)', { skip }, () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startTestSandbox({ fault: 'none' });
  });
  after(async () => {
    await sandbox?.stop();
  });

  test('(a) a dashboard lists a certificate that a CLI run in the same home issues, within a few seconds', async () => {
    sandbox.proxy!.setScenario({ rules: [] });
    // An operator's home, not an empty one (which opens the guided setup): an account for the sandbox exists.
    const account = await runCli(['account', 'add', '--ca', 'sandbox', '--agree-tos'], { CERTDECK_HOME: sandbox.home });
    assert.equal(account.code, 0, account.stderr);
    const term = await TmuxTerminal.start(certdeck(), { env: { CERTDECK_HOME: sandbox.home }, columns: 100, rows: 30 });
    try {
      const before = await term.waitForText('n new order');
      assert.doesNotMatch(before, /other-shell\.test/);
      const r = await runCli(['issue', 'other-shell.test', '--ca', 'sandbox', '--agree-tos', '--json'], { CERTDECK_HOME: sandbox.home });
      assert.equal(r.code, 0, r.stderr);
      // Nothing pressed: the engine's store watcher brings it in.
      const screen = await term.waitForText('other-shell.test', 10_000);
      assert.match(screen, /✔ other-shell\.test +Local sandbox \(Pebble\) .* valid/);
      await term.sendKeys('q');
      assert.equal(await term.exitCode(), 0);
    } finally {
      await term.kill();
    }
  });

  test('(b) certdeck issue with a failing deploy target shows the failure on screen and exits 3', async () => {
    sandbox.proxy!.setScenario({ rules: [] });
    const home = { CERTDECK_HOME: sandbox.home };
    assert.equal((await runCli(['deploy', 'add', 'deployfail.test', 'command', '--id', 'reload', '--', 'false'], home)).code, 0);
    const term = await TmuxTerminal.start(certdeck('issue', 'deployfail.test', '--ca', 'sandbox', '--agree-tos'), { env: home, columns: 100, rows: 30 });
    try {
      assert.equal(await term.exitCode(), 3);
      const done = await term.capture();
      assert.match(done, /✔ deployfail\.test: issued by Sandbox \(Pebble\)/);
      assert.match(done, /✖ deploy of deployfail\.test failed: 0 succeeded, 1 failed, 0 skipped/);
      assert.match(done, /✖ reload \(run false\): failed - .*exit code 1/);
      assert.match(done, /certdeck issue finished: exit 3 \(partial\)/);
    } finally {
      await term.kill();
    }
  });

  test('(c) at 60x15 the hung order shows HUNG, the deadline and the keys', async () => {
    sandbox.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
    const term = await TmuxTerminal.start(certdeck('issue', 'narrow.test', '--ca', 'sandbox', '--agree-tos'), {
      env: { CERTDECK_HOME: sandbox.home },
      columns: 60,
      rows: 15,
    });
    try {
      // The sandbox flags an order hung after 10 s in processing; its processing deadline is a minute.
      const screen = await term.waitFor((s) => (/HUNG processing \d+s/.test(s) && /gives up in \d+s/.test(s) ? s : undefined), 'HUNG with its deadline');
      const lines = screen.split('\n');
      assert.ok(lines.every((l) => [...l].length <= 60), 'nothing wider than the terminal');
      assert.match(screen, /⚠ hung \d+s, \d+ polls · w wait · s switch · c cancel/);
      assert.match(screen, /w keep waiting/);
      assert.match(screen, /c cancel/);
      assert.match(screen, /s switch CA/);
      await term.sendKeys('c');
      // The hung order was finalized: cancelling only stops this run and keeps the order to resume (issue 11).
      await term.waitForText('s stop now, resume later');
      await term.sendKeys('s');
      assert.equal(await term.exitCode(), 130);
    } finally {
      await term.kill();
      sandbox.proxy!.setScenario({ rules: [] });
    }
  });
});

describe('switch CA to a CA that cannot be reached (tmux)', { skip }, () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await startTestSandbox({ fault: 'hang-processing' });
  });
  after(async () => {
    await sandbox?.stop();
  });

  test('(d) leaves the original order resumable, says so, and the next run resumes it', async () => {
    const home = { CERTDECK_HOME: sandbox.home };
    const paths = pathsUnder(sandbox.home);
    const term = await TmuxTerminal.start(certdeck('issue', 'unreach.test', '--ca', 'sandbox', '--agree-tos', '--max-retries', '1'), { env: home, columns: 100, rows: 30 });
    let original: string | undefined;
    try {
      await term.waitFor((s) => (/next poll in/.test(s) && /processing \d+s/.test(s) ? s : undefined), 'the order processing');
      original = (await readJournal(paths, 'unreach.test'))?.current?.orderUrl;
      assert.ok(original, 'the order URL is journaled');
      // sandbox-b goes away; the picker still lists it (its state says it runs), as a CA that is down would be.
      process.kill(pebbleBPid(sandbox), 'SIGKILL');

      await term.sendKeys('s');
      await term.waitForText('Switch CA for unreach.test');
      await term.waitFor((s) => (s.split('\n').some((l) => l.startsWith('› ') && l.includes('Local sandbox B')) ? s : undefined), 'Sandbox B preselected');
      await term.sendKeys('Enter');
      const confirm = await term.waitForText('y switch · n keep');
      assert.match(confirm.replace(/\n/g, ' '), /order stays resumable until Local sandbox B .* accepts the new one/);
      await term.sendKeys('y');

      assert.equal(await term.exitCode(), 4, 'network: the new CA could not be reached');
      const done = (await term.capture()).replace(/\s+/g, ' ');
      assert.match(done, /kept and resumes on the next run with --ca sandbox/);
      assert.equal((await readJournal(paths, 'unreach.test'))?.current?.orderUrl, original, 'still the journal\'s order');
    } finally {
      await term.kill();
    }

    sandbox.proxy!.setScenario({ rules: [] });
    const r = await runCli(['issue', 'unreach.test', '--ca', 'sandbox', '--json'], home);
    assert.equal(r.code, 0, r.stderr);
    const created = ndjson(r.stdout).find((e) => e.type === 'order:created');
    assert.equal(created?.resumed, true);
    assert.equal(created?.orderUrl, original);
  });
});
