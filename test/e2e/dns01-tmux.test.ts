/**
 * dns-01 in a real terminal (tmux) against the sandbox: a wildcard and its base name wait for their records to
 * propagate while one of two resolvers lags. The operator sees each record published, propagation n/m servers
 * and the checks advancing live; c then y cancels, the records are removed from the DNS and the exit is 130.
 */
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { CLI } from '../support/cli.js';
import { startEmptyDns } from '../support/empty-dns.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';
import { TmuxTerminal, tmuxAvailable } from './support/tmux-terminal.js';

const skip = !tmuxAvailable()
  ? 'tmux is not installed (apt-get install tmux)'
  : !pebbleAvailable()
    ? 'pebble is not installed (apt-get install pebble)'
    : !existsSync(CLI)
      ? `the CLI is not built (${CLI} is missing): run npm run build`
      : false;

const HOOK = fileURLToPath(new URL('../../assets/hooks/challtestsrv-dns-hook', import.meta.url));

async function txt(port: number, name: string): Promise<string[]> {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  return r.resolveTxt(name).then(
    (rows) => rows.map((c) => c.join('')),
    () => [],
  );
}

function checkNumber(screen: string): number | undefined {
  const m = /DNS records resolvers check (\d+) · waited \d+s · next check in \d+s · gives up in \S+/.exec(screen);
  return m ? Number(m[1]) : undefined;
}

describe('dns-01 in a real terminal (tmux)', { skip }, () => {
  let sandbox: TestSandbox;
  let lagging: Awaited<ReturnType<typeof startEmptyDns>>;
  before(async () => {
    sandbox = await startTestSandbox({});
    lagging = await startEmptyDns();
  });
  after(async () => {
    lagging?.stop();
    await sandbox?.stop();
  });

  test('the propagation wait shows each record live; c then y cancels, cleans the records up and exits 130', async () => {
    const args = ['issue', '*.tmux.test', 'tmux.test', '--ca', 'sandbox', '--agree-tos', '--challenge', 'dns-01', '--dns-hook', HOOK];
    const resolvers = ['--dns-resolver', `127.0.0.1:${sandbox.state.dnsPort}`, '--dns-resolver', `127.0.0.1:${lagging.port}`];
    const term = await TmuxTerminal.start([process.execPath, CLI, ...args, ...resolvers], { env: { CERTDECK_HOME: sandbox.home } });
    try {
      const first = await term.waitFor((s) => (checkNumber(s) !== undefined ? s : undefined), 'the propagation summary');
      const lag = `127.0.0.1:${lagging.port} answered no TXT record`;
      for (const name of ['\\*\\.tmux\\.test', 'tmux\\.test']) {
        assert.match(first, new RegExp(`◐ ${name}\\s+_acme-challenge\\.tmux\\.test\\.\\s+published ✓\\s+propagation 1/2 servers`));
      }
      assert.ok(first.includes(lag), first);
      const n = checkNumber(first)!;
      await term.waitFor((s) => ((checkNumber(s) ?? 0) > n ? s : undefined), 'a later check, shown live');
      assert.equal((await txt(sandbox.state.dnsPort, '_acme-challenge.tmux.test')).length, 2, 'both values published at the sandbox DNS');

      await term.sendKeys('c');
      await term.waitForText('y cancel it');
      await term.sendKeys('y');
      assert.equal(await term.exitCode(), 130);
      assert.deepEqual(await txt(sandbox.state.dnsPort, '_acme-challenge.tmux.test'), []);
    } finally {
      await term.kill();
    }
  });
});
