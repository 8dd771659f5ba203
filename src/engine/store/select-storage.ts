import { BadInputError } from '../core/errors.js';
import { FileLocker, FileStorage } from './file-storage.js';
import type { StatePaths } from './paths.js';
import { redactUrl, type Locker, type Storage } from './storage.js';

/** The storage backend and its locker, built together (a shared backend shares one connection between them). */
export interface StorageBackend {
  storage: Storage;
  locker: Locker;
}

export interface StorageSelection {
  /** "file", a redis:// or rediss:// URL; undefined means "file". */
  spec: string | undefined;
  /** Where spec came from, for error messages. */
  source: string;
  /** PEM CA bundle for rediss:// (CERTDECK_STORAGE_CA_FILE). */
  caFile?: string;
  /** 32-byte key file that encrypts private keys at rest in a shared backend (CERTDECK_STORAGE_KEY_FILE). */
  keyFile?: string;
}

/**
 * Builds the backend the operator chose. The Redis client is loaded only in Redis mode, so a file-mode start pays
 * nothing for it. A Redis that cannot be reached is an error (NetworkError), never a silent fallback to files: two
 * nodes writing separate local states would each order the same certificate.
 */
export async function openStorage(paths: StatePaths, sel: StorageSelection): Promise<StorageBackend> {
  const spec = sel.spec?.trim();
  if (spec === undefined || spec === '' || spec === 'file') {
    return { storage: new FileStorage(paths), locker: new FileLocker(paths) };
  }
  if (/^rediss?:\/\//i.test(spec)) {
    const { openRedisBackend } = await import('./redis/index.js');
    return openRedisBackend({ url: spec, ...(sel.caFile ? { caFile: sel.caFile } : {}), ...(sel.keyFile ? { keyFile: sel.keyFile } : {}) });
  }
  throw new BadInputError(
    'bad-storage',
    `${sel.source} is ${JSON.stringify(redactUrl(spec))}, which is not a storage certdeck knows.`,
    'Use "file" (the default) or a Redis URL: redis://[user:pass@]host:port/db, or rediss://… with CERTDECK_STORAGE_CA_FILE.',
  );
}
