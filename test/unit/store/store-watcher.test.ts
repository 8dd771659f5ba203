import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { systemClock } from '../../../src/engine/core/clock.js';
import { Engine } from '../../../src/engine/engine.js';
import { saveCertificate } from '../../../src/engine/store/cert-files.js';
import { makeCert, withHome } from './helpers.js';

const meta = { caId: 'sandbox', directoryUrl: 'https://127.0.0.1:14000/dir', keyType: 'ec-p256' as const, savedAt: Date.now() };

/** Resolves once the engine's snapshot satisfies `ok` (or fails after `ms`): "within a few seconds", not a timing. */
function until(engine: Engine, ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ok()) return resolve();
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`not seen within ${ms} ms: ${what}`));
    }, ms);
    const stop = engine.subscribe(() => {
      if (!ok()) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

describe('Engine.watchStore: changes by other processes in the same state home', () => {
  it('a certificate saved, renewed and removed by someone else shows up in the snapshot', async () => {
    await withHome(async (paths) => {
      // The dashboard's engine: its home has no live/ yet (a fresh machine).
      const engine = new Engine({ paths, clock: systemClock, userAgent: 'test' });
      await engine.loadCertificates();
      const stop = engine.watchStore({ pollMs: 300 });
      try {
        const first = makeCert(['other.test'], { days: 90 });
        await saveCertificate(paths, 'other.test', { certPem: first.certPem, chainPem: '', keyPem: first.keyPem, meta });
        await until(engine, () => engine.getSnapshot().certificates['other.test'] !== undefined, 'new certificate');
        const serial = engine.getSnapshot().certificates['other.test']!.serial;

        const renewed = makeCert(['other.test'], { days: 90 });
        await saveCertificate(paths, 'other.test', { certPem: renewed.certPem, chainPem: '', keyPem: renewed.keyPem, meta });
        await until(engine, () => engine.getSnapshot().certificates['other.test']?.serial !== serial, 'renewed certificate');

        await rm(`${paths.liveDir}/other.test`, { force: true, recursive: true });
        await until(engine, () => engine.getSnapshot().certificates['other.test'] === undefined, 'removed certificate');
      } finally {
        stop();
        await engine.close();
      }
    });
  });

  it('refresh() re-reads at once, and announces only what changed', async () => {
    await withHome(async (paths) => {
      const engine = new Engine({ paths, clock: systemClock, userAgent: 'test' });
      const c = makeCert(['a.test'], { days: 90 });
      await saveCertificate(paths, 'a.test', { certPem: c.certPem, chainPem: '', keyPem: c.keyPem, meta });
      const seen: string[] = [];
      engine.onEvent((e) => seen.push(e.type));
      await engine.refresh();
      assert.deepEqual(seen, ['certificate:known']);
      await engine.refresh();
      assert.deepEqual(seen, ['certificate:known'], 'nothing changed, nothing announced');
      await engine.close();
    });
  });
});
