import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import type { DeployTargetInput } from '../../src/engine/api.js';
import { ManualClock } from '../../src/engine/core/clock.js';
import { BadInputError } from '../../src/engine/core/errors.js';
import type { DeployTargetInfo, EngineEvent } from '../../src/engine/events.js';
import { FakeEngine, type FakeEngineOptions } from '../support/fake-engine.js';
import { KEYS, renderApp } from '../support/render.js';
import { T0, certKnown, certificate } from './fixtures.js';

afterEach(() => cleanup());

const FILES: DeployTargetInfo = { id: 'files-1', kind: 'files', label: 'files -> /etc/ssl/example.com' };
const RELOAD: DeployTargetInfo = { id: 'reload', kind: 'command', label: 'run systemctl reload nginx' };

const STARTED: EngineEvent = {
  type: 'deploy:started',
  at: T0,
  runId: 'run1',
  certName: 'example.com',
  targets: [
    { id: FILES.id, kind: FILES.kind, label: FILES.label },
    { id: RELOAD.id, kind: RELOAD.kind, label: RELOAD.label },
  ],
};
const FINISHED: EngineEvent[] = [
  STARTED,
  { type: 'deploy:target', at: T0, runId: 'run1', targetId: FILES.id, status: 'succeeded' },
  { type: 'deploy:target', at: T0, runId: 'run1', targetId: RELOAD.id, status: 'failed', reason: 'exit status 1' },
  { type: 'deploy:finished', at: T0, runId: 'run1', certName: 'example.com', succeeded: 1, failed: 1, skipped: 0, outcome: 'partial' },
];

async function deployView(opts: { targets?: DeployTargetInfo[]; events?: EngineEvent[]; refuse?: FakeEngineOptions['refuse']; columns?: number; rows?: number } = {}) {
  const engine = new FakeEngine({
    events: [certKnown(certificate('example.com', { domains: ['example.com', 'www.example.com'] })), ...(opts.events ?? [])],
    deployTargets: { 'example.com': opts.targets ?? [] },
    ...(opts.refuse ? { refuse: opts.refuse } : {}),
  });
  const ui = renderApp(engine, { clock: new ManualClock(), columns: opts.columns ?? 100, rows: opts.rows ?? 30 });
  await ui.waitForText('› ✔ example.com');
  ui.press('d');
  await ui.waitForText('Deploy · example.com');
  return { engine, ui };
}

/** From the deploy view: a, then `down` presses on the kind list, then Enter to the kind's first field. */
async function openForm(ui: Awaited<ReturnType<typeof deployView>>['ui'], down = 0) {
  ui.press('a');
  await ui.waitForText('Add deploy target · example.com');
  for (let i = 0; i < down; i++) ui.press('j');
  ui.press(KEYS.enter);
}

