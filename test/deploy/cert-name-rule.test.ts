import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ndjson, runCli } from '../support/cli.js';

/**
 * One certificate-name rule: `deploy add` refuses exactly the names `issue` refuses. Both entry points are driven
 * through the built CLI with the same table, so a second rule creeping back into either path shows up here.
 * `issue` is pointed at a CA id that does not exist: a name it accepts then fails on the CA (unknown-ca), a name it
 * refuses fails before that (bad-cert-name), and nothing reaches the network either way.
 */

const NAMES: Array<{ name: string; accepted: boolean }> = [
  { name: 'example.com', accepted: true },
  { name: 'Example.COM', accepted: true },
  { name: 'www.example.com', accepted: true },
  { name: 'my_cert@2+x', accepted: true },
  { name: 'a'.repeat(100), accepted: true },
  { name: 'a'.repeat(101), accepted: false },
  { name: 'a'.repeat(201), accepted: false },
  { name: 'a b', accepted: false },
  { name: 'tab\tname', accepted: false },
  { name: '-x', accepted: false },
  { name: '.hidden', accepted: false },
  { name: 'a/b', accepted: false },
  { name: '../etc', accepted: false },
  { name: 'a\\b', accepted: false },
  { name: 'a..b', accepted: false },
  { name: 'café.example', accepted: false },
  { name: '*.example.com', accepted: false },
  { name: 'name;rm', accepted: false },
];

let home: string;
let outDir: string;
before(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'certdeck-names-'));
  outDir = path.join(home, 'out');
  await mkdir(outDir);
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Whether `issue` took the name: its one result failed on the CA id, not on the name. */
async function issueAccepts(name: string): Promise<boolean> {
  const r = await runCli(['issue', 'example.test', `--name=${name}`, '--ca', 'no-such-ca', '--json'], { CERTDECK_HOME: home });
  const summary = ndjson(r.stdout).find((e) => e.type === 'summary') as { results?: Array<{ error?: { code?: string } }> } | undefined;
  const code = summary?.results?.[0]?.error?.code;
  assert.ok(code === 'unknown-ca' || code === 'bad-cert-name', `issue ${JSON.stringify(name)} ended with ${code}:\n${r.stdout}${r.stderr}`);
  return code === 'unknown-ca';
}

/** Whether `deploy add` took the name: it saved a target (exit 0) rather than refusing the name. */
async function deployAddAccepts(name: string): Promise<boolean> {
  // Options before `--`, so a name starting with '-' reaches the command as the name, not as a flag.
  const r = await runCli(['deploy', 'add', '--dir', outDir, '--', name, 'files'], { CERTDECK_HOME: home });
  if (r.code === 0) return true;
  assert.match(r.stderr, /is not a valid certificate name/, `deploy add ${JSON.stringify(name)} failed for another reason:\n${r.stderr}`);
  assert.equal(r.code, 2, 'a refused name is bad input (exit 2)');
  return false;
}

describe('deploy add and issue apply the same certificate-name rule', () => {
  for (const { name, accepted } of NAMES) {
    const shown = name.length > 24 ? `${name.slice(0, 8)}… (${name.length} chars)` : JSON.stringify(name);
    it(`${accepted ? 'both accept' : 'both refuse'} ${shown}`, async () => {
      const [byIssue, byDeploy] = await Promise.all([issueAccepts(name), deployAddAccepts(name)]);
      assert.equal(byIssue, accepted, `issue ${accepted ? 'refused' : 'accepted'} it`);
      assert.equal(byDeploy, accepted, `deploy add ${accepted ? 'refused' : 'accepted'} it`);
    });
  }
});
