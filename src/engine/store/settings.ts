import Conf from 'conf';
import type { Schema } from 'conf';
import type { ChallengeConfig } from '../api.js';
import { BadInputError, ConfigError, EngineError } from '../core/errors.js';
import type { KeyType } from '../events.js';
import type { PolicyOverride } from '../policy.js';
import { notificationsSchema, type NotificationsSettings } from '../notify/config.js';
import { storageError } from './atomic.js';
import type { StatePaths } from './paths.js';
import { settingsFilePath } from './settings-file.js';

/**
 * Operator preferences in `<configDir>/config.json`, read through conf's schema validation. Only small, rarely
 * changed things live here, edited by hand.
 *
 * conf can silently reset a file that fails to parse or validate (`clearInvalidConfig`); 15.x defaults it to false,
 * and we pin it to false: a hand-edited typo must be reported with the file name, never answered by forgetting every
 * setting.
 */

export interface CertificateSettings {
  ca?: string;
  fallback?: string[];
  policy?: PolicyOverride;
  challenge?: ChallengeConfig;
  keyType?: KeyType;
  email?: string;
}

export interface SettingsData {
  defaultEmail?: string;
  defaultKeyType?: KeyType;
  /** Catalog id or directory URL. */
  defaultCa?: string;
  /** CAs tried in order when the primary one runs out of deadline or retries. */
  fallbackCas?: string[];
  /** Per-CA policy overrides, keyed by CA id. */
  caPolicies?: Record<string, PolicyOverride>;
  certificates?: Record<string, CertificateSettings>;
  /** Webhook and command notifiers (src/engine/notify/). */
  notifications?: NotificationsSettings;
  /** Where shared state lives: "file" (the default) or a redis:// / rediss:// URL (CERTDECK_STORAGE wins). */
  storage?: string;
}

const KEY_TYPES: KeyType[] = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'];
const ms = { type: 'integer', minimum: 0 } as const;

const policySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    firstMs: ms,
    floorMs: ms,
    capMs: ms,
    factor: { type: 'number', minimum: 1 },
    jitter: { type: 'number', minimum: 0, maximum: 1 },
    maxRetries: { type: 'integer', minimum: 0 },
    hungAfterMs: ms,
    deadlines: {
      type: 'object',
      additionalProperties: false,
      properties: { authorization: ms, processing: ms, download: ms },
    },
  },
} as const;

const challengeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['method'],
  properties: {
    method: { enum: ['http-01-standalone', 'http-01-webroot', 'dns-01', 'tls-alpn-01'] },
    host: { type: 'string' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    webroot: { type: 'string', minLength: 1 },
    hook: { type: 'string', minLength: 1 },
    authHook: { type: 'string', minLength: 1 },
    cleanupHook: { type: 'string', minLength: 1 },
    hookTimeoutMs: ms,
    resolvers: { type: 'array', items: { type: 'string', minLength: 1 } },
    propagation: { enum: ['authoritative', 'resolvers', 'wait'] },
    propagationWaitMs: ms,
    propagationTimeoutMs: ms,
  },
} as const;

const caList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

const schema: Schema<SettingsData> = {
  defaultEmail: { type: 'string', format: 'email' },
  defaultKeyType: { enum: KEY_TYPES },
  defaultCa: { type: 'string', minLength: 1 },
  fallbackCas: caList,
  caPolicies: { type: 'object', additionalProperties: policySchema },
  certificates: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ca: { type: 'string', minLength: 1 },
        fallback: caList,
        policy: policySchema,
        challenge: challengeSchema,
        keyType: { enum: KEY_TYPES },
        email: { type: 'string', format: 'email' },
      },
    },
  },
  notifications: notificationsSchema as Schema<SettingsData>['notifications'],
  storage: { type: 'string', pattern: '^(file|rediss?://.+)$' },
};

/**
 * The file's settings, validated, for the engine: read once by the composition root. One conf instance, nothing
 * written, so a broken file is reported, never rewritten.
 */
export function loadSettingsFile(paths: StatePaths): SettingsData {
  return withoutInternal(guard(settingsFilePath(paths), () => new Conf<SettingsData>(confOptions(paths)).store));
}

/**
 * Changes one top-level setting through conf (schema-validated, atomic). Only what certdeck manages itself goes
 * through here (the notifiers `certdeck notify add` configures); everything else is the operator's to edit.
 */
export function updateSetting<K extends keyof SettingsData>(paths: StatePaths, key: K, value: SettingsData[K] | undefined): void {
  const file = settingsFilePath(paths);
  // Opened without migrations: conf would otherwise stamp its version into (and so rewrite) a broken file first.
  const conf = guard(file, () => new Conf<SettingsData>(confOptions(paths)));
  guard(file, () => conf.store); // a broken file is reported as such, not blamed on the new value
  try {
    if (value === undefined) conf.delete(key);
    else conf.set(key, value);
  } catch (err) {
    const message = (err as Error).message;
    if (message.startsWith('Config schema violation:')) {
      throw new BadInputError('bad-setting', `Invalid value for ${key}: ${message.replace('Config schema violation: ', '')}.`, 'Nothing was changed.');
    }
    throw guardError(file, err);
  }
}

function confOptions(paths: StatePaths) {
  return {
    cwd: paths.configDir,
    configName: 'config',
    schema,
    clearInvalidConfig: false,
    configFileMode: 0o600,
    // Certificate names contain dots ("example.com"): keys are literal, never paths.
    accessPropertiesByDotNotation: false,
  } as const;
}

/** conf keeps its own bookkeeping (the format version) in the same file. */
function withoutInternal(store: SettingsData): SettingsData {
  const { __internal__: _internal, ...data } = store as SettingsData & { __internal__?: unknown };
  return data;
}

function guard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw guardError(file, err);
  }
}

function guardError(file: string, err: unknown): Error {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const hint = `Fix it in an editor, or move it aside (mv ${file} ${file}.bad) to start from defaults; it holds only preferences, not keys or certificates.`;
  if (err instanceof SyntaxError) {
    return new ConfigError('config-invalid-json', `The settings file ${file} is not valid JSON (${message}).`, hint, err);
  }
  if (message.includes('Config schema violation:')) {
    return new ConfigError('config-invalid', `The settings file ${file} has invalid values: ${message.replace(/^.*Config schema violation: /, '')}.`, hint, err);
  }
  if (typeof err === 'object' && err !== null && 'code' in err) return storageError(err, file, 'read');
  return new ConfigError('config-unreadable', `The settings file ${file} cannot be used: ${message}`, hint, err);
}
