import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { catalogPath, listCas, loadCatalog, resolveCa } from '../../../src/engine/ca/catalog.js';
import type { SandboxState } from '../../../src/engine/ca/sandbox-state.js';
import { BadInputError, ConfigError } from '../../../src/engine/core/errors.js';
import { packageRoot } from '../../../src/engine/core/package-root.js';
import type { StatePaths } from '../../../src/engine/store/paths.js';
import { makeCert, withHome } from '../store/helpers.js';

const PUBLIC_IDS = ['letsencrypt', 'letsencrypt-staging', 'zerossl', 'google', 'google-staging', 'sslcom-ecc', 'sslcom-rsa', 'actalis', 'sectigo', 'globalsign', 'digicert'];

async function startSandboxState(paths: StatePaths, opts: { pids?: number[]; cas?: string[] } = {}): Promise<SandboxState> {
  await mkdir(paths.sandboxDir, { recursive: true });
  const bundle = path.join(paths.sandboxDir, 'root.pem');
  await writeFile(bundle, makeCert(['pebble-root.test']).certPem);
  const state: SandboxState = {
    version: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    caBundlePath: bundle,
    httpPort: 5002,
    dnsPort: 8053,
    challtestsrvUrl: 'http://127.0.0.1:8055',
    cas: (opts.cas ?? ['sandbox', 'sandbox-b']).map((id, i) => ({
      id,
      name: `Pebble ${id}`,
      directoryUrl: `https://127.0.0.1:${14000 + i}/dir`,
      pebbleDirectoryUrl: `https://127.0.0.1:${15000 + i}/dir`,
      managementUrl: `https://127.0.0.1:${16000 + i}`,
    })),
    pids: opts.pids ?? [process.pid],
  };
  await writeFile(path.join(paths.sandboxDir, 'state.json'), JSON.stringify(state));
  return state;
}

