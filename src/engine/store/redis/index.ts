import type { StorageBackend } from '../select-storage.js';
import { connectRedis } from './connection.js';
import { RedisLocker } from './redis-locker.js';
import { RedisStorage } from './redis-storage.js';
import { SecretBox } from './secret-box.js';

export interface RedisBackendOptions {
  url: string;
  caFile?: string;
  /** Seals private keys (CERTDECK_STORAGE_KEY_FILE); without it certdeck refuses to store them in Redis. */
  keyFile?: string;
  leaseMs?: number;
}

/** Loaded only in Redis mode (select-storage.ts imports this module lazily). */
export async function openRedisBackend(opts: RedisBackendOptions): Promise<StorageBackend> {
  const box = opts.keyFile ? SecretBox.fromFile(opts.keyFile) : undefined;
  const client = await connectRedis({ url: opts.url, ...(opts.caFile ? { caFile: opts.caFile } : {}) });
  const storage = new RedisStorage(client, opts.url, box);
  const locker = new RedisLocker(client, opts.url, storage, opts.leaseMs === undefined ? {} : { leaseMs: opts.leaseMs });
  return { storage, locker };
}
