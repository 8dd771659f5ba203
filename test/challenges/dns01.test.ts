/**
 * dns-01 and tls-alpn-01 end to end: the built CLI against the real Pebble, which asks pebble-challtestsrv for the
 * TXT records (and connects to certdeck's TLS-ALPN-01 responder). Hooks are real scripts; "cleaned up" is checked
 * by asking challtestsrv's DNS with node:dns, not by trusting the hooks' logs.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CLI, runCli } from '../support/cli.js';
import { startEmptyDns } from '../support/empty-dns.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';
const SHIPPED_HOOK = fileURLToPath(new URL('../../assets/hooks/challtestsrv-dns-hook', import.meta.url));

/** TXT values challtestsrv serves for a name right now ([] when none). */
async function txt(dnsPort: number, name: string): Promise<string[]> {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`127.0.0.1:${dnsPort}`]);
  try {
    return (await r.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (err) {
    if (['ENODATA', 'ENOTFOUND'].includes((err as NodeJS.ErrnoException).code ?? '')) return [];
    throw err;
  }
}

function lines(text: string): string[] {
  return text.split('\n').filter(Boolean);
}

async function script(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/** Running, not dead or a zombie (in a container whose PID 1 does not reap, a killed orphan stays a zombie). */
async function pidRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return false;
  return stat.slice(stat.lastIndexOf(')') + 2).charAt(0) !== 'Z';
}

/** Runs the CLI with --json, calls `onEvent` for each event as it arrives. */
function spawnCli(args: string[], env: NodeJS.ProcessEnv, onEvent: (e: { type: string } & Record<string, unknown>, child: ChildProcess) => void) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    pending += d.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const l of parts) if (l.startsWith('{')) onEvent(JSON.parse(l) as { type: string }, child);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

