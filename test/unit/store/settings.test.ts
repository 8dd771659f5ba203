import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/engine/core/errors.js';
import { readSettings, settingsFilePath } from '../../../src/engine/store/settings-file.js';
import { withHome } from './helpers.js';

describe('settings (config.json, edited by hand, read once per run)', () => {
  it('reads every setting, including certificate names with dots as literal keys', async () => {
    await withHome(async (paths) => {
      const data = {
        defaultEmail: 'ops@example.com',
        defaultKeyType: 'ec-p384',
        defaultCa: 'letsencrypt',
        fallbackCas: ['zerossl', 'google'],
        caPolicies: { zerossl: { deadlines: { processing: 1_800_000 }, hungAfterMs: 300_000 } },
        certificates: { 'www.example.com': { ca: 'sandbox', challenge: { method: 'http-01-webroot', webroot: '/var/www' }, policy: { maxRetries: 2 } } },
      };
      await writeFile(settingsFilePath(paths), JSON.stringify(data));
      assert.deepEqual(await readSettings(paths), data);
    });
  });

  it('reports a hand-broken or invalid file by name and never resets it', async () => {
    await withHome(async (paths) => {
      const file = settingsFilePath(paths);
      const isConfigError = (code: string) => (e: unknown) => e instanceof ConfigError && e.code === code && e.message.includes(file) && /mv /.test(e.hint ?? '');
      const broken = '{ "defaultEmail": "ops@example.com",, }';
      await writeFile(file, broken);
      await assert.rejects(readSettings(paths), isConfigError('config-invalid-json'));
      assert.equal(await readFile(file, 'utf8'), broken, 'the broken file is left exactly as it was');

      for (const bad of [{ defaultKeyType: 'rsa-1024' }, { defaultEmail: 'not-an-email' }, { caPolicies: { x: { floorMS: 5 } } }, { defaultCa: '' }]) {
        await writeFile(file, JSON.stringify(bad));
        await assert.rejects(readSettings(paths), (e: unknown) => isConfigError('config-invalid')(e) && new RegExp(Object.keys(bad)[0]!).test((e as Error).message), JSON.stringify(bad));
        assert.equal(await readFile(file, 'utf8'), JSON.stringify(bad));
      }

      await writeFile(file, '');
      await assert.rejects(readSettings(paths), isConfigError('config-invalid-json'));
    });
  });

  it('no file reads as no settings and creates nothing', async () => {
    await withHome(async (paths) => {
      assert.deepEqual(await readSettings(paths), {});
      await assert.rejects(stat(settingsFilePath(paths)), { code: 'ENOENT' });
    });
  });
});
