/**
 * The setup's preflight against the real sandbox: pebble-challtestsrv answers the DNS (its management API plants
 * CAA, A, SERVFAIL), and a real nginx holds the HTTP-01 port. The webroot it offers is then used for a real order,
 * which Pebble validates through that nginx.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckProgress } from '../../src/engine/api.js';
import { systemClock } from '../../src/engine/core/clock.js';
import { Engine } from '../../src/engine/engine.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { freePort } from '../deploy/support/net.js';
import { NGINX } from '../deploy/support/nginx.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';

/** A plain-HTTP nginx whose site config (with the document root) sits in an included file, as on Debian. */
async function startWebNginx(dir: string, port: number, serverName: string): Promise<{ root: string; stop: () => Promise<void> }> {
  const root = path.join(dir, 'www');
  // nginx's workers run as an unprivileged user: the (mkdtemp 0700) directory must be traversable for them.
  await chmod(dir, 0o755);
  await mkdir(path.join(dir, 'tmp'), { recursive: true });
  await mkdir(path.join(dir, 'sites'), { recursive: true });
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'index.html'), 'hello\n');
  const temp = (n: string) => path.join(dir, 'tmp', n);
  await writeFile(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${temp('cb')}; proxy_temp_path ${temp('p')}; fastcgi_temp_path ${temp('f')}; uwsgi_temp_path ${temp('u')}; scgi_temp_path ${temp('s')};
  include sites/*.conf;
}
`,
  );
  await writeFile(path.join(dir, 'sites', 'default.conf'), `server { listen 127.0.0.1:${port} default_server; server_name _; root ${path.join(dir, 'elsewhere')}; }\n`);
  await writeFile(path.join(dir, 'sites', 'site.conf'), `server {\n  listen 127.0.0.1:${port};\n  server_name ${serverName};\n  root ${root};\n}\n`);
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', 'nginx.conf', '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const until = Date.now() + 10_000;
  for (;;) {
    const status = await new Promise<number>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/', headers: { host: serverName } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', () => resolve(0));
    });
    if (status === 200) break;
    if (child.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error(`nginx did not serve ${serverName} on 127.0.0.1:${port} (last status ${status})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { root, stop };
}

describe('preflight (setup step) against the sandbox', { skip }, () => {
  let sb: TestSandbox;
  let engine: Engine;
  before(async () => {
    sb = await startTestSandbox({});
    engine = new Engine({ paths: pathsUnder(sb.home), clock: systemClock, userAgent: 'certdeck-test' });
  });
  after(async () => {
    await engine?.close();
    await sb?.stop();
  });

  async function challtestsrv(route: string, body: unknown): Promise<void> {
    const res = await fetch(`${sb.state.challtestsrvUrl}${route}`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 200, `${route} answered ${res.status}`);
  }

  it('catches a CAA record that forbids the CA, also one inherited from a parent name; one that names it passes', async () => {
    await challtestsrv('/add-caa', { host: 'forbidden.test.', policies: [{ tag: 'issue', value: 'letsencrypt.org' }] });
    await challtestsrv('/add-caa', { host: 'parent.test.', policies: [{ tag: 'issue', value: ';' }] });
    await challtestsrv('/add-caa', { host: 'allowed.test.', policies: [{ tag: 'issue', value: 'pebble.letsencrypt.org' }] });
    const port = await freePort();
    const report = await engine.preflight({ domains: ['forbidden.test', 'www.parent.test', 'allowed.test'], caId: 'sandbox', httpPort: port });
    const caa = report.findings.filter((f) => f.id === 'dns.caa-forbids');
    assert.equal(caa.length, 2, JSON.stringify(report.findings, null, 2));
    assert.match(caa[0]!.seen, /CAA at forbidden\.test forbids .*"letsencrypt\.org"/);
    assert.match(caa[1]!.seen, /CAA at parent\.test \(inherited by www\.parent\.test\)/);
    assert.match(caa[0]!.todo, /CAA 0 issue "pebble\.letsencrypt\.org"/);
    assert.equal(report.blocking, true);
    const allowedCheck = report.checks.find((c) => c.check.key === 'preflight:dns:allowed.test:caa');
    assert.equal(allowedCheck?.outcome, 'ok');
    assert.match(allowedCheck?.note ?? '', /allows this CA/);
  });

  it('reports a name that does not resolve and one whose DNS fails, and says where a good one points', async () => {
    await challtestsrv('/set-default-ipv4', { ip: '' });
    try {
      await challtestsrv('/add-a', { host: 'good.test.', addresses: ['127.0.0.1'] });
      await challtestsrv('/set-servfail', { host: 'broken.test.' });
      const progress: CheckProgress[] = [];
      const report = await engine.preflight({ domains: ['nowhere.test', 'broken.test', 'good.test'], caId: 'sandbox', httpPort: await freePort(), onProgress: (p) => progress.push(p) });
      const ids = report.findings.map((f) => `${f.severity} ${f.id}`);
      assert.ok(report.findings.some((f) => f.id === 'dns.no-address' && /nowhere\.test has no A or AAAA record/.test(f.seen)), ids.join('; '));
      assert.ok(report.findings.some((f) => f.id === 'dns.lookup-failed' && /broken\.test .*SERVFAIL/.test(f.seen)), ids.join('; '));
      assert.deepEqual(report.names.find((n) => n.ascii === 'good.test')?.addresses?.a, ['127.0.0.1']);
      assert.equal(report.blocking, true);
      // Each check was announced as running before its result, in order.
      const keys = progress.filter((p) => p.type === 'started').map((p) => p.check.key);
      assert.deepEqual(progress.filter((p) => p.type === 'finished').map((p) => p.check.key), keys);
      assert.ok(keys.includes('preflight:dns:good.test:address'));
    } finally {
      await challtestsrv('/set-default-ipv4', { ip: '127.0.0.1' });
      await challtestsrv('/clear-servfail', { host: 'broken.test.' }).catch(() => undefined);
    }
  });

  it('checks name syntax before any lookup: invalid names block, a wildcard says it needs dns-01, an IDN shows both forms', async () => {
    const report = await engine.preflight({ domains: ['bad_name!.test', '*.wild.test', 'bücher.test'], caId: 'sandbox', httpPort: await freePort() });
    assert.ok(report.findings.some((f) => f.id === 'name.invalid' && f.severity === 'error'));
    assert.ok(report.findings.some((f) => f.id === 'name.wildcard' && /dns-01/.test(f.todo)));
    const idn = report.names.find((n) => n.input === 'bücher.test');
    assert.equal(idn?.ascii, 'xn--bcher-kva.test');
    assert.equal(idn?.unicode, 'bücher.test');
    assert.equal(report.suggestedChallenge, undefined, 'no http-01 suggestion with a wildcard');
  });

  it('a free port suggests the standalone server; nginx holding it is named, its document root found and webroot works for a real order', async () => {
    const free = await freePort();
    const standalone = await engine.preflight({ domains: ['site.test'], caId: 'sandbox', httpPort: free });
    assert.deepEqual(standalone.suggestedChallenge, { method: 'http-01-standalone', port: free });
    assert.equal(standalone.port?.state, 'free');

    const dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-preflight-nginx-'));
    const nginx = await startWebNginx(dir, sb.httpPort, 'site.test');
    try {
      const report = await engine.preflight({ domains: ['site.test'], caId: 'sandbox', httpPort: sb.httpPort });
      assert.equal(report.port?.state, 'held');
      assert.equal(report.port?.webServer?.kind, 'nginx');
      assert.equal(report.port?.webServer?.documentRoot, nginx.root);
      assert.equal(report.port?.webServer?.configFile, path.join(dir, 'sites', 'site.conf'));
      const finding = report.findings.find((f) => f.id === 'port.web-server');
      assert.equal(finding?.severity, 'info');
      assert.match(finding?.seen ?? '', new RegExp(`held by nginx .*pid \\d+`));
      assert.deepEqual(report.suggestedChallenge, { method: 'http-01-webroot', webroot: nginx.root });
      assert.equal(report.blocking, false);

      // The offered webroot is the real one: Pebble validates through nginx.
      const outcome = await engine.issue({ domains: ['site.test'], ca: 'sandbox', agreeTos: true, challenge: report.suggestedChallenge! });
      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    } finally {
      await nginx.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
