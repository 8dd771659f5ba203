import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BadInputError, ConfigError } from '../../../src/engine/core/errors.js';
import { accountDir, listAccounts, loadAccount, saveAccount, saveAccountKey } from '../../../src/engine/store/accounts.js';
import { withHome } from './helpers.js';

const LE = 'https://acme-v02.api.letsencrypt.org/directory';
const ZERO = 'https://acme.zerossl.com/v2/DV90';
const KEY = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

describe('accounts', () => {
  it('stores the key first (0600), then the account; secrets never in account.json', async () => {
    await withHome(async (paths) => {
      assert.equal(await loadAccount(paths, ZERO, 'ops@example.com'), undefined);
      await saveAccountKey(paths, ZERO, 'ops@example.com', KEY);
      const keyOnly = await loadAccount(paths, ZERO, 'ops@example.com');
      assert.equal(keyOnly?.keyPem, KEY);
      assert.equal(keyOnly?.accountUrl, undefined, 'no account URL before the CA answered');

      await saveAccount(paths, {
        directoryUrl: ZERO,
        email: 'ops@example.com',
        keyPem: KEY,
        accountUrl: 'https://acme.zerossl.com/v2/DV90/account/abc',
        tosAgreed: true,
        tosUrl: 'https://secure.trust-provider.com/repository/docs/Legacy/20221001_Certificate_Subscriber_Agreement_v_2_5_click.pdf',
        createdAt: '2026-01-01T00:00:00.000Z',
        eabKid: 'kid-1',
        eabHmacKey: 'c2VjcmV0LWhtYWM',
      });
      const dir = accountDir(paths, ZERO, 'ops@example.com');
      assert.deepEqual((await readdir(dir)).sort(), ['account.json', 'account.key', 'eab-hmac.key']);
      for (const f of ['account.json', 'account.key', 'eab-hmac.key']) assert.equal(await modeOf(path.join(dir, f)), 0o600, f);
      const json = await readFile(path.join(dir, 'account.json'), 'utf8');
      assert.doesNotMatch(json, /c2VjcmV0LWhtYWM|PRIVATE KEY/);

      const loaded = await loadAccount(paths, ZERO, 'ops@example.com');
      assert.equal(loaded?.accountUrl, 'https://acme.zerossl.com/v2/DV90/account/abc');
      assert.equal(loaded?.eabKid, 'kid-1');
      assert.equal(loaded?.eabHmacKey, 'c2VjcmV0LWhtYWM');
      assert.equal(loaded?.tosAgreed, true);
    });
  });

  it('keeps accounts apart per CA and per e-mail ("default" without one)', async () => {
    await withHome(async (paths) => {
      await saveAccountKey(paths, LE, undefined, 'k-default');
      await saveAccountKey(paths, LE, 'A@Example.com', 'k-a');
      await saveAccountKey(paths, ZERO, undefined, 'k-zero');
      assert.equal((await loadAccount(paths, LE, undefined))?.keyPem, 'k-default');
      assert.equal((await loadAccount(paths, LE, 'a@example.com'))?.keyPem, 'k-a', 'e-mail case does not matter');
      assert.equal((await loadAccount(paths, ZERO, undefined))?.keyPem, 'k-zero');
      assert.equal(path.basename(accountDir(paths, LE, undefined)), 'default');
      assert.equal(path.basename(accountDir(paths, LE, '../x@y')), '.._x@y', 'no path separators from an e-mail');
    });
  });

  it('never replaces an existing account key with a different one', async () => {
    await withHome(async (paths) => {
      await saveAccountKey(paths, LE, undefined, 'first');
      await saveAccountKey(paths, LE, undefined, 'first'); // same key: fine
      await assert.rejects(saveAccountKey(paths, LE, undefined, 'second'), (e: unknown) => e instanceof ConfigError && e.code === 'account-key-exists');
      assert.equal((await loadAccount(paths, LE, undefined))?.keyPem, 'first');
    });
  });

  it('rejects a malformed e-mail and reports a corrupt account.json by name', async () => {
    await withHome(async (paths) => {
      await assert.rejects(loadAccount(paths, LE, 'not an email'), BadInputError);
      await saveAccount(paths, { directoryUrl: LE, keyPem: KEY, tosAgreed: true, createdAt: '2026-01-01T00:00:00.000Z', accountUrl: 'u' });
      const file = path.join(accountDir(paths, LE, undefined), 'account.json');
      await writeFile(file, '{');
      await assert.rejects(loadAccount(paths, LE, undefined), (e: unknown) => e instanceof ConfigError && e.message.includes(file));
    });
  });

  it('lists printable account records without keys', async () => {
    await withHome(async (paths) => {
      await saveAccount(paths, { directoryUrl: LE, keyPem: KEY, tosAgreed: true, createdAt: '2026-01-01T00:00:00.000Z', accountUrl: 'https://le/acct/1' });
      await saveAccountKey(paths, ZERO, undefined, KEY); // key only: not listed
      const list = await listAccounts(paths);
      assert.equal(list.length, 1);
      assert.equal(list[0]!.accountUrl, 'https://le/acct/1');
      assert.ok(!('keyPem' in list[0]!));
    });
  });
});
