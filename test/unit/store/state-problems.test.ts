import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/engine/core/clock.js';
import { Engine } from '../../../src/engine/engine.js';
import { livePaths, saveCertificate } from '../../../src/engine/store/cert-files.js';
import { makeCert, withHome } from './helpers.js';

const meta = { caId: 'sandbox', directoryUrl: 'https://127.0.0.1:14000/dir', keyType: 'ec-p256', savedAt: Date.UTC(2026, 0, 2) };

describe('the engine reports unreadable state to the views', () => {
  it('a corrupt meta.json and a corrupt journal become state problems in the snapshot', async () => {
    await withHome(async (paths) => {
      for (const name of ['good.test', 'bad.test']) {
        const c = makeCert([name]);
        await saveCertificate(paths, name, { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta });
      }
      await writeFile(livePaths(paths, 'bad.test').meta, '{ not json');
      await mkdir(paths.journalDir, { recursive: true });
      await writeFile(path.join(paths.journalDir, 'stuck.test.json'), '{"garbage": ');
      const engine = new Engine({ paths, clock: new ManualClock(), userAgent: 'test' });
      try {
        await engine.loadCertificates();
        const s = engine.getSnapshot();
        assert.deepEqual(Object.keys(s.certificates), ['good.test']);
        const problems = Object.values(s.stateProblems).map((p) => [p.certName, path.basename(p.file)]).sort();
        assert.deepEqual(problems, [['bad.test', 'meta.json'], ['stuck.test', 'stuck.test.json']]);
      } finally {
        await engine.close();
      }
    });
  });
});
