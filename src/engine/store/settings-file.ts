import { existsSync } from 'node:fs';
import path from 'node:path';
import type { StatePaths } from './paths.js';
import type { SettingsData } from './settings.js';

export function settingsFilePath(paths: StatePaths): string {
  return path.join(paths.configDir, 'config.json');
}

/**
 * The operator's settings for a run that only reads them. Without a settings file there is nothing to read, and
 * conf (with the JSON-schema compiler behind it, a good part of a cold start) is not loaded at all.
 */
export async function readSettings(paths: StatePaths): Promise<SettingsData> {
  if (!existsSync(settingsFilePath(paths))) return {};
  const { loadSettingsFile } = await import('./settings.js');
  return loadSettingsFile(paths);
}
