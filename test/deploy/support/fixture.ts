import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EngineEvent } from '../../../src/engine/events.js';
import { pathsUnder, type StatePaths } from '../../../src/engine/store/paths.js';
import { makeCa, makeLeaf, writeLive, type TestCa, type TestKeyType, type TestLeaf } from './test-pki.js';

/**
 * A throw-away certdeck home with one live certificate, an event recorder, and helpers for hook scripts.
 * `cleanup` is registered with the test's `after` hook by the caller so it runs even when the test fails.
 */
export interface DeployFixture {
  root: string;
  paths: StatePaths;
  certName: string;
  domains: string[];
  ca: TestCa;
  leaf: TestLeaf;
  events: EngineEvent[];
  emit: (e: EngineEvent) => void;
  /** A new directory under the fixture root. */
  dir(name: string): Promise<string>;
  /** An executable /bin/sh script under the fixture root. */
  script(name: string, body: string): Promise<string>;
  /** Replaces the live certificate with a fresh leaf (a renewal). */
  renew(kind?: TestKeyType): Promise<TestLeaf>;
  /** Resolves when an event matching `pred` has been emitted (checks past events first). */
  waitFor(pred: (e: EngineEvent) => boolean, timeoutMs?: number): Promise<EngineEvent>;
  cleanup(): Promise<void>;
}

export async function makeFixture(opts: { domains?: string[]; keyType?: TestKeyType; certName?: string } = {}): Promise<DeployFixture> {
  const root = await mkdtemp(path.join(tmpdir(), 'certdeck-deploy-'));
  const paths = pathsUnder(path.join(root, 'home'));
  const domains = opts.domains ?? ['a.test', 'b.test', 'c.test'];
  const certName = opts.certName ?? 'site';
  const ca = await makeCa();
  let leaf = await makeLeaf(ca, domains, opts.keyType ?? 'ec');
  await writeLive(paths, certName, leaf, domains);
  const events: EngineEvent[] = [];
  const waiters = new Set<() => void>();
  const fixture: DeployFixture = {
    root,
    paths,
    certName,
    domains,
    ca,
    get leaf() {
      return leaf;
    },
    events,
    emit: (e) => {
      events.push(e);
      for (const w of [...waiters]) w();
    },
    async dir(name) {
      const d = path.join(root, name);
      await mkdir(d, { recursive: true });
      return d;
    },
    async script(name, body) {
      const file = path.join(root, 'scripts', name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `#!/bin/sh\n${body}\n`);
      await chmod(file, 0o755);
      return file;
    },
    async renew(kind = opts.keyType ?? 'ec') {
      leaf = await makeLeaf(ca, domains, kind);
      await writeLive(paths, certName, leaf, domains);
      return leaf;
    },
    waitFor(pred, timeoutMs = 10_000) {
      return new Promise<EngineEvent>((resolve, reject) => {
        const check = (): boolean => {
          const hit = events.find(pred);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
            return true;
          }
          return false;
        };
        // Real-time bound on the test itself, not on the code under test.
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`event not seen within ${timeoutMs}ms; got: ${events.map((e) => e.type).join(', ')}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  return fixture;
}

/** True when the process no longer exists (or is a zombie nobody has reaped yet: it runs no code either). */
export async function processGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return /\) Z /.test(stat);
}

export async function readPid(file: string, timeoutMs = 5_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (/^\d+\s*$/.test(text)) return Number(text);
    if (Date.now() > until) throw new Error(`no pid in ${file}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function targetEvents(events: EngineEvent[], targetId: string): Array<Extract<EngineEvent, { type: 'deploy:target' }>> {
  return events.filter((e): e is Extract<EngineEvent, { type: 'deploy:target' }> => e.type === 'deploy:target' && e.targetId === targetId);
}

/** The last whole-target status event for each target id. */
export function finalStatuses(events: EngineEvent[]): Record<string, { status: string; reason?: string }> {
  const out: Record<string, { status: string; reason?: string }> = {};
  for (const e of events) {
    if (e.type === 'deploy:target' && e.domain === undefined) out[e.targetId] = { status: e.status, ...(e.reason ? { reason: e.reason } : {}) };
  }
  return out;
}
