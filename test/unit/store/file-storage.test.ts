import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { systemClock } from '../../../src/engine/core/clock.js';
import { LockHeldError } from '../../../src/engine/core/errors.js';
import { FileLocker, FileStorage } from '../../../src/engine/store/file-storage.js';
import { lockFile } from '../../../src/engine/store/lock.js';
import { openStorage } from '../../../src/engine/store/select-storage.js';
import { accountDir, accountId, saveAccount } from '../../../src/engine/store/accounts.js';
import { withHome } from './helpers.js';

describe('FileStorage and FileLocker: the seam over the files, in the layout certdeck always had', () => {
  it('a key is a path under the state home; every value is written atomically and 0600', async () => {
    await withHome(async (paths, root) => {
      const storage = new FileStorage(paths);
      await storage.store('requests/a.test.json', '{}\n');
      assert.equal(await readFile(path.join(root, 'requests', 'a.test.json'), 'utf8'), '{}\n');
      assert.equal((await stat(path.join(root, 'requests', 'a.test.json'))).mode & 0o777, 0o600);
      assert.equal(storage.locate('journal/x.json'), path.join(paths.journalDir, 'x.json'));
      await saveAccount(storage, { directoryUrl: 'https://ca.test/dir', email: 'ops@example.test', keyPem: 'KEY', tosAgreed: true, createdAt: '2026-01-01T00:00:00Z' });
      // accounts/<ca-slug>/<email>/account.key, as before the seam
      const keyFile = path.join(paths.accountsDir, accountId('https://ca.test/dir', 'ops@example.test'), 'account.key');
      assert.equal(accountDir(storage, 'https://ca.test/dir', 'ops@example.test'), path.dirname(keyFile));
      assert.equal(await readFile(keyFile, 'utf8'), 'KEY');
      assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    });
  });

  it('lists without temp files, recursively on request; missing keys are undefined, not errors', async () => {
    await withHome(async (paths, root) => {
      const storage = new FileStorage(paths);
      await mkdir(path.join(root, 'journal'), { recursive: true });
      await writeFile(path.join(root, 'journal', '.a.json.123.tmp'), 'half');
      await storage.store('journal/a.json', '1');
      await storage.store('journal/sub/b.json', '2');
      assert.deepEqual(await storage.list('journal'), ['a.json', 'sub']);
      assert.deepEqual(await storage.list('journal', { recursive: true }), ['journal/a.json', 'journal/sub/b.json']);
      assert.deepEqual(await storage.list('nothing'), []);
      assert.equal(await storage.load('journal/none.json'), undefined);
      assert.equal((await storage.stat('journal/sub'))?.isTerminal, false);
      await storage.delete('journal/a.json');
      await storage.delete('journal/a.json');
      assert.equal(await storage.exists('journal/a.json'), false);
      assert.throws(() => storage.locate('../etc/passwd'), /not a storage key/);
    });
  });

  it('FileLocker is the lock file of lock.ts; the default storage is the files', async () => {
    await withHome(async (paths) => {
      const { storage, locker } = await openStorage(paths, { spec: undefined, source: 'default' });
      assert.ok(storage instanceof FileStorage && locker instanceof FileLocker);
      assert.deepEqual(storage.info(), { kind: 'file', location: path.dirname(paths.accountsDir), encryptedSecrets: false });
      const held = await locker.lock('a.test', { wait: false, clock: systemClock });
      assert.equal(held.where, lockFile(paths, 'a.test'));
      assert.equal(await locker.isHeld('a.test'), true);
      await assert.rejects(new FileLocker(paths).lock('a.test', { wait: false, clock: systemClock }), LockHeldError);
      await held.release();
      assert.equal(await locker.isHeld('a.test'), false);
    });
  });
});