describe('loadCatalog', () => {
  it('has the public CAs of ca-facts.md plus the two sandbox CAs, and no Buypass', () => {
    const ids = loadCatalog().map((e) => e.id);
    assert.deepEqual(ids, [...PUBLIC_IDS, 'sandbox', 'sandbox-b']);
    assert.ok(!ids.some((id) => id.includes('buypass')));
    for (const e of loadCatalog().filter((x) => x.source === 'public')) {
      assert.match(e.directoryUrl ?? '', /^https:\/\//, e.id);
      assert.ok(e.notes.length > 0, `${e.id} has notes`);
      if (e.id.startsWith('letsencrypt')) assert.equal(e.eabRequired, false);
      else assert.equal(e.eabRequired, true, `${e.id} needs EAB`);
    }
  });

  it('is found in the package root from the sources and from any depth of the bundled dist/', () => {
    const root = path.resolve(import.meta.dirname, '..', '..', '..');
    assert.equal(catalogPath(), path.join(root, 'assets', 'ca-catalog.json'));
    for (const built of ['dist/cli.js', 'dist/chunks/chunk-X.js', 'dist/sandbox/fault-proxy-main.js']) {
      assert.equal(packageRoot(pathToFileURL(path.join(root, built)).href), root, built);
    }
    assert.throws(() => packageRoot(pathToFileURL(path.join(os.tmpdir(), 'elsewhere', 'cli.js')).href), /package\.json was not found/);
  });
});

describe('resolveCa by id', () => {
  it('gives each CA its own wait policy: ZeroSSL waits minutes, Let\'s Encrypt about a minute, the sandbox fails fast', async () => {
    await withHome(async (paths) => {
      const le = resolveCa('letsencrypt', { sandboxDir: paths.sandboxDir });
      const zero = resolveCa('zerossl', { sandboxDir: paths.sandboxDir });
      assert.equal(le.directoryUrl, 'https://acme-v02.api.letsencrypt.org/directory');
      assert.ok(le.policy.deadlines.processing <= 60_000);
      assert.ok(zero.policy.deadlines.processing >= 10 * 60_000);
      assert.ok(zero.policy.hungAfterMs > le.policy.hungAfterMs);
      assert.equal(zero.eabRequired, true);
      await startSandboxState(paths);
      const sb = resolveCa('sandbox', { sandboxDir: paths.sandboxDir });
      assert.ok(sb.policy.floorMs >= 20 && sb.policy.floorMs <= 250, "a local Pebble: polled within tens of milliseconds");
      assert.equal(sb.policy.hungAfterMs, 10_000);
    });
  });

  it('applies per-CA overrides from settings on top of the catalog', () => {
    const ca = resolveCa('zerossl', { sandboxDir: '/nonexistent', caPolicies: { zerossl: { deadlines: { processing: 1_800_000 } } } });
    assert.equal(ca.policy.deadlines.processing, 1_800_000);
    assert.equal(ca.policy.deadlines.authorization, 300_000, 'other catalog values stay');
  });

  it('rejects an unknown id, listing the known ones and the URL alternative', () => {
    assert.throws(
      () => resolveCa('letsencrpyt', { sandboxDir: '/nonexistent' }),
      (e: unknown) =>
        e instanceof BadInputError &&
        e.code === 'unknown-ca' &&
        /"letsencrpyt"/.test(e.message) &&
        PUBLIC_IDS.every((id) => (e.hint ?? '').includes(id)) &&
        (e.hint ?? '').includes('or pass an ACME directory URL (https://...)'),
    );
  });
});

describe('resolveCa for the sandbox', () => {
  it('says how to start it when it is not running (no state, or its processes are gone)', async () => {
    await withHome(async (paths) => {
      const notRunning = (e: unknown) => e instanceof BadInputError && e.code === 'sandbox-not-running' && (e.hint ?? '').includes('certdeck sandbox start');
      assert.throws(() => resolveCa('sandbox', { sandboxDir: paths.sandboxDir }), notRunning);
      await startSandboxState(paths, { pids: [2 ** 22 + 12345] });
      assert.throws(() => resolveCa('sandbox', { sandboxDir: paths.sandboxDir }), notRunning);
    });
  });

  it('takes URL, validator port and trust root from the running sandbox', async () => {
    await withHome(async (paths) => {
      const state = await startSandboxState(paths);
      const a = resolveCa('sandbox', { sandboxDir: paths.sandboxDir });
      const b = resolveCa('sandbox-b', { sandboxDir: paths.sandboxDir });
      assert.equal(a.directoryUrl, state.cas[0]!.directoryUrl);
      assert.equal(b.directoryUrl, state.cas[1]!.directoryUrl);
      assert.equal(a.httpPort, 5002);
      assert.equal(a.source, 'sandbox');
      assert.match(a.caBundlePem ?? '', /BEGIN CERTIFICATE/);
      assert.equal(resolveCa(state.cas[1]!.directoryUrl, { sandboxDir: paths.sandboxDir }).id, 'sandbox-b', 'its URL maps back to its id');
    });
  });

  it('names a CA the running sandbox lacks, and a corrupt state file', async () => {
    await withHome(async (paths) => {
      await startSandboxState(paths, { cas: ['sandbox'] });
      assert.throws(() => resolveCa('sandbox-b', { sandboxDir: paths.sandboxDir }), (e: unknown) => e instanceof BadInputError && e.code === 'sandbox-ca-missing');
      await writeFile(path.join(paths.sandboxDir, 'state.json'), '{');
      assert.throws(() => resolveCa('sandbox', { sandboxDir: paths.sandboxDir }), (e: unknown) => e instanceof ConfigError && e.message.includes('state.json'));
    });
  });
});

describe('resolveCa by URL', () => {
  const ctx = { sandboxDir: '/nonexistent' };
  it('accepts https and gives a stable slug id', () => {
    const ca = resolveCa('https://acme.example.test/v2/directory', ctx);
    assert.equal(ca.source, 'url');
    assert.match(ca.id, /^acme-example-test-v2-directory-[0-9a-f]{8}$/);
    assert.equal(resolveCa('https://acme.example.test/v2/directory', ctx).id, ca.id);
    assert.equal(ca.name, 'acme.example.test/v2/directory');
  });

  it('maps a catalog URL back to its entry', () => {
    const ca = resolveCa('https://acme-v02.api.letsencrypt.org/directory/', ctx);
    assert.equal(ca.id, 'letsencrypt');
    assert.equal(ca.directoryUrl, 'https://acme-v02.api.letsencrypt.org/directory');
  });

  it('accepts plain http only on loopback', () => {
    assert.equal(resolveCa('http://127.0.0.1:14000/dir', ctx).source, 'url');
    assert.equal(resolveCa('http://[::1]:14000/dir', ctx).source, 'url');
    assert.equal(resolveCa('http://localhost:14000/dir', ctx).source, 'url');
    for (const bad of ['http://acme.example.test/dir', 'ftp://acme.example.test/dir', 'http://127.0.0.1.nip.io/dir']) {
      assert.throws(() => resolveCa(bad, ctx), (e: unknown) => e instanceof BadInputError && e.code === 'insecure-ca-url', bad);
    }
    assert.throws(() => resolveCa('https://user:pw@acme.example.test/dir', ctx), (e: unknown) => e instanceof BadInputError && e.code === 'bad-ca-url');
    assert.throws(() => resolveCa('https://', ctx), (e: unknown) => e instanceof BadInputError && e.code === 'bad-ca-url');
  });
});

describe('--ca-bundle', () => {
  it('loads a PEM bundle and rejects a missing, non-PEM or corrupt one with the file name', async () => {
    await withHome(async (_paths, root) => {
      const good = path.join(root, 'good.pem');
      const { certPem } = makeCert(['root.test']);
      await writeFile(good, `# comment\n${certPem}`);
      assert.equal(resolveCa('letsencrypt', { sandboxDir: root, caBundlePath: good }).caBundlePem, certPem);

      const cases: Array<[string, string | undefined, RegExp]> = [
        ['missing.pem', undefined, /does not exist/],
        ['text.pem', 'hello', /contains no PEM certificate/],
        ['broken.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /does not parse/],
      ];
      for (const [name, content, reason] of cases) {
        const file = path.join(root, name);
        if (content !== undefined) await writeFile(file, content);
        assert.throws(
          () => resolveCa('letsencrypt', { sandboxDir: root, caBundlePath: file }),
          (e: unknown) => e instanceof BadInputError && e.code === 'bad-ca-bundle' && e.message.includes(file) && reason.test(e.message),
          name,
        );
      }
      assert.throws(() => resolveCa('letsencrypt', { sandboxDir: root, caBundlePath: root }), /is a directory/);
    });
  });
});

describe('listCas', () => {
  it('lists every catalog CA; a stopped sandbox has no URL and says how to start it', async () => {
    await withHome(async (paths) => {
      const stopped = listCas({ sandboxDir: paths.sandboxDir });
      assert.equal(stopped.length, PUBLIC_IDS.length + 2);
      const sb = stopped.find((c) => c.id === 'sandbox');
      assert.equal(sb?.directoryUrl, '');
      assert.match(sb?.notes[0] ?? '', /certdeck sandbox start/);
      await startSandboxState(paths);
      const running = listCas({ sandboxDir: paths.sandboxDir });
      assert.equal(running.find((c) => c.id === 'sandbox')?.directoryUrl, 'https://127.0.0.1:14000/dir');
      assert.equal(running.find((c) => c.id === 'zerossl')?.policy.deadlines.processing, 900_000);
    });
  });
});
