import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedCa } from '../../../src/engine/ca/catalog.js';
import { BadInputError } from '../../../src/engine/core/errors.js';
import { resolveIssueRequest, type ResolveDeps } from '../../../src/engine/issue/resolve-request.js';
import { accountId, saveAccount } from '../../../src/engine/store/accounts.js';
import type { StatePaths } from '../../../src/engine/store/paths.js';
import type { SettingsData } from '../../../src/engine/store/settings.js';
import { writeStoredRequest, type StoredRequest } from '../../../src/engine/store/stored-request.js';
import { withHome } from '../store/helpers.js';

const url = (id: string) => `https://ca.test/${id}/directory`;
const deps = (paths: StatePaths, settings: SettingsData = {}): ResolveDeps => ({
  storage: paths,
  paths,
  settings,
  // Catalog lookup is not what is tested here: each id has its own directory URL.
  resolve: (id) => ({ id, name: id, directoryUrl: url(id) }) as ResolvedCa,
});
const KEY = '-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n';

async function account(paths: StatePaths, ca: string, email?: string): Promise<string> {
  await saveAccount(paths, { directoryUrl: url(ca), ...(email ? { email } : {}), keyPem: KEY, tosAgreed: true, createdAt: '2026-01-01T00:00:00.000Z', accountUrl: `${url(ca)}/acct/${email ?? 'x'}` });
  return accountId(url(ca), email);
}

function stored(over: Partial<StoredRequest> = {}): StoredRequest {
  return { formatVersion: 1, certName: 'a.test', domains: ['a.test'], ca: 'ca1', directoryUrl: url('ca1'), keyType: 'ec-p384', challenge: { method: 'http-01-webroot', webroot: '/srv' }, savedAt: '2026-01-01T00:00:00.000Z', ...over };
}

describe('resolveIssueRequest: flags, certificate settings, stored request, defaults', () => {
  it('fills everything left open from the stored request, the account included, and says so', async () => {
    await withHome(async (paths) => {
      await account(paths, 'ca1', 'other@example.test'); // a second account at the same CA: the stored one must win
      const ref = await account(paths, 'ca1', 'ops@example.test');
      await writeStoredRequest(paths, stored({ account: ref, preferredChain: 'Root X', fallback: ['ca2'] }));
      const { effective, note } = await resolveIssueRequest(deps(paths, { defaultCa: 'ca9', defaultKeyType: 'rsa-2048' }), { domains: ['a.test'] });
      assert.equal(effective.ca, 'ca1');
      assert.equal(effective.keyType, 'ec-p384');
      assert.equal(effective.email, 'ops@example.test');
      assert.deepEqual(effective.challenge, { method: 'http-01-webroot', webroot: '/srv' });
      assert.equal(effective.preferredChain, 'Root X');
      assert.deepEqual(effective.fallback, ['ca2']);
      assert.equal(note, `using stored request for a.test: CA ca1, account ${ref}, key ec-p384, challenge http-01-webroot`);
    });
  });

  it('a flag wins for the run and is named; the stored account does not follow the request to another CA', async () => {
    await withHome(async (paths) => {
      await writeStoredRequest(paths, stored({ account: await account(paths, 'ca1', 'ops@example.test') }));
      const { effective, note } = await resolveIssueRequest(deps(paths), { domains: ['a.test'], keyType: 'rsa-2048', ca: 'ca2' });
      assert.equal(effective.keyType, 'rsa-2048');
      assert.equal(effective.email, undefined, 'ca2 has no account of ops@');
      assert.match(note ?? '', /given for this run: --ca ca1 -> ca2; --key-type ec-p384 -> rsa-2048$/);
    });
  });

  it("certificate settings beat the stored request; without either, the settings' defaults and the CA's only account", async () => {
    await withHome(async (paths) => {
      await account(paths, 'ca3', 'solo@example.test');
      const settings: SettingsData = { defaultCa: 'ca3', defaultKeyType: 'rsa-3072', certificates: { 'b.test': { keyType: 'ec-p256', policy: { maxRetries: 1 } } } };
      const fresh = await resolveIssueRequest(deps(paths, settings), { domains: ['b.test'], policy: { maxRetries: 4 } });
      assert.equal(fresh.note, undefined, 'nothing stored yet');
      assert.equal(fresh.effective.ca, 'ca3');
      assert.equal(fresh.effective.keyType, 'ec-p256');
      assert.equal(fresh.effective.email, 'solo@example.test', 'the only account at ca3 is reused');
      assert.deepEqual(fresh.effective.policies, [{ maxRetries: 1 }, { maxRetries: 4 }], "the run's flags last, so they win");
    });
  });

  it('no CA anywhere is bad input that names --ca', async () => {
    await withHome(async (paths) => {
      await assert.rejects(resolveIssueRequest(deps(paths), { domains: ['c.test'] }), (e: unknown) => e instanceof BadInputError && e.code === 'no-ca' && /--ca/.test(e.hint ?? ''));
    });
  });
});
