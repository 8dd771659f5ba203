import { lstat, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DeployTarget } from '../deploy/types.js';
import { normalizeTarget } from '../deploy/target-schema.js';
import { saveTargets, targetsFilePath } from '../deploy/target-store.js';
import { accountDir, saveAccount } from '../store/accounts.js';
import { errnoCode, writeFileAtomic } from '../store/atomic.js';
import { archiveDir, saveCertificate } from '../store/cert-files.js';
import type { StatePaths } from '../store/paths.js';
import { storedRequestKey, writeStoredRequest } from '../store/stored-request.js';
import { FileStorage } from '../store/file-storage.js';
import type { Planned } from './plan.js';
import type { FoundDeployTarget, ImportClient, ImportResult } from './types.js';

/**
 * Copies what the plan says into the certdeck home, all or nothing: every path it is about to create or replace is
 * remembered first, and when any step fails everything written so far is undone (new files and directories
 * removed, replaced files restored), so a failed import leaves the home as it was. Each file itself is written
 * atomically (temp file, fsync, rename) by the store functions, keys 0600.
 */
export async function applyPlanned(paths: StatePaths, planned: Planned, now: number, log: (message: string) => void): Promise<ImportResult> {
  const undo = new Undo();
  const imported: ImportResult['imported'] = { certificates: [], accounts: [] };
  const at = new Date(now).toISOString();
  try {
    for (const { planned: a, found } of planned.accounts) {
      if (a.action !== 'import' || !found.keyPem || !found.directoryUrl || !found.accountUrl) continue;
      await undo.path(accountDir(paths, found.directoryUrl, found.email));
      // The other client agreed to the CA's terms when it registered; certdeck only takes over the account.
      await saveAccount(paths, {
        directoryUrl: found.directoryUrl,
        ...(found.email ? { email: found.email } : {}),
        keyPem: found.keyPem,
        accountUrl: found.accountUrl,
        tosAgreed: true,
        createdAt: at,
      });
      imported.accounts.push(a.accountId!);
      log(`imported the ${planned.plan.client} account ${found.sourceId} as ${a.accountId} (${found.accountUrl})`);
    }
    for (const { planned: c, found } of planned.certificates) {
      if (c.action !== 'import' || !found.certPem || !found.keyPem) continue;
      await undo.path(path.join(archiveDir(paths), c.certName));
      await undo.path(path.join(paths.liveDir, c.certName));
      const account = c.request?.account ? planned.accounts.find((a) => a.planned.accountId === c.request!.account)?.found.accountUrl : undefined;
      const saved = await saveCertificate(paths, c.certName, {
        certPem: found.certPem,
        chainPem: found.chainPem ?? '',
        keyPem: found.keyPem,
        meta: {
          domains: c.domains,
          caId: c.request?.ca && !c.request.ca.includes('://') ? c.request.ca : 'imported',
          directoryUrl: found.directoryUrl ?? '',
          ...(account ? { accountUrl: account } : {}),
          keyType: c.request?.keyType ?? 'unknown',
          savedAt: now,
        },
      });
      undo.add(() => rm(saved.versionDir, { recursive: true, force: true }));
      if (c.request) {
        await undo.path(new FileStorage(paths).locate(storedRequestKey(c.certName)));
        await writeStoredRequest(paths, { formatVersion: 1, certName: c.certName, domains: c.domains, ...c.request, savedAt: at });
      }
      if (c.deployTargets.length) {
        await undo.path(targetsFilePath(paths, c.certName));
        await saveTargets(paths, { version: 1, certName: c.certName, targets: deployTargets(planned.plan.client, c.deployTargets) });
      }
      imported.certificates.push(c.certName);
      log(`imported ${c.certName} from ${planned.plan.client} (${c.sourceFile}): serial ${c.serial}, ${c.domains.join(', ')}`);
    }
  } catch (err) {
    await undo.run();
    throw err;
  }
  return { plan: planned.plan, imported };
}

/** The hooks as command targets, after the files targets they may depend on (a reload reads the installed files). */
function deployTargets(client: ImportClient, found: FoundDeployTarget[]): DeployTarget[] {
  const ordered = [...found.filter((t) => t.kind === 'files'), ...found.filter((t) => t.kind === 'command')];
  const count: Record<string, number> = {};
  return ordered.map((t, i) => {
    count[t.kind] = (count[t.kind] ?? 0) + 1;
    const common = { id: `${t.kind}-${count[t.kind]}`, label: `${client}: ${t.from}`.slice(0, 120) };
    return normalizeTarget(
      t.kind === 'files'
        ? { ...common, kind: 'files', paths: t.paths, continueOnFailure: false }
        : { ...common, kind: 'command', argv: t.argv },
      `imported target ${i}`,
    );
  });
}

/** What to put back: paths that did not exist are removed, files that did are restored. */
class Undo {
  private readonly steps: Array<() => Promise<void>> = [];

  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  async path(p: string): Promise<void> {
    let existed = true;
    try {
      await lstat(p);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      existed = false;
    }
    if (!existed) {
      // The highest directory the write will create goes, so no empty parent (accounts/<ca>/) is left behind.
      let top = p;
      while (path.dirname(top) !== top && !(await exists(path.dirname(top)))) top = path.dirname(top);
      this.steps.push(() => rm(top, { recursive: true, force: true }));
      return;
    }
    const st = await lstat(p);
    if (st.isFile()) {
      const before = await readFile(p);
      this.steps.push(() => writeFileAtomic(p, before, { mode: st.mode & 0o777 }));
    }
    // An existing directory (archive/<name> with old versions, an account directory) is only added to: a
    // certificate or account is planned for import only when certdeck has none under that name.
  }

  async run(): Promise<void> {
    for (const step of this.steps.reverse()) await step().catch(() => undefined);
  }
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}
