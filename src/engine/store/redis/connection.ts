import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { ConfigError, EngineError, NetworkError } from '../../core/errors.js';
import { redactUrl } from '../storage.js';

/** Every certdeck key in Redis starts with this, so one Redis can hold other things too. */
export const PREFIX = 'certdeck:';
/** Where a node publishes the key of each certificate write; `certdeck sync --watch` listens here. */
export const CHANGES_CHANNEL = `${PREFIX}changes`;

export interface RedisConnectionOptions {
  url: string;
  /** PEM CA bundle that signs the server's certificate (rediss://). */
  caFile?: string;
}

/**
 * One client per process, connected before anything else runs: a Redis that cannot be reached fails the command at
 * once with a network error (exit 4), and no command ever falls back to local files.
 */
export async function connectRedis(opts: RedisConnectionOptions): Promise<Redis> {
  const shown = redactUrl(opts.url);
  let tls: { ca: Buffer } | undefined;
  if (opts.caFile) {
    try {
      tls = { ca: readFileSync(opts.caFile) };
    } catch (err) {
      throw new ConfigError('storage-ca-unreadable', `The CA bundle ${opts.caFile} (CERTDECK_STORAGE_CA_FILE) cannot be read: ${(err as Error).message}.`, 'Point it at the PEM file of the CA that signed the Redis server certificate.', err);
    }
  }
  const client = new Redis(opts.url, {
    lazyConnect: true,
    connectTimeout: 5000,
    // A command waits through a short reconnect (a Redis restart), then fails instead of hanging a cron job.
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => (attempt > 10 ? null : Math.min(attempt * 200, 1000)),
    ...(tls ? { tls } : {}),
  });
  // ioredis reports connection trouble as events too; the commands' rejections are what we act on.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw unreachable(shown, err);
  }
  return client;
}

/** A failed command as a certdeck error: ours (fencing, encryption) pass through, the rest is the network. */
export function redisError(url: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  return unreachable(redactUrl(url), err);
}

function unreachable(shown: string, err: unknown): NetworkError {
  const detail = err instanceof Error ? err.message : String(err);
  return new NetworkError(
    `The shared storage ${shown} cannot be reached (${detail}).`,
    'Check that Redis runs and this node can reach it (address, port, password, TLS); certdeck never falls back to local files in Redis mode.',
    err,
  );
}
