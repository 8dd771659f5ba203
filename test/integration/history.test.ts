/**
 * Issue 11, history: every event and CA exchange of every order is on disk per certificate, survives a SIGKILL and a
 * restart, shows in the TUI's order-history screen (real engine over the same home), prints with `certdeck log`
 * (NDJSON that parses, --follow of an order another process runs), and holds no secret.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { systemClock } from '../../src/engine/core/clock.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { readJournal } from '../../src/engine/store/journal.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { CLI, ndjson, runCli } from '../support/cli.js';
import { KEYS, renderApp } from '../support/render.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';
const CHILD = fileURLToPath(new URL('../faults/issue-child.ts', import.meta.url));

afterEach(() => cleanup());

/** issue-child.ts in a child process, SIGKILLed the moment `when` matches one of its events. */
function issueAndKill(home: string, request: object, when: (e: EngineEvent) => boolean): Promise<EngineEvent[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, home, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let killed = false;
    const events = (): EngineEvent[] =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{"event"'))
        .map((l) => (JSON.parse(l) as { event: EngineEvent }).event);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kill point never reached:\n${out}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killed && events().some(when)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      if (killed) resolve(events());
      else reject(new Error(`the child ended before the kill point:\n${out}`));
    });
  });
}

describe('order history (Pebble behind the fault proxy)', { skip }, () => {
  let sb: TestSandbox;
  let killedOrder: string;
  let killedEvents: EngineEvent[];
  const eabHmac = randomBytes(32).toString('base64url');

  before(async () => {
    // No authorization reuse: the killed order validates its name, so its timeline has every phase.
    sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0, authzReusePercent: 0 });
    // A finished order for each certificate, then a renewal of killed.test that a SIGKILL stops while the CA processes it.
    const engine = new Engine({ paths: pathsUnder(sb.home), clock: systemClock, userAgent: 'certdeck-test' });
    try {
      for (const name of ['done.test', 'killed.test']) {
        const outcome = await engine.issue({ domains: [name], ca: 'sandbox', agreeTos: true });
        assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
      }
      // EAB credentials given to the engine (Pebble here does not ask for them): the HMAC must never reach the history.
      await engine.issue({ domains: ['eab.test'], ca: 'sandbox', agreeTos: true, email: 'ops@eab.test', eab: { kid: 'kid-1', hmacKey: eabHmac } });
    } finally {
      await engine.close();
    }
    sb.proxy!.setScenario({ rules: [{ kind: 'hang-processing' }] });
    killedEvents = await issueAndKill(sb.home, { domains: ['killed.test'], ca: 'sandbox' }, (e) => e.type === 'wait:scheduled' && e.phase === 'processing' && e.attempt >= 2);
    killedOrder = killedEvents.find((e) => e.type === 'order:queued')!.orderId;
    sb.proxy!.setScenario({ rules: [] });
  });
  after(() => sb?.stop());

  it('a killed order keeps every event up to the kill; each order has its whole timeline with the CA exchanges', async () => {
    const engine = new Engine({ paths: pathsUnder(sb.home), clock: systemClock, userAgent: 'certdeck-test', history: false });
    const records = await engine.readHistory('killed.test', { orderId: killedOrder });
    // Everything the killed process announced (it printed each event after the history had it) is on disk.
    const announced = killedEvents.filter((e) => 'orderId' in e && e.orderId === killedOrder);
    assert.ok(announced.length > 10);
    // (It may have written a little more between printing the last one and the kill landing.)
    assert.deepEqual(
      records.filter((r) => r.type !== 'http:exchange').slice(0, announced.length),
      announced.map((e) => ({ ...e, certName: 'killed.test' })),
    );
    const exchanges = records.filter((r) => r.type === 'http:exchange');
    assert.ok(exchanges.some((x) => x.method === 'POST' && /\/finalize-order\//.test(x.url) && x.status === 200), 'the finalize exchange');
    assert.ok(exchanges.every((x) => typeof x.durationMs === 'number' && x.caId === 'sandbox'));
    assert.equal(records.some((r) => r.type === 'order:finished'), false, 'it never finished');

    const summaries = await engine.orderHistory('killed.test');
    assert.equal(summaries.length, 2);
    assert.deepEqual(summaries.map((s) => s.outcome), ['valid', undefined]);
    const done = await engine.readHistory('done.test');
    for (const type of ['order:queued', 'order:created', 'authz:updated', 'order:status', 'http:exchange', 'certificate:saved', 'order:finished'] as const) {
      assert.ok(done.some((r) => r.type === type), `done.test has ${type}`);
    }
    // The directory and account set-up belong to the first order that needed them.
    const first = (await engine.orderHistory('done.test'))[0]!;
    assert.ok(done.some((r) => r.type === 'http:exchange' && r.orderId === first.orderId && r.method === 'GET' && r.url.endsWith('/dir')));
  });

  it('after a restart the TUI shows past orders and their full timelines (h on a certificate row)', async () => {
    const engine = new Engine({ paths: pathsUnder(sb.home), clock: systemClock, userAgent: 'certdeck-test', history: false });
    await engine.loadCertificates();
    const ui = renderApp(engine, { clock: systemClock, columns: 100, rows: 30 });
    try {
      await ui.waitForText('killed.test');
      // Select killed.test's row: move until the cursor is on it.
      for (let i = 0; i < 5 && !/› \S+ killed\.test/.test(ui.lastFrame()); i++) {
        ui.press('j');
        await ui.waitForFrame(() => true);
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.match(ui.lastFrame(), /› \S+ killed\.test/);
      ui.press('h');
      const list = await ui.waitForText('Orders 2, oldest first');
      assert.match(list, /valid\s+\d+ events/);
      assert.match(list, new RegExp(`› .*${killedOrder}.*unfinished`), 'the newest (killed) order is selected');

      ui.press(KEYS.enter);
      const timeline = await ui.waitForText(`History · killed.test · ${killedOrder} (unfinished)`);
      const records = await engine.readHistory('killed.test', { orderId: killedOrder });
      const total = /rows \d+–\d+ of (\d+)/.exec(timeline);
      assert.ok(total && Number(total[1]) >= records.length, `every record has at least one row: ${total?.[1]} rows for ${records.length} records`);
      assert.match(timeline, /processing: poll 2 in/, 'follows to the last record');
      ui.press('g');
      // At the top (the timeline's first row is on screen), not merely a frame that still shows its second row.
      const top = await ui.waitForText('rows 1–');
      assert.match(top, /order for killed\.test at/);
      assert.match(top, /── \d{4}-\d\d-\d\d/);
      // Scroll through all of it: every CA exchange shows, none cut (long lines wrap onto rows of their own).
      const seen = new Set<string>();
      for (let i = 0; i < 40; i++) {
        for (const line of ui.lastFrame().split('\n')) seen.add(line);
        ui.press(' ');
        await new Promise((r) => setTimeout(r, 30));
      }
      const text = [...seen].join('\n');
      assert.match(text, /POST \/order-plz → 201/);
      assert.match(text, /POST \/finalize-order\/\S+ → 200/);
      assert.match(text, /ACME status processing/);
      for (const line of seen) assert.ok([...line].length <= 100, `no line wider than the terminal: ${line}`);

      ui.press(KEYS.escape);
      await ui.waitForText('Orders 2, oldest first');
      ui.press('k');
      await new Promise((r) => setTimeout(r, 20));
      ui.press(KEYS.enter);
      const finished = await ui.waitForText('(valid)');
      assert.match(finished, /issued: serial/);
    } finally {
      ui.unmount();
    }
  });

  it('certdeck log: a line per order, full timelines, --json lines that parse, clear errors', async () => {
    const env = { CERTDECK_HOME: sb.home };
    const all = await runCli(['log'], env);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /done\.test\s+order \S+\s+.*valid/);
    assert.match(all.stdout, new RegExp(`killed\\.test\\s+order ${killedOrder}\\s+.*unfinished`));

    const json = await runCli(['log', 'killed.test', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const lines = json.stdout.trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(parsed.length > 20);
    assert.ok(parsed.every((r) => r.certName === 'killed.test' && typeof r.type === 'string' && typeof r.at === 'number'));
    const x = parsed.find((r) => r.type === 'http:exchange' && r.status === 201)!;
    assert.deepEqual(Object.keys(x).filter((k) => ['method', 'url', 'status', 'durationMs'].includes(k)).sort(), ['durationMs', 'method', 'status', 'url']);

    const one = await runCli(['log', 'killed.test', '--order', killedOrder], env);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, new RegExp(`^== .*order ${killedOrder}`));
    assert.equal(one.stdout.match(/^== /gm)?.length, 1, 'only that order');
    assert.match(one.stdout, /POST \/finalize-order\/\S+ → 200/);

    const unknown = await runCli(['log', 'killed.test', '--order', 'nope'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No order nope in the history of killed\.test/);
    // Following the killed order: it prints what there is, sees that nobody runs it any more, and says what to do.
    const gone = await runCli(['log', 'killed.test', '--follow'], env, { timeoutMs: 20_000 });
    assert.equal(gone.code, 1, gone.stderr);
    assert.match(gone.stdout, /processing: poll 2 in/);
    assert.match(gone.stderr, new RegExp(`order ${killedOrder} of killed\\.test stopped without finishing .*\\n.*resumes the order`));
    const none = await runCli(['log', 'never.test'], env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /No order history for never\.test/);
  });

  it('--follow tails an order another process runs and ends when it finishes', async () => {
    const env = { ...process.env, CERTDECK_HOME: sb.home };
    sb.proxy!.setScenario({ rules: [{ kind: 'hang-processing', seconds: 2 }] });
    const follower = spawn(process.execPath, [CLI, 'log', 'follow.test', '--follow', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    follower.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const ended = new Promise<number | null>((resolve) => follower.on('close', (code) => resolve(code)));
    // The follower is waiting for an order to start before the issue begins.
    for (let i = 0; i < 200 && !err.includes('waiting for the next one'); i++) await new Promise((r) => setTimeout(r, 25));
    assert.match(err, /No order of follow\.test is running; waiting for the next one to start/);
    const issue = await runCli(['issue', 'follow.test', '--ca', 'sandbox', '--json'], { CERTDECK_HOME: sb.home });
    assert.equal(issue.code, 0, issue.stderr);
    const timer = setTimeout(() => follower.kill('SIGKILL'), 15_000);
    const code = await ended;
    clearTimeout(timer);
    sb.proxy!.setScenario({ rules: [] });
    assert.equal(code, 0, err);
    const followed = ndjson(out);
    assert.equal(followed[0]?.type, 'order:queued');
    assert.equal(followed.at(-1)?.type, 'order:finished');
    assert.equal(followed.at(-1)?.outcome, 'valid');
    assert.ok(followed.some((e) => e.type === 'wait:scheduled' && e.phase === 'processing'), 'it saw the order wait while it ran');
    const issued = ndjson(issue.stdout).filter((e) => e.type !== 'http:exchange' && e.type !== 'certificate:saved' && 'orderId' in e);
    assert.ok(followed.length >= issued.length, 'every event of the order reached the follower');
  });

  it('holds no secret: no account key, certificate key, pending key or EAB HMAC; files 0600 in a 0700 directory', async () => {
    const paths = pathsUnder(sb.home);
    const files = (await readdir(paths.historyDir)).map((f) => path.join(paths.historyDir, f));
    assert.ok(files.length >= 3);
    const history = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    const secrets: Array<[string, string]> = [['EAB HMAC', eabHmac]];
    for (const f of await readdir(paths.accountsDir, { recursive: true })) {
      const text = await readFile(path.join(paths.accountsDir, String(f)), 'utf8').catch(() => '');
      const key = /-----BEGIN [A-Z ]*PRIVATE KEY-----\n([\s\S]+?)\n-----END/.exec(text) ?? /"keyPem":\s*"-----BEGIN [A-Z ]*PRIVATE KEY-----\\n(.+?)\\n-----END/.exec(text);
      if (key) secrets.push([`account key ${String(f)}`, key[1]!.replace(/\\n/g, '\n').split('\n')[0]!]);
    }
    for (const name of ['done.test', 'killed.test']) {
      const key = await readFile(path.join(paths.liveDir, name, 'privkey.pem'), 'utf8');
      secrets.push([`certificate key ${name}`, key.split('\n')[1]!]);
    }
    const pending = (await readJournal(paths, 'killed.test'))?.current?.keyFile;
    if (pending) secrets.push(['pending key of the killed order', (await readFile(pending, 'utf8')).split('\n')[1]!]);
    assert.ok(secrets.length >= 5, secrets.map((s) => s[0]).join(', '));
    for (const [what, secret] of secrets) assert.ok(secret.length >= 20 && !history.includes(secret), `${what} is not in the history`);
    assert.doesNotMatch(history, /PRIVATE KEY/);
    assert.doesNotMatch(history, /"protected"|"signature"|"payload"/, 'no JWS bodies');
    for (const f of files) assert.equal((await stat(f)).mode & 0o777, 0o600, f);
    assert.equal((await stat(paths.historyDir)).mode & 0o777, 0o700);
  });
});
