import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/engine/core/clock.js';
import { runTui, SIGTERM_EXIT_CODE } from '../../src/tui/render-tui.js';
import { FakeEngine } from '../support/fake-engine.js';
import { FakeTtyIn, FakeTtyOut } from '../support/fake-tty.js';
import { testValidateDomain } from '../support/render.js';
import { processingOrder } from './fixtures.js';

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, timeoutMs = 3000) {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await tick(5);
  }
}

function start(mode: Parameters<typeof runTui>[1]['mode'] = { kind: 'dashboard' }) {
  const stdout = new FakeTtyOut();
  const stdin = new FakeTtyIn();
  const engine = new FakeEngine({ events: processingOrder('o1', { domains: ['api.example.org'] }) });
  const result = runTui(engine, {
    clock: new ManualClock(),
    mode,
    validateDomain: testValidateDomain,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: new FakeTtyOut() as unknown as NodeJS.WriteStream,
    color: false,
  });
  return { stdout, stdin, engine, result };
}

describe('runTui', () => {
  test('renders on the terminal, takes keys in raw mode, and resolves with the exit code when the operator quits', async () => {
    const { stdout, stdin, engine, result } = start();
    await until('the dashboard', () => stdout.output.includes('api.example.org'));
    assert.equal(stdin.rawMode, true);
    assert.ok(stdout.output.includes('\u001B[?1049h'), 'the dashboard takes the alternate screen');
    assert.doesNotMatch(stdout.output, /\u001B\[[\d;]*m/, 'color: false sends no colours or attributes');
    // Ctrl+C does not kill the UI: it asks about the running order.
    stdin.type('\u0003');
    await until('the quit prompt', () => stdout.output.includes('still running'));
    stdin.type('c');
    assert.equal(await result, 130);
    assert.deepEqual(engine.callsOf('cancel'), [['o1', 'cancelled by the operator on quit']]);
    assert.equal(stdin.rawMode, false);
  });

  test('SIGTERM unmounts the UI and resolves with 143; the handler is removed afterwards', async () => {
    const before = process.listenerCount('SIGTERM');
    const { stdout, result } = start();
    await until('the dashboard', () => stdout.output.includes('api.example.org'));
    assert.equal(process.listenerCount('SIGTERM'), before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(await result, SIGTERM_EXIT_CODE);
    assert.equal(process.listenerCount('SIGTERM'), before);
  });

  test('issue mode resolves with the code of `done` and stays inline (no alternate screen)', async () => {
    let finish!: (code: number) => void;
    const done = new Promise<number>((resolve) => (finish = resolve));
    const { stdout, result } = start({ kind: 'issue', orderIds: ['o1'], done });
    await until('the issue view', () => stdout.output.includes('certdeck issue'));
    finish(0);
    assert.equal(await result, 0);
    assert.match(stdout.output, /certdeck issue finished: exit 0/);
    assert.ok(!stdout.output.includes('\u001B[?1049h'), 'issue mode must not switch to the alternate screen');
  });
});