describe('deploy view: adding and removing targets', () => {
  test('lists the configured targets and offers a and x in the key hints and in the help', async () => {
    const { engine, ui } = await deployView({ targets: [FILES, RELOAD] });
    const frame = await ui.waitForText('run systemctl reload nginx');
    assert.match(frame, /› · files\s+files -> \/etc\/ssl\/example\.com\s+never run/);
    assert.match(frame, /Never deployed · 2 targets/);
    assert.match(frame, /a add target/);
    assert.match(frame, /x remove target/);
    assert.deepEqual(engine.callsOf('listDeployTargets'), [['example.com']]);
    ui.press('?');
    assert.match(await ui.waitForText('Countdowns'), /a {2}x\s+in the deploy view: add a target, remove the selected one/);
  });

  test('the form adds a files target: the engine gets exactly the trimmed input, and the list shows it', async () => {
    const { engine, ui } = await deployView();
    await ui.waitForText('example.com has no deploy targets yet.');
    await openForm(ui);
    await ui.waitForText('/etc/ssl/example.com'); // the Directory placeholder
    await ui.type('  /srv/certs ');
    ui.press(KEYS.enter); // to Id
    ui.press(KEYS.enter); // to the button
    await ui.waitForText('› [ Add target ]');
    ui.press(KEYS.enter);
    const frame = await ui.waitForText('Added deploy target files-1 to example.com: files -> /srv/certs');
    assert.deepEqual(engine.callsOf('addDeployTarget'), [['example.com', { kind: 'files', dir: '/srv/certs' } satisfies DeployTargetInput]]);
    assert.match(frame, /Deploy · example\.com/);
    assert.match(frame, /files\s+files -> \/srv\/certs\s+never run/);
  });

  test('the form adds a verify target: kind chosen with j, hosts split on commas, the chosen id kept', async () => {
    const { engine, ui } = await deployView({ targets: [FILES] });
    await openForm(ui, 3);
    await ui.waitForText('NAME, NAME:PORT or NAME@ADDRESS:PORT');
    await ui.type('example.com, www.example.com@127.0.0.1:8443');
    ui.press(KEYS.enter);
    await ui.waitForText('optional; default KIND-N');
    await ui.type('tls-check');
    ui.press(KEYS.enter);
    await ui.waitForText('› [ Add target ]');
    ui.press(KEYS.enter);
    const frame = await ui.waitForText('Added deploy target tls-check');
    assert.deepEqual(engine.callsOf('addDeployTarget'), [
      ['example.com', { kind: 'verify', hosts: ['example.com', 'www.example.com@127.0.0.1:8443'], id: 'tls-check' } satisfies DeployTargetInput],
    ]);
    assert.match(frame, /· verify\s+verify example\.com, www\.example\.com@1/);
    assert.match(frame, /files -> \/etc\/ssl\/example\.com/);
  });

  test("a refused target shows the engine's message and keeps what was typed; the fixed one is saved", async () => {
    const { engine, ui } = await deployView({
      refuse: {
        addDeployTarget: (_cert, input) =>
          input.kind === 'files' && input.dir === '/nope' ? new BadInputError('missing-directory', 'target directory /nope does not exist', 'Create it first (mkdir -p /nope).') : undefined,
      },
    });
    await openForm(ui);
    await ui.type('/nope');
    ui.press(KEYS.enter);
    ui.press(KEYS.enter);
    await ui.waitForText('› [ Add target ]');
    ui.press(KEYS.enter);
    let frame = await ui.waitForText('target directory /nope does not exist (Create it first (mkdir -p /nope).)');
    assert.match(frame, /Add deploy target · example\.com/);
    assert.match(frame, /Directory\s+\/nope\s*$/m);
    assert.equal(engine.callsOf('addDeployTarget').length, 1);

    ui.press(KEYS.up); // Id
    ui.press(KEYS.up); // Directory, with what was typed still in it
    await ui.waitForFrame((f) => /› Directory/.test(f), 'the directory field focused');
    await ui.type('2');
    ui.press(KEYS.tab);
    ui.press(KEYS.tab);
    ui.press(KEYS.enter);
    frame = await ui.waitForText('Added deploy target files-1');
    assert.deepEqual(engine.callsOf('addDeployTarget').at(-1), ['example.com', { kind: 'files', dir: '/nope2' }]);
  });

  test('cheap checks as typed: a relative directory is marked and never reaches the engine', async () => {
    const { engine, ui } = await deployView();
    await openForm(ui);
    await ui.type('certs');
    await ui.waitForText('use an absolute path (starting with /)');
    ui.press(KEYS.enter);
    ui.press(KEYS.enter);
    ui.press(KEYS.enter);
    await ui.waitForText('fix the fields marked above');
    assert.deepEqual(engine.callsOf('addDeployTarget'), []);
  });

  test('a command target: program and arguments are separate fields, arguments split by the documented rule', async () => {
    const { engine, ui } = await deployView();
    await openForm(ui, 1);
    await ui.type('/usr/sbin/nginx');
    ui.press(KEYS.enter);
    await ui.waitForText('No shell: $VARS, globs and');
    await ui.type(`-s reload -g "daemon off;" '$HOME'`);
    ui.press(KEYS.enter);
    ui.press(KEYS.enter);
    ui.press(KEYS.enter);
    await ui.waitForText('Added deploy target command-1');
    assert.deepEqual(engine.callsOf('addDeployTarget'), [['example.com', { kind: 'command', argv: ['/usr/sbin/nginx', '-s', 'reload', '-g', 'daemon off;', '$HOME'] }]]);
  });

  test('a pfx target asks for the name of the password variable, never the password', async () => {
    const { engine, ui } = await deployView();
    await openForm(ui, 2);
    await ui.type('/srv/app/example.pfx');
    ui.press(KEYS.enter);
    const frame = await ui.waitForText("The variable's NAME; deploy reads the password from it");
    assert.doesNotMatch(frame, /Password(?! env)/);
    await ui.type('PFX_PASSWORD');
    ui.press(KEYS.enter);
    ui.press(KEYS.enter);
    ui.press(KEYS.enter);
    await ui.waitForText('Added deploy target pfx-1');
    assert.deepEqual(engine.callsOf('addDeployTarget'), [['example.com', { kind: 'pfx', out: '/srv/app/example.pfx', passwordEnv: 'PFX_PASSWORD' }]]);
  });

  test('Esc leaves the form without calling the engine; letters typed there are text, not commands', async () => {
    const { engine, ui } = await deployView({ targets: [FILES] });
    await openForm(ui);
    await ui.type('/srv/quick?n');
    const frame = await ui.waitForText('/srv/quick?n');
    assert.doesNotMatch(frame, /still running|New certificate|Keys/);
    ui.press(KEYS.escape);
    await ui.waitForText('Deploy · example.com');
    assert.deepEqual(engine.callsOf('addDeployTarget'), []);
    assert.deepEqual(engine.deployTargetsOf('example.com'), [FILES]);
  });

  test('x then n keeps the target', async () => {
    const { engine, ui } = await deployView({ targets: [FILES, RELOAD], events: FINISHED });
    await ui.waitForText('partial: 1 succeeded, 1 failed');
    ui.press('j');
    ui.press('x');
    const prompt = await ui.waitForText('Remove deploy target reload');
    assert.match(prompt, /\(run systemctl reload nginx\) from example\.com\?/);
    ui.press('n');
    const frame = await ui.waitForText('Kept deploy target reload.');
    assert.match(frame, /run systemctl reload nginx\s+failed/);
    assert.deepEqual(engine.callsOf('removeDeployTarget'), []);
  });

  test('x then y removes the selected target, and its last result goes with it', async () => {
    const { engine, ui } = await deployView({ targets: [FILES, RELOAD], events: FINISHED });
    await ui.waitForText('partial: 1 succeeded, 1 failed');
    ui.press('j');
    ui.press('x');
    await ui.waitForText('Remove deploy target reload');
    ui.press('y');
    const frame = await ui.waitForText('Removed deploy target reload from example.com.');
    assert.deepEqual(engine.callsOf('removeDeployTarget'), [['example.com', 'reload']]);
    assert.doesNotMatch(frame, /systemctl reload nginx/);
    assert.match(frame, /› ✔ files\s+files -> \/etc\/ssl\/example\.com\s+succeeded/);
  });

  test("a refused removal says the engine's reason", async () => {
    const { ui } = await deployView({
      targets: [FILES],
      refuse: { removeDeployTarget: () => new BadInputError('deploy-running', 'example.com is being deployed right now') },
    });
    await ui.waitForText('files -> /etc/ssl/example.com');
    ui.press('x');
    await ui.waitForText('Remove deploy target files-1');
    ui.press('y');
    await ui.waitForText('Could not remove files-1: example.com is being deployed right now');
  });

  test('a and x are refused while a deploy run of the certificate is going', async () => {
    const { engine, ui } = await deployView({ targets: [FILES, RELOAD], events: [STARTED] });
    let frame = await ui.waitForText('0/2 targets done');
    assert.doesNotMatch(frame, /a add target|x remove target/);
    ui.press('a');
    await ui.waitForText('A deploy run is still going');
    ui.press('x');
    // Nothing to wait for when a key is refused the same way twice; a prompt would be up well within this.
    await new Promise((resolve) => setTimeout(resolve, 100));
    frame = ui.lastFrame();
    assert.doesNotMatch(frame, /Add deploy target|Remove deploy target/);
    assert.deepEqual(engine.callsOf('addDeployTarget'), []);
    assert.deepEqual(engine.callsOf('removeDeployTarget'), []);
  });

  test('80x24: the form with a refusal and the remove prompt fit', async () => {
    const long = `/srv/${'very-long-directory-name/'.repeat(5)}certs`;
    const { ui } = await deployView({
      targets: [{ id: 'files-1', kind: 'files', label: `files -> ${long}` }],
      refuse: { addDeployTarget: () => new BadInputError('missing-directory', `target directory ${long} does not exist`, `Create it first (mkdir -p ${long}).`) },
      columns: 80,
      rows: 24,
    });
    const check = (frame: string, where: string) => {
      const lines = frame.split('\n');
      assert.ok(lines.length <= 23, `${where}: ${lines.length} lines`);
      for (const line of lines) assert.ok([...line].length <= 80, `${where}: line too wide (${[...line].length}): ${line}`);
    };
    ui.press('x');
    check(await ui.waitForText('Remove deploy target files-1'), 'remove prompt');
    ui.press(KEYS.escape);
    await ui.waitForText('Kept deploy target');
    await openForm(ui);
    await ui.type(long);
    ui.press(KEYS.enter);
    ui.press(KEYS.enter);
    ui.press(KEYS.enter);
    check(await ui.waitForText('Create it first'), 'form with a refusal');
  });
});