describe('dns-01 and tls-alpn-01 against Pebble', { skip }, () => {
  let sb: TestSandbox;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let lagging: { port: number; stop: () => void };
  before(async () => {
    sb = await startTestSandbox({});
    dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-dns01-'));
    lagging = await startEmptyDns();
    // Secrets in certdeck's environment that must never reach a hook.
    env = { CERTDECK_HOME: sb.home, CERTDECK_TEST_SECRET: 'do-not-leak', AWS_SECRET_ACCESS_KEY: 'do-not-leak-either' };
    const first = await runCli(['issue', 'setup.test', '--ca', 'sandbox', '--agree-tos', '--no-tui'], env);
    assert.equal(first.code, 0, first.stderr + first.stdout);
  });
  after(async () => {
    lagging?.stop();
    await sb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('issues a wildcard and its base name through a lego exec-style --dns-hook, and cleans up every record', async () => {
    const log = path.join(dir, 'lego.log');
    const hook = await script(dir, 'lego-hook', `echo "$1 $2 $3" >> '${log}'\nenv >> '${log}.env'\nexec '${SHIPPED_HOOK}' "$@"`);
    const r = await runCli(['issue', '--ca', 'sandbox', '--no-tui', '--challenge', 'dns-01', '--dns-hook', hook, '*.wild.test', 'wild.test'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const calls = lines(await readFile(log, 'utf8'));
    const presents = calls.filter((l) => l.startsWith('present '));
    const cleanups = calls.filter((l) => l.startsWith('cleanup '));
    assert.equal(presents.length, 2, calls.join('\n'));
    for (const p of presents) assert.match(p, /^present _acme-challenge\.wild\.test\. [A-Za-z0-9_-]{43}$/);
    assert.notEqual(presents[0], presents[1], 'the wildcard and the base name each publish their own value');
    assert.deepEqual([...cleanups].sort(), presents.map((p) => p.replace(/^present/, 'cleanup')).sort());
    // Every present came before the first cleanup: all records were up before any challenge was answered.
    assert.ok(calls.indexOf(cleanups[0]!) > calls.indexOf(presents[1]!));
    assert.deepEqual(await txt(sb.state.dnsPort, '_acme-challenge.wild.test'), []);
    const cert = new X509Certificate(await readFile(path.join(sb.home, 'live', 'wild.test', 'cert.pem')));
    assert.match(cert.subjectAltName ?? '', /DNS:\*\.wild\.test/);
    assert.match(cert.subjectAltName ?? '', /DNS:wild\.test/);
    const hookEnv = await readFile(`${log}.env`, 'utf8');
    assert.doesNotMatch(hookEnv, /do-not-leak/);
    assert.doesNotMatch(hookEnv, /CERTDECK_HOME/);
    assert.match(hookEnv, /CERTDECK_CHALLTESTSRV_URL=http:\/\/127\.0\.0\.1:/);
  });

  it('runs certbot manual hooks unchanged (a script that reads only CERTBOT_* variables)', async () => {
    const log = path.join(dir, 'certbot.log');
    const api = sb.state.challtestsrvUrl;
    const auth = await script(
      dir,
      'certbot-auth',
      `echo "auth $CERTBOT_DOMAIN $CERTBOT_VALIDATION $CERTBOT_REMAINING_CHALLENGES $CERTBOT_ALL_DOMAINS" >> '${log}'
curl -sSf -X POST -d "{\\"host\\":\\"_acme-challenge.$CERTBOT_DOMAIN.\\",\\"value\\":\\"$CERTBOT_VALIDATION\\"}" '${api}/set-txt'
echo "record-id-$CERTBOT_REMAINING_CHALLENGES"`,
    );
    const cleanup = await script(
      dir,
      'certbot-cleanup',
      `echo "cleanup $CERTBOT_DOMAIN $CERTBOT_VALIDATION $CERTBOT_AUTH_OUTPUT" >> '${log}'
curl -sSf -X POST -d "{\\"host\\":\\"_acme-challenge.$CERTBOT_DOMAIN.\\"}" '${api}/clear-txt'`,
    );
    const r = await runCli(['issue', '--ca', 'sandbox', '--no-tui', '--challenge', 'dns-01', '--dns-auth-hook', auth, '--dns-cleanup-hook', cleanup, '*.cb.test', 'cb.test'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const calls = lines(await readFile(log, 'utf8'));
    const auths = calls.filter((l) => l.startsWith('auth ')).map((l) => l.split(' '));
    assert.equal(auths.length, 2, calls.join('\n'));
    assert.deepEqual(auths.map((a) => a[1]), ['cb.test', 'cb.test']);
    assert.deepEqual(auths.map((a) => a[3]), ['1', '0'], 'CERTBOT_REMAINING_CHALLENGES counts down');
    assert.deepEqual(auths.map((a) => a[4]), ['cb.test,cb.test', 'cb.test,cb.test']);
    const cleanups = calls.filter((l) => l.startsWith('cleanup ')).map((l) => l.split(' '));
    assert.equal(cleanups.length, 2);
    for (const c of cleanups) {
      const matching = auths.find((a) => a[2] === c[2]);
      assert.ok(matching, `cleanup for a value that was published: ${c.join(' ')}`);
      assert.equal(c[3], `record-id-${matching[3]}`, 'CERTBOT_AUTH_OUTPUT is that auth hook run\'s stdout');
    }
    assert.deepEqual(await txt(sb.state.dnsPort, '_acme-challenge.cb.test'), []);
  });

  it('a failing hook fails the order with its last output, and what was published is still cleaned up', async () => {
    const log = path.join(dir, 'fail.log');
    const hook = await script(dir, 'fail-hook', `echo "$1 $2" >> '${log}'\nif [ "$1" = present ]; then echo "DNS API said: zone locked" >&2; printf 'esc \\033[31mred\\n'; exit 3; fi`);
    const r = await runCli(['issue', '--ca', 'sandbox', '--no-tui', '--challenge', 'dns-01', '--dns-hook', hook, 'fail.test'], env);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    assert.match(r.stderr, /dns-01 hook "present" for _acme-challenge\.fail\.test\. \(fail\.test\) exited with code 3.*zone locked/);
    assert.doesNotMatch(r.stdout + r.stderr, /\u001b/, 'control characters from the hook never reach the output');
    assert.deepEqual(lines(await readFile(log, 'utf8')), ['present _acme-challenge.fail.test.', 'cleanup _acme-challenge.fail.test.']);
  });

  it('a hanging hook is killed with its process tree at --dns-hook-timeout', async () => {
    const pidFile = path.join(dir, 'hang.pid');
    const hook = await script(dir, 'hang-hook', `if [ "$1" = present ]; then sleep 300 & echo $! > '${pidFile}'; echo "waiting for the API"; wait; fi`);
    const r = await runCli(['issue', '--ca', 'sandbox', '--no-tui', '--challenge', 'dns-01', '--dns-hook', hook, '--dns-hook-timeout', '2s', 'hang.test'], env);
    assert.equal(r.code, 5, r.stderr + r.stdout);
    assert.match(r.stderr, /did not finish within 2s and was killed.*waiting for the API/);
    const child = Number(await readFile(pidFile, 'utf8'));
    assert.ok(child > 0);
    assert.equal(await pidRunning(child), false, 'the hook\'s background child was killed with it');
  });

  it('a record that never propagates: a clear timeout naming the record and each server\'s answer, records cleaned', async () => {
    const log = path.join(dir, 'never.log');
    const hook = await script(dir, 'never-hook', `echo "$1 $2" >> '${log}'\nexec '${SHIPPED_HOOK}' "$@"`);
    const lag = `127.0.0.1:${lagging.port}`;
    const r = await runCli(
      ['issue', '--ca', 'sandbox', '--no-tui', '--challenge', 'dns-01', '--dns-hook', hook, '--dns-resolver', `127.0.0.1:${sb.state.dnsPort}`, '--dns-resolver', lag, '--dns-propagation-timeout', '3s', 'never.test'],
      env,
    );
    assert.equal(r.code, 5, r.stderr + r.stdout);
    assert.match(r.stderr, /_acme-challenge\.never\.test\. TXT "[A-Za-z0-9_-]{43}" not seen at 1 of 2 servers/);
    assert.match(r.stderr, new RegExp(`${lag.replace(/\./g, '\\.')} answered no TXT record`));
    assert.deepEqual(lines(await readFile(log, 'utf8')), ['present _acme-challenge.never.test.', 'cleanup _acme-challenge.never.test.']);
    assert.deepEqual(await txt(sb.state.dnsPort, '_acme-challenge.never.test'), []);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during the propagation wait cleans up the records and exits 130`, async () => {
      const name = `${signal.toLowerCase()}.test`;
      const log = path.join(dir, `${signal}.log`);
      const hook = await script(dir, `${signal}-hook`, `echo "$1 $2" >> '${log}'\nexec '${SHIPPED_HOOK}' "$@"`);
      let sent = false;
      let publishedSeen: string[] = [];
      const r = await spawnCli(
        ['issue', '--ca', 'sandbox', '--json', '--challenge', 'dns-01', '--dns-hook', hook, '--dns-resolver', `127.0.0.1:${lagging.port}`, name],
        env,
        (e, child) => {
          if (e.type === 'dns:propagation' && !sent) {
            sent = true;
            void txt(sb.state.dnsPort, `_acme-challenge.${name}`).then((v) => {
              publishedSeen = v;
              child.kill(signal);
            });
          }
        },
      );
      assert.ok(sent, r.stdout + r.stderr);
      assert.equal(publishedSeen.length, 1, 'the record was up while waiting');
      assert.equal(r.code, 130, r.stderr);
      assert.deepEqual(lines(await readFile(log, 'utf8')), [`present _acme-challenge.${name}.`, `cleanup _acme-challenge.${name}.`]);
      assert.deepEqual(await txt(sb.state.dnsPort, `_acme-challenge.${name}`), []);
    });
  }

  it('a run killed mid-propagation leaves its records in the journal; the next run removes them first', async () => {
    const name = 'crash.test';
    const log = path.join(dir, 'crash.log');
    const hook = await script(dir, 'crash-hook', `echo "$1 $2 $3" >> '${log}'\nexec '${SHIPPED_HOOK}' "$@"`);
    const args = ['issue', '--ca', 'sandbox', '--json', '--challenge', 'dns-01', '--dns-hook', hook, name];
    const killed = await spawnCli([...args, '--dns-resolver', `127.0.0.1:${lagging.port}`], env, (e, child) => {
      if (e.type === 'dns:propagation') child.kill('SIGKILL');
    });
    assert.equal(killed.signal, 'SIGKILL');
    const journal = JSON.parse(await readFile(path.join(sb.home, 'journal', `${name}.json`), 'utf8')) as { dnsRecords?: { records: Array<{ fqdn: string; value: string }> } };
    const left = journal.dnsRecords?.records ?? [];
    assert.equal(left.length, 1);
    assert.deepEqual(await txt(sb.state.dnsPort, `_acme-challenge.${name}`), [left[0]!.value]);

    const again = await runCli(args.map((a) => (a === '--json' ? '--no-tui' : a)), env);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /Removed _acme-challenge\.crash\.test\. TXT "[^"]+" \(left by an earlier run\)/);
    const calls = lines(await readFile(log, 'utf8'));
    assert.equal(calls[1], `cleanup _acme-challenge.${name}. ${left[0]!.value}`, 'the crashed run\'s record is cleaned before anything new is published');
    const after = JSON.parse(await readFile(path.join(sb.home, 'journal', `${name}.json`), 'utf8')) as { dnsRecords?: unknown };
    assert.equal(after.dnsRecords, undefined);
    assert.deepEqual(await txt(sb.state.dnsPort, `_acme-challenge.${name}`), []);
  });

  it('tls-alpn-01: Pebble validates the built-in responder', async () => {
    const r = await runCli(['issue', '--ca', 'sandbox', '--no-tui', '--challenge', 'tls-alpn-01', 'alpn.test'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const cert = new X509Certificate(await readFile(path.join(sb.home, 'live', 'alpn.test', 'cert.pem')));
    assert.match(cert.subjectAltName ?? '', /DNS:alpn\.test/);
  });

  it('refuses wrong combinations before ordering anything', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['issue', '*.x.test', '--ca', 'sandbox'], /wildcard.*use dns-01/],
      [['issue', '*.x.test', '--ca', 'sandbox', '--challenge', 'tls-alpn-01'], /wildcard.*use dns-01/],
      [['issue', 'x.test', '--ca', 'sandbox', '--challenge', 'dns-01'], /dns-01 needs a hook/],
      [['issue', 'x.test', '--ca', 'sandbox', '--challenge', 'dns-01', '--dns-auth-hook', '/bin/true'], /both --dns-auth-hook and --dns-cleanup-hook/],
      [['issue', 'x.test', '--ca', 'sandbox', '--dns-hook', '/bin/true'], /--dns-hook belongs to dns-01/],
      [['issue', 'x.test', '--ca', 'sandbox', '--challenge', 'dns-01', '--dns-hook', '/bin/true', '--dns-propagation', 'soon'], /--dns-propagation "soon"/],
      [['issue', 'x.test', '--ca', 'sandbox', '--challenge', 'dns-01', '--dns-hook', '/bin/true', '--dns-resolver', 'a b'], /--dns-resolver "a b"/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli([...args, '--no-tui'], env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr + r.stdout, message, args.join(' '));
    }
  });
});
