import type { Redis } from 'ioredis';
import { ConfigError, StorageError } from '../../core/errors.js';
import { assertKey, redactUrl, type KeyInfo, type Storage, type StorageInfo, type StoreOptions } from '../storage.js';
import { CHANGES_CHANNEL, PREFIX, redisError } from './connection.js';
import type { SecretBox } from './secret-box.js';

/**
 * Stores a value (hash: v = value, m = ms modified, e = "1" when encrypted) if the writer's fencing token is still
 * the newest for the certificate the key belongs to, then announces the key. KEYS: value, fence (may not exist);
 * ARGV: value, modified, encrypted, fence ("" = unfenced), key.
 */
const FENCED_STORE = `
if ARGV[4] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[4] then
  return redis.error_reply('FENCED newer lock ' .. tostring(redis.call('GET', KEYS[2])))
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'm', ARGV[2], 'e', ARGV[3])
redis.call('PUBLISH', '${CHANGES_CHANNEL}', ARGV[5])
return 1`;

const FENCED_DELETE = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return redis.error_reply('FENCED newer lock ' .. tostring(redis.call('GET', KEYS[2])))
end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', '${CHANGES_CHANNEL}', ARGV[2])
return 1`;

/** The certificate a key belongs to (whose lock fences writes to it), or undefined for shared, unfenced state. */
export function certificateOfKey(key: string): string | undefined {
  const [top, second, third] = key.split('/');
  if (top === 'requests' && second?.endsWith('.json') && third === undefined) return second.slice(0, -'.json'.length);
  if (top === 'journal' && second !== undefined && third === undefined) {
    const m = /^(.+?)(?:\.\d+\.key|\.json)$/.exec(second);
    return m?.[1];
  }
  if ((top === 'certificates' || top === 'history') && second !== undefined) return second;
  return undefined;
}

export function fenceKey(purpose: string, certName: string): string {
  return `${PREFIX}fence:${purpose}:${certName}`;
}

/**
 * Storage in one Redis (no cluster, no Redlock: CertMagic's maintained Redis plugin does the same). Keys are
 * `certdeck:k:<key>`; listing walks SCAN over the prefix. Private keys are sealed with the operator's storage key,
 * and storing one without it is refused.
 */
export class RedisStorage implements Storage {
  /** The fencing token this process holds per certificate, set by the locker while it holds the lock. */
  readonly heldFences = new Map<string, string>();

  constructor(
    private readonly client: Redis,
    private readonly url: string,
    private readonly box: SecretBox | undefined,
  ) {}

  info(): StorageInfo {
    return { kind: 'redis', location: redactUrl(this.url), encryptedSecrets: this.box !== undefined };
  }

  locate(key: string): string {
    return `${redactUrl(this.url)} key ${PREFIX}k:${assertKey(key)}`;
  }

  async store(key: string, value: string, opts: StoreOptions = {}): Promise<void> {
    assertKey(key);
    let stored = value;
    if (opts.secret) {
      if (!this.box) {
        throw new ConfigError(
          'storage-key-missing',
          `certdeck refuses to store the private key ${key} in ${redactUrl(this.url)} unencrypted.`,
          'Set CERTDECK_STORAGE_KEY_FILE to a file with 32 random bytes (openssl rand -base64 32), the same on every node.',
        );
      }
      stored = this.box.seal(key, value);
    }
    const cert = certificateOfKey(key);
    const fence = cert === undefined ? '' : (this.heldFences.get(cert) ?? '');
    await this.run(() => this.client.eval(FENCED_STORE, 2, `${PREFIX}k:${key}`, fenceKey('issue', cert ?? '-'), stored, String(Date.now()), opts.secret ? '1' : '0', fence, key), key);
  }

  async load(key: string): Promise<string | undefined> {
    const [v, e] = await this.run(() => this.client.hmget(`${PREFIX}k:${assertKey(key)}`, 'v', 'e'), key);
    if (v === null || v === undefined) return undefined;
    if (e !== '1') return v;
    if (!this.box) {
      throw new ConfigError('storage-key-missing', `The secret ${key} in ${redactUrl(this.url)} is encrypted and this node has no storage key.`, 'Set CERTDECK_STORAGE_KEY_FILE to the key file the other nodes use.');
    }
    return this.box.open(key, v);
  }

  async delete(key: string): Promise<void> {
    const cert = certificateOfKey(assertKey(key));
    const fence = cert === undefined ? '' : (this.heldFences.get(cert) ?? '');
    await this.run(() => this.client.eval(FENCED_DELETE, 2, `${PREFIX}k:${key}`, fenceKey('issue', cert ?? '-'), fence, key), key);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.run(() => this.client.exists(`${PREFIX}k:${assertKey(key)}`), key)) === 1;
  }

  async list(prefix: string, opts: { recursive?: boolean } = {}): Promise<string[]> {
    const base = `${PREFIX}k:${assertKey(prefix)}/`;
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.run(() => this.client.scan(cursor, 'MATCH', `${globEscape(base)}*`, 'COUNT', 500), prefix);
      cursor = next;
      for (const k of keys) {
        const rest = k.slice(base.length);
        found.add(opts.recursive ? `${prefix}/${rest}` : rest.split('/')[0]!);
      }
    } while (cursor !== '0');
    return [...found].sort();
  }

  async stat(key: string): Promise<KeyInfo | undefined> {
    const [v, m] = await this.run(() => this.client.hmget(`${PREFIX}k:${assertKey(key)}`, 'v', 'm'), key);
    if (v !== null && v !== undefined) return { key, modified: Number(m ?? 0), size: Buffer.byteLength(v), isTerminal: true };
    return (await this.list(key)).length ? { key, modified: 0, size: 0, isTerminal: false } : undefined;
  }

  async watch(onKey: (key: string) => void, signal: AbortSignal): Promise<void> {
    // A subscribed connection can do nothing else: a second one, for as long as the watch runs.
    const sub = this.client.duplicate();
    sub.on('error', () => undefined);
    try {
      await this.run(() => sub.subscribe(CHANGES_CHANNEL), CHANGES_CHANNEL);
      sub.on('message', (_channel: string, key: string) => onKey(key));
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
        // Losing the subscription for good (Redis gone past the retries) ends the watch with a network error.
        sub.on('end', () => reject(redisError(this.url, new Error('the subscription connection closed'))));
      });
    } finally {
      sub.disconnect();
    }
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private async run<T>(op: () => Promise<T>, key: string): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('FENCED')) {
        throw new StorageError(
          `Refused to write ${key}: another node took over this certificate's lock (${err.message.slice('FENCED '.length)}) after this one lost it.`,
          'Nothing was overwritten; the other node carries on with the order. Run the command again to see its result.',
          err,
        );
      }
      throw redisError(this.url, err);
    }
  }
}

function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
