import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/engine/core/clock.js';
import { Engine } from '../../src/engine/engine.js';
import { pathsUnder } from '../../src/engine/store/paths.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed (apt-get install pebble)';

describe('HTTP-01 in webroot mode', { skip }, () => {
  let sandbox: TestSandbox;
  let webroot: string;
  let server: http.Server;
  const served: string[] = [];

  before(async () => {
    sandbox = await startTestSandbox({ authzReusePercent: 0 });
    webroot = await mkdtemp(path.join(os.tmpdir(), 'certdeck-webroot-'));
    // Stands in for the operator's web server: serves the webroot on the port Pebble validates.
    server = http.createServer((req, res) => {
      const file = path.join(webroot, path.normalize(req.url ?? '/'));
      readFile(file, 'utf8').then(
        (body) => {
          served.push(req.url ?? '');
          res.writeHead(200).end(body);
        },
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(sandbox.httpPort, '127.0.0.1', resolve));
  });
  after(async () => {
    server?.close();
    await sandbox?.stop();
    await rm(webroot, { recursive: true, force: true });
  });

  it('writes the answers where the web server serves them, and removes them afterwards', async () => {
    const engine = new Engine({ paths: pathsUnder(sandbox.home), clock: systemClock, userAgent: 'certdeck-test' });
    try {
      const outcome = await engine.issue({ domains: ['web.test', 'www.web.test'], ca: 'sandbox', agreeTos: true, challenge: { method: 'http-01-webroot', webroot } });
      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
      assert.ok(served.filter((u) => u.startsWith('/.well-known/acme-challenge/')).length >= 2, 'Pebble fetched both answers from the web server');
      // .well-known did not exist before: certdeck created it and removes it again, with nothing left inside.
      assert.deepEqual(await readdir(webroot), [], 'no challenge file or directory left behind');
    } finally {
      await engine.close();
    }
  });

  it('a missing webroot is bad input and nothing is ordered', async () => {
    const engine = new Engine({ paths: pathsUnder(sandbox.home), clock: systemClock, userAgent: 'certdeck-test' });
    try {
      const outcome = await engine.issue({ domains: ['gone.test'], ca: 'sandbox', challenge: { method: 'http-01-webroot', webroot: path.join(webroot, 'nope') } });
      assert.equal(outcome.ok, false);
      assert.equal(outcome.error?.kind, 'bad-input');
      assert.match(outcome.error!.message, /does not exist/);
    } finally {
      await engine.close();
    }
  });
});
