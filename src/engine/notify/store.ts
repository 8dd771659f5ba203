import { BadInputError } from '../core/errors.js';
import { readSettings } from '../store/settings-file.js';
import type { StatePaths } from '../store/paths.js';
import { checkNotifier, type NotifierInput } from './config.js';
import type { NotifierConfig } from './types.js';

/**
 * The notifier list lives in the settings file's `notifications` section. It is read fresh for every event (a
 * `notify add` in another shell applies to the next renewal of a running dashboard) and written through conf.
 */

export async function loadNotifiers(paths: StatePaths): Promise<NotifierConfig[]> {
  return (await readSettings(paths)).notifications?.notifiers ?? [];
}

export async function addNotifier(paths: StatePaths, input: NotifierInput, env: NodeJS.ProcessEnv): Promise<{ config: NotifierConfig; warnings: string[] }> {
  const { updateSetting } = await import('../store/settings.js');
  const section = (await readSettings(paths)).notifications ?? {};
  const checked = await checkNotifier(input, section.notifiers ?? [], env);
  updateSetting(paths, 'notifications', { ...section, notifiers: [...(section.notifiers ?? []), checked.config] });
  return checked;
}

export async function removeNotifier(paths: StatePaths, id: string): Promise<NotifierConfig> {
  const { updateSetting } = await import('../store/settings.js');
  const section = (await readSettings(paths)).notifications ?? {};
  const notifiers = section.notifiers ?? [];
  const gone = notifiers.find((n) => n.id === id);
  if (!gone) throw new BadInputError('no-such-notifier', `there is no notifier "${id}"`, 'See the ids with: certdeck notify list');
  const left = notifiers.filter((n) => n !== gone);
  updateSetting(paths, 'notifications', left.length ? { ...section, notifiers: left } : undefined);
  return gone;
}
