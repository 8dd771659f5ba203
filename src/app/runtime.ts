import path from 'node:path';
import { systemClock, type Clock } from '../engine/core/clock.js';
import { Engine } from '../engine/engine.js';
import { resolveStatePaths } from '../engine/store/paths.js';
import { readSettings } from '../engine/store/settings-file.js';
import { packageVersion } from '../engine/core/package-root.js';
import { openStorage } from '../engine/store/select-storage.js';

/**
 * The composition root: the one place that reads the environment, resolves where state lives, reads the
 * operator's settings (config.json, once) and picks real implementations (system clock, the storage backend). Every command and the
 * dashboard get their Engine from here and talk to nothing else; the engine itself never looks at process.env.
 *
 * Rejects with a ConfigError naming the file when the settings file is broken (nothing is changed then).
 */
export interface Runtime {
  engine: Engine;
  clock: Clock;
  /** The state home (what CERTDECK_HOME names, or the platform's data dir), for messages that say where things are. */
  home: string;
}

export interface RuntimeOptions {
  /** Run a certificate's deploy targets after each issuance. @default true */
  deployAfterIssue?: boolean;
  /** Another clock (a test's fixed "now"). @default the system clock */
  clock?: Clock;
}

export async function createRuntime(env: NodeJS.ProcessEnv, opts: RuntimeOptions = {}): Promise<Runtime> {
  const paths = resolveStatePaths(env);
  const settings = await readSettings(paths);
  const clock = opts.clock ?? systemClock;
  // CERTDECK_STORAGE wins over the `storage` setting; neither means the files under the state home.
  const { storage, locker } = await openStorage(paths, {
    spec: env.CERTDECK_STORAGE ?? settings.storage,
    source: env.CERTDECK_STORAGE ? 'CERTDECK_STORAGE' : 'the storage setting',
    ...(env.CERTDECK_STORAGE_CA_FILE ? { caFile: env.CERTDECK_STORAGE_CA_FILE } : {}),
    ...(env.CERTDECK_STORAGE_KEY_FILE ? { keyFile: env.CERTDECK_STORAGE_KEY_FILE } : {}),
  });
  const engine = new Engine({ paths, storage, locker, clock, settings, env, userAgent: `certdeck/${packageVersion()}`, deployAfterIssue: opts.deployAfterIssue ?? true });
  return { engine, clock, home: path.dirname(paths.liveDir) };
}
