import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { buildProgram } from '../../../src/commands/program.js';
import { completionScript, SHELLS, type Shell } from '../../../src/commands/completion.js';
import { CLI } from '../../support/cli.js';

const run = promisify(execFile);
const has = (shell: string): boolean => existsSync(`/usr/bin/${shell}`) || existsSync(`/bin/${shell}`);

/** Every command path and its long options, walked from the program (what the scripts must all know). */
function walk(cmd: Command, prefix: string[] = []): Array<{ path: string[]; options: string[] }> {
  return cmd.commands.flatMap((c) => {
    const p = [...prefix, c.name()];
    return [{ path: p, options: c.options.map((o) => o.long).filter((l): l is string => Boolean(l)) }, ...walk(c, p)];
  });
}

describe('certdeck completion bash|zsh|fish', () => {
  let dir: string;
  const scripts: Partial<Record<Shell, string>> = {};
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-completion-'));
    for (const shell of SHELLS) {
      scripts[shell] = path.join(dir, `certdeck.${shell}`);
      await writeFile(scripts[shell], completionScript(buildProgram('0.0.0-test'), shell));
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is generated from the program: every command and option is in every script, and a new one appears', () => {
    const program = buildProgram('0.0.0-test');
    program.command('frobnicate').description('a command added later').option('--wobble <n>', 'how much');
    for (const shell of SHELLS) {
      const text = completionScript(program, shell);
      for (const c of walk(program)) {
        assert.ok(text.includes(c.path.at(-1)!), `${shell}: ${c.path.join(' ')}`);
        for (const o of c.options) assert.ok(text.includes(shell === 'fish' ? `-l ${o.slice(2)}` : o), `${shell}: ${c.path.join(' ')} ${o}`);
      }
      assert.match(text, /frobnicate/);
      assert.match(text, /wobble/);
    }
  });

  it('bash: completes commands, subcommands, options, and option choices', { skip: has('bash') ? false : 'bash is not installed' }, async () => {
    const complete = async (...words: string[]): Promise<string[]> => {
      const script = `source ${JSON.stringify(scripts.bash)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; _certdeck; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return (await run('bash', ['--norc', '-c', script])).stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual(await complete('certdeck', 'no'), ['notify']);
    assert.deepEqual(await complete('certdeck', 'notify', ''), ['add', 'list', 'remove', 'test']);
    assert.deepEqual(await complete('certdeck', 'notify', 'add', 'webhook', '--secret-'), ['--secret-file', '--secret-env']);
    assert.deepEqual(await complete('certdeck', 'issue', 'a.test', '--key-type', 'rsa-2'), ['rsa-2048']);
    assert.deepEqual(await complete('certdeck', 'deploy', 'add', 'x', ''), ['files', 'command', 'pfx', 'verify']);
  });

  it('zsh: parses, and offers the same words to the completion system', { skip: has('zsh') ? false : 'zsh is not installed' }, async () => {
    await run('zsh', ['-n', scripts.zsh!]);
    // The completion system's builtins, stubbed to print what they were offered.
    const stubs = 'compdef() { :; }; _describe() { shift 3; print -l -- ${(P)1}; }; compadd() { shift; print -l -- "$@"; }; _files() { print FILES; }';
    const complete = async (...words: string[]): Promise<string[]> => {
      const script = `${stubs}; source ${JSON.stringify(scripts.zsh)}; words=(${words.map((w) => JSON.stringify(w)).join(' ')}); CURRENT=${words.length}; PREFIX=${JSON.stringify(words.at(-1))}; _certdeck`;
      return (await run('zsh', ['-f', '-c', script])).stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual((await complete('certdeck', 'notify', '')).map((l) => l.split(':')[0]), ['add', 'list', 'remove', 'test']);
    assert.ok((await complete('certdeck', 'notify', 'list', '--')).includes('--json:print JSON'));
    assert.deepEqual(await complete('certdeck', 'issue', '--key-type', ''), ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096']);
    assert.deepEqual(await complete('certdeck', 'notify', 'add', 'webhook', '--secret-file', ''), ['FILES']);
  });

  it('fish: completes commands with descriptions, subcommand options, choices', { skip: has('fish') ? false : 'fish is not installed' }, async () => {
    await run('fish', ['-n', scripts.fish!]);
    const complete = async (line: string): Promise<string[]> =>
      (await run('fish', ['--no-config', '-c', `source ${JSON.stringify(scripts.fish)}; complete -C ${JSON.stringify(line)}`])).stdout.split('\n').filter(Boolean);
    assert.ok((await complete('certdeck ')).some((l) => /^notify\t/.test(l)));
    assert.deepEqual((await complete('certdeck notify add webhook --secret-')).map((l) => l.split('\t')[0]), ['--secret-env', '--secret-file']);
    assert.deepEqual((await complete('certdeck issue --key-type rsa-3')).map((l) => l.split('\t')[0]), ['rsa-3072']);
  });

  it('the CLI prints the script and refuses an unknown shell', async () => {
    const r = await run(process.execPath, [CLI, 'completion', 'fish']);
    assert.match(r.stdout, /^# certdeck completion for fish/);
    const bad = await run(process.execPath, [CLI, 'completion', 'tcsh']).catch((err: { code: number; stderr: string }) => err);
    assert.equal((bad as { code: number }).code, 2);
    assert.match((bad as { stderr: string }).stderr, /bash, zsh, fish/);
  });
});
