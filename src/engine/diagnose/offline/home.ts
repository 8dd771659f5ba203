import path from 'node:path';
import { EngineError } from '../../core/errors.js';
import { listAccounts } from '../../store/accounts.js';
import type { StatePaths } from '../../store/paths.js';
import { readSettings } from '../../store/settings-file.js';
import { settingsFilePath } from '../../store/settings-file.js';
import type { Finding } from '../types.js';
import { modeOf, octal, opensToOthers, secretFiles } from './fs-facts.js';

/** Checks of the state home as a whole, before any certificate: settings, accounts, permissions. */

const offline = (id: string, severity: Finding['severity'], seen: string, todo: string): Finding => ({ id, severity, tier: 'offline', seen, todo });

/** The data root (parent of live/), and the directories holding secrets, should be 0700. */
export async function checkHomePermissions(paths: StatePaths): Promise<Finding[]> {
  const root = path.dirname(paths.liveDir);
  const findings: Finding[] = [];
  for (const dir of [root, paths.accountsDir, paths.journalDir]) {
    const mode = await modeOf(dir);
    if (mode !== undefined && opensToOthers(mode)) {
      findings.push(
        offline(
          'home.permissions',
          'warning',
          `${dir} is mode ${octal(mode)}: other users can list (and may read) what is in it.`,
          `chmod 700 ${dir}   (certdeck creates its directories 0700; keys inside stay 0600 either way)`,
        ),
      );
    }
  }
  for (const file of await secretFiles(paths.accountsDir, paths.journalDir)) {
    const mode = await modeOf(file);
    if (mode !== undefined && opensToOthers(mode)) {
      findings.push(
        offline(
          'key.permissions',
          'error',
          `The secret ${file} is mode ${octal(mode)}: other users can read it.`,
          `chmod 600 ${file}; if untrusted users had access, treat the key as leaked (new account key, or revoke).`,
        ),
      );
    }
  }
  return findings;
}

export async function checkSettings(paths: StatePaths): Promise<Finding[]> {
  try {
    await readSettings(paths);
    return [];
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    return [offline('settings.invalid', 'error', `${settingsFilePath(paths)}: ${err.message}`, err.hint ?? `Fix or move aside ${settingsFilePath(paths)}.`)];
  }
}

export async function checkAccounts(paths: StatePaths): Promise<{ findings: Finding[]; note: string }> {
  try {
    const accounts = await listAccounts(paths);
    return { findings: [], note: `${accounts.length} account${accounts.length === 1 ? '' : 's'} readable` };
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    return { findings: [offline('account.corrupt', 'error', err.message, err.hint ?? 'Move the broken account record aside.')], note: '' };
  }
}
