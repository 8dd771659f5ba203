/**
 * The guided setup in a real terminal (tmux, 200x50) against the local sandbox: an empty home, `certdeck` with no
 * argument opens the setup, and keys alone (no CLI flag) get a certificate issued with real HTTP-01 and deployed to
 * a directory. Then the commands the review printed, run headless in a fresh home against the same sandbox, give the
 * same configuration: names, CA, key type, challenge, account e-mail, deploy targets.
 *
 * Prints the keystrokes and the wall time from launch to issued certificate (a figure, not an assertion).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, runCli } from '../support/cli.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { TmuxTerminal, tmuxAvailable } from './support/tmux-terminal.js';

const skip = !tmuxAvailable()
  ? 'tmux is not installed (apt-get install tmux)'
  : !pebbleAvailable()
    ? 'pebble and pebble-challtestsrv are not installed (apt-get install pebble pebble-challtestsrv)'
    : !existsSync(CLI)
      ? `the CLI is not built (${CLI} is missing): run npm run build`
      : false;

const NAME = 'shop.example.test';
const EMAIL = 'ops@example.test';

/** The `certdeck …` lines of the review screen, in order (one per screen line at 200 columns). */
function printedCommands(screen: string): string[] {
  return screen
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('certdeck '));
}

describe('guided setup in a real terminal (tmux)', { skip }, () => {
  let sandbox: TestSandbox;
  let scratch: string;

  before(async () => {
    sandbox = await startTestSandbox();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'certdeck-setup-e2e-'));
  });

  after(async () => {
    await sandbox?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('certdeck on an empty home -> setup -> issued and deployed; the printed commands reproduce it headless', async () => {
    const deployDir = path.join(scratch, 'deployed');
    await mkdir(deployDir);
    const keys: string[] = [];
    const started = performance.now();
    const term = await TmuxTerminal.start([process.execPath, CLI], { env: { CERTDECK_HOME: sandbox.home }, columns: 200, rows: 50 });
    const send = async (...k: string[]) => {
      keys.push(...k);
      await term.sendKeys(...k);
    };
    const type = async (text: string) => {
      keys.push(JSON.stringify(text));
      await term.type(text);
    };
    let review = '';
    try {
      await term.waitForText('Setup · 1/11 Names');
      await type(NAME);
      await term.waitForText(`✔ 1 name: ${NAME}`);
      await send('Enter');
      await term.waitForText('› Local sandbox (Pebble)');
      await send('Enter');
      const preflight = await term.waitForText('No blocking problem');
      assert.match(preflight, new RegExp(`${NAME.replace(/\./g, '\\.')}: A/AAAA · .*127\\.0\\.0\\.1`));
      assert.match(preflight, /port \d+ is free/);
      await send('Enter');
      await term.waitForText('› Create a new account');
      await send('Enter');
      await term.waitForText('› E-mail');
      await type(EMAIL);
      await term.waitForText(`› E-mail        ${EMAIL}`);
      await send('Enter');
      await term.waitForText('Read them, then press a to agree');
      await send('a');
      await term.waitForText('Agreed.');
      await send('Enter');
      await term.waitForText('Preselected from the preflight');
      await send('Enter', 'Enter'); // standalone, then the port left to the sandbox's
      await term.waitForText('› Key type');
      await send('Enter');
      await term.waitForText('› Deploy');
      await send('Down', 'Enter');
      await term.waitForText('› Directory');
      await type(deployDir);
      await term.waitForText(`› Directory     ${deployDir}`);
      await send('Enter');
      await term.waitForText('files-1: copy the files to');
      await send('Up', 'Enter');
      await term.waitForText('› Schedule');
      await send('Enter');
      review = await term.waitForText('Press enter to run it');
      await send('Enter');
      const done = await term.waitForText('Setup · 11/11 Done', 60_000);
      const seconds = (performance.now() - started) / 1000;
      console.log(`setup e2e keystrokes (${keys.length}): ${keys.join(' ')}`);
      console.log(`setup e2e wall time from launch to issued certificate: ${seconds.toFixed(1)} s`);
      assert.match(done, /Deploy: succeeded \(1 succeeded, 0 failed\)/);
      assert.match(done, new RegExp(`live/${NAME.replace(/\./g, '\\.')}/fullchain\\.pem`));
      await send('Enter');
      await term.waitForText('Certificates 1');
      await send('q');
      assert.equal(await term.exitCode(), 0);
      // Back on the normal screen, the commands are printed whole, to copy: the same as the review showed.
      const after = await term.capture();
      assert.match(after, /The setup's plan as headless commands/);
      assert.deepEqual(printedCommands(after), printedCommands(review));
    } finally {
      await term.kill();
    }
    assert.ok(existsSync(path.join(deployDir, 'fullchain.pem')), 'the deploy target wrote the files');

    // The same plan, headless, in a fresh home that knows only the sandbox.
    const commands = printedCommands(review);
    console.log(`setup e2e printed commands:\n  ${commands.join('\n  ')}`);
    assert.deepEqual(commands.map((c) => c.split(' ').slice(0, 3).join(' ')), ['certdeck account add', `certdeck issue ${NAME}`, `certdeck deploy add`]);
    const fresh = path.join(scratch, 'fresh-home');
    await mkdir(path.join(fresh, 'sandbox'), { recursive: true });
    await cp(path.join(sandbox.home, 'sandbox', 'state.json'), path.join(fresh, 'sandbox', 'state.json'));
    for (const line of commands) {
      const args = line.split(' ').slice(1);
      const r = await runCli(args, { CERTDECK_HOME: fresh });
      assert.equal(r.code, 0, `${line}\n${r.stdout}\n${r.stderr}`);
    }

    const stored = async (home: string) => {
      const r = JSON.parse(await readFile(path.join(home, 'requests', `${NAME}.json`), 'utf8')) as Record<string, unknown>;
      return { domains: r.domains, ca: r.ca, keyType: r.keyType, challenge: r.challenge, account: r.account };
    };
    assert.deepEqual(await stored(fresh), await stored(sandbox.home));
    const listed = async (home: string) => {
      const r = await runCli(['list', '--json'], { CERTDECK_HOME: home });
      const certs = (JSON.parse(r.stdout) as { certificates: Array<Record<string, unknown>> }).certificates;
      return certs.map((c) => ({ certName: c.certName, domains: c.domains, caId: c.caId }));
    };
    assert.deepEqual(await listed(fresh), await listed(sandbox.home));
    const targets = async (home: string) => {
      const r = await runCli(['deploy', 'list', NAME, '--json'], { CERTDECK_HOME: home });
      const parsed = JSON.parse(r.stdout) as { targets: Array<Record<string, unknown>> };
      return parsed.targets.map(({ lastResult: _l, ...t }) => t);
    };
    assert.deepEqual(await targets(fresh), await targets(sandbox.home));
  });

  test('setup outside a terminal says it needs one and names the headless commands (exit 2)', async () => {
    const r = await runCli(['setup'], { CERTDECK_HOME: sandbox.home });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /needs a terminal/);
    assert.match(r.stderr, /certdeck account add/);
    assert.match(r.stderr, /certdeck issue/);
  });
});
