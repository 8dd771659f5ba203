import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../support/cli.js';

describe('certdeck with a command it does not have', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'certdeck-unknown-'));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  // Words that are no certdeck command (renew and doctor, the examples, exist now and are listed).
  for (const word of ['frobnicate', 'upgrade']) {
    it(`${word}: "unknown command" with the list of commands, exit 2, nothing opened`, async () => {
      const r = await runCli([word, 'example.test'], { CERTDECK_HOME: home });
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`unknown command '${word}'`));
      assert.doesNotMatch(r.stderr, /too many arguments/);
      for (const command of ['issue', 'list', 'deploy', 'sandbox', 'renew', 'doctor']) assert.match(r.stderr, new RegExp(`^ {2}${command} +\\S`, 'm'), command);
      assert.equal(r.stdout, '');
    });
  }

  it('a typo gets a suggestion', async () => {
    const r = await runCli(['isue', 'example.test'], { CERTDECK_HOME: home });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'isue' \(did you mean 'issue'\?\)/);
  });

  it('real commands still take their arguments and the root still has its options', async () => {
    const r = await runCli(['list', '--json'], { CERTDECK_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    const extra = await runCli(['list', 'extra'], { CERTDECK_HOME: home });
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /too many arguments for 'list'/);
  });
});
