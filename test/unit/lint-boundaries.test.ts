import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The import-boundary check (`npm run lint`, .dependency-cruiser.cjs) run the way CI runs it, on the real tree and
 * on planted trees that mirror src/: a check that never fails would pass the real tree too, so each rule is shown
 * failing on a forbidden import, and the allowed imports next to it are shown passing.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

/**
 * A command file that has a temporary exception (a rule whose `from` is one exact file), if any are left: such a
 * file must still fail on any import beyond its listed pairs. None once the front-door work has landed.
 */
const { forbidden } = createRequire(import.meta.url)(CONFIG) as { forbidden: Array<{ from: { path?: string } }> };
const EXCEPTED_COMMAND = forbidden
  .map((rule) => rule.from.path)
  .filter((p): p is string => typeof p === 'string' && /^\^src\/commands\/.+\$$/.test(p))
  .map((p) => p.slice(1, -1).replace(/\\(.)/g, '$1'))[0];

interface Result {
  code: number;
  output: string;
}

function depcruise(cwd: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    // No shell: the pinned node runs the CLI's own entry with an argument array.
    execFile(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'err'], { cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, output: stdout + stderr });
    });
  });
}

/** A throw-away project: the given files under src/, the repository's tsconfig, and its node_modules (for 'react'). */
async function plantTree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certdeck-lint-'));
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }));
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

/** The modules the planted imports point at, so every import resolves and only the rules decide. */
const TARGETS: Record<string, string> = {
  'src/tui/widget.ts': 'export const widget = 1;\n',
  'src/app/runtime.ts': 'export const runtime = 1;\n',
  'src/headless/reporters.ts': 'export const reporters = 1;\n',
  'src/engine/api.ts': 'export type Api = number;\n',
  'src/engine/state.ts': 'export type Snapshot = number;\n',
  'src/engine/core/duration.ts': 'export const formatSpan = (ms: number): string => `${ms}ms`;\n',
  'src/engine/store/paths.ts': 'export const paths = 1;\n',
  'src/engine/store/cert-files.ts': 'export const certFiles = 1;\n',
  'src/engine/acme/session.ts': 'export const session = 1;\n',
  'src/engine/deploy/index.ts': 'export const deploy = 1;\n',
};

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('import-boundary check', () => {
  it('passes on the real source tree', async () => {
    const r = await depcruise(ROOT);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /no dependency violations found/);
  });

  describe('on a tree with one forbidden import per rule', () => {
    let result: Result;
    before(async () => {
      const dir = await plantTree({
        ...TARGETS,
        'src/engine/x.ts': "import { widget } from '../tui/widget.js';\nexport const x = widget;\n",
        'src/engine/uses-app.ts': "import { runtime } from '../app/runtime.js';\nexport const y = runtime;\n",
        'src/engine/uses-react.ts': "import { createElement } from 'react';\nexport const z = createElement;\n",
        'src/tui/view.ts':
          "import type { Snapshot } from '../engine/state.js';\nimport { paths } from '../engine/store/paths.js';\nexport const v = (s: Snapshot): number => s + paths;\n",
        'src/tui/uses-headless.ts': "import { reporters } from '../headless/reporters.js';\nexport const h = reporters;\n",
        'src/commands/cmd.ts':
          "import { runtime } from '../app/runtime.js';\nimport type { Api } from '../engine/api.js';\nimport { certFiles } from '../engine/store/cert-files.js';\nexport const c = (a: Api): number => a + runtime + certFiles;\n",
        // A file with a temporary exception may still import nothing beyond its listed pairs.
        ...(EXCEPTED_COMMAND === undefined ? {} : { [EXCEPTED_COMMAND]: "import { session } from '../engine/acme/session.js';\nexport const l = session;\n" }),
      });
      dirs.push(dir);
      result = await depcruise(dir);
    });

    it('fails', () => {
      assert.notEqual(result.code, 0, result.output);
    });

    it('names the rule and the import for each forbidden one', () => {
      const expected = [
        'engine-stays-inside: src/engine/x.ts → src/tui/widget.ts',
        'engine-stays-inside: src/engine/uses-app.ts → src/app/runtime.ts',
        // The planted tree links the repository's node_modules, so the path shown is the real one, wherever it is.
        'engine-has-no-react: src/engine/uses-react.ts → ',
        'tui-uses-engine-api-only: src/tui/view.ts → src/engine/store/paths.ts',
        'tui-not-above-itself: src/tui/uses-headless.ts → src/headless/reporters.ts',
        'commands-use-app-and-engine-api-only: src/commands/cmd.ts → src/engine/store/cert-files.ts',
        ...(EXCEPTED_COMMAND === undefined ? [] : [`commands-use-app-and-engine-api-only: ${EXCEPTED_COMMAND} → src/engine/acme/session.ts`]),
      ];
      for (const line of expected) assert.ok(result.output.includes(line), `missing "${line}" in:\n${result.output}`);
      assert.match(result.output, /engine-has-no-react: src\/engine\/uses-react\.ts → \S*node_modules\/react\//);
      assert.ok(result.output.includes(`${expected.length} dependency violations`), result.output);
    });

    it('lets the allowed imports next to them through', () => {
      for (const allowed of ['src/tui/view.ts → src/engine/state.ts', 'src/commands/cmd.ts → src/app/runtime.ts', 'src/commands/cmd.ts → src/engine/api.ts']) {
        assert.ok(!result.output.includes(allowed), `"${allowed}" was reported:\n${result.output}`);
      }
    });
  });

  it('passes a planted tree that keeps to the rules', async () => {
    const dir = await plantTree({
      ...TARGETS,
      'src/engine/core/uses-core.ts': "import { formatSpan } from './duration.js';\nexport const d = formatSpan(1);\n",
      'src/tui/view.ts': "import type { Snapshot } from '../engine/state.js';\nimport { formatSpan } from '../engine/core/duration.js';\nexport const v = (s: Snapshot): string => formatSpan(s);\n",
      'src/commands/cmd.ts':
        "import { runtime } from '../app/runtime.js';\nimport { reporters } from '../headless/reporters.js';\nimport type { Api } from '../engine/api.js';\nexport const c = (a: Api): number => a + runtime + reporters;\n",
    });
    dirs.push(dir);
    const r = await depcruise(dir);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /no dependency violations found/);
  });
});
