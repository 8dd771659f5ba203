import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { BadInputError, ConfigError } from '../../../src/engine/core/errors.js';
import { Settings } from '../../../src/engine/store/settings.js';
import { readSettings, settingsFilePath } from '../../../src/engine/store/settings-file.js';
import { withHome } from './helpers.js';

describe('Settings', () => {
  it('round-trips every setting through config.json (0600), including certificate names with dots', async () => {
    await withHome(async (paths) => {
      const s = Settings.open(paths);
      assert.equal(s.defaultEmail, undefined);
      assert.deepEqual(s.fallbackCas, []);
      s.setDefaultEmail('ops@example.com');
      s.setDefaultKeyType('ec-p384');
      s.setDefaultCa('letsencrypt');
      s.setFallbackCas(['zerossl', 'google']);
      s.setCaPolicy('zerossl', { deadlines: { processing: 1_800_000 }, hungAfterMs: 300_000 });
      s.setCertificate('www.example.com', { ca: 'sandbox', challenge: { method: 'http-01-webroot', webroot: '/var/www' }, policy: { maxRetries: 2 } });

      const again = Settings.open(paths);
      assert.equal(again.defaultEmail, 'ops@example.com');
      assert.equal(again.defaultKeyType, 'ec-p384');
      assert.equal(again.defaultCa, 'letsencrypt');
      assert.deepEqual(again.fallbackCas, ['zerossl', 'google']);
      assert.deepEqual(again.caPolicies, { zerossl: { deadlines: { processing: 1_800_000 }, hungAfterMs: 300_000 } });
      assert.deepEqual(again.certificate('www.example.com')?.challenge, { method: 'http-01-webroot', webroot: '/var/www' });
      assert.equal((await stat(again.file)).mode & 0o777, 0o600);
      const raw = JSON.parse(await readFile(again.file, 'utf8')) as Record<string, unknown>;
      assert.ok('www.example.com' in (raw.certificates as object), 'a dotted name is a key, not a path');

      again.setCaPolicy('zerossl', undefined);
      again.setCertificate('www.example.com', undefined);
      again.setDefaultEmail(undefined);
      assert.deepEqual(again.caPolicies, {});
      assert.equal(again.certificate('www.example.com'), undefined);
      assert.equal(again.defaultEmail, undefined);
    });
  });

  it('rejects an invalid value without changing anything', async () => {
    await withHome(async (paths) => {
      const s = Settings.open(paths);
      s.setDefaultKeyType('rsa-2048');
      const before = await readFile(s.file, 'utf8');
      assert.throws(() => s.setDefaultKeyType('dsa-1024' as never), (e: unknown) => e instanceof BadInputError && /defaultKeyType/.test(e.message));
      assert.throws(() => s.setCaPolicy('x', { floorMS: 5 } as never), BadInputError);
      assert.throws(() => s.setDefaultEmail('not-an-email'), BadInputError);
      assert.equal(await readFile(s.file, 'utf8'), before);
    });
  });

  it('reports a hand-broken file by name and never resets it', async () => {
    await withHome(async (paths) => {
      const s = Settings.open(paths);
      s.setDefaultEmail('ops@example.com');
      const broken = (await readFile(s.file, 'utf8')).replace('"ops@example.com"', '"ops@example.com",,');
      await writeFile(s.file, broken);
      const isConfigError = (code: string) => (e: unknown) => e instanceof ConfigError && e.code === code && e.message.includes(s.file) && /mv /.test(e.hint ?? '');
      assert.throws(() => Settings.open(paths), isConfigError('config-invalid-json'));
      assert.throws(() => s.defaultEmail, isConfigError('config-invalid-json'));
      assert.throws(() => s.setDefaultCa('letsencrypt'), isConfigError('config-invalid-json'));
      assert.equal(await readFile(s.file, 'utf8'), broken, 'the broken file is left exactly as it was');

      await writeFile(s.file, JSON.stringify({ defaultKeyType: 'rsa-1024' }));
      assert.throws(() => Settings.open(paths), (e: unknown) => isConfigError('config-invalid')(e) && /defaultKeyType/.test((e as Error).message));
      assert.equal(await readFile(s.file, 'utf8'), JSON.stringify({ defaultKeyType: 'rsa-1024' }));

      await writeFile(s.file, '');
      assert.throws(() => Settings.open(paths), isConfigError('config-invalid-json'));
    });
  });

  it('readSettings: no file reads as no settings and creates nothing; a written file reads back; a broken one is reported', async () => {
    await withHome(async (paths) => {
      assert.deepEqual(await readSettings(paths), {});
      await assert.rejects(stat(settingsFilePath(paths)), { code: 'ENOENT' });
      Settings.open(paths).setDefaultCa('letsencrypt-staging');
      assert.deepEqual(await readSettings(paths), { defaultCa: 'letsencrypt-staging' });
      await writeFile(settingsFilePath(paths), JSON.stringify({ defaultCa: '' }));
      await assert.rejects(readSettings(paths), (e: unknown) => e instanceof ConfigError && e.code === 'config-invalid' && /defaultCa/.test(e.message));
    });
  });
});
