import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { throwIfAborted } from '../../core/clock.js';
import { LockHeldError } from '../../core/errors.js';
import { assertCertName } from '../../names.js';
import { commandWords, describeLockOwner } from '../lock.js';
import { redactUrl } from '../storage.js';
import type { LockHandle, LockOwner, LockPurpose, LockRequest, Locker } from '../storage.js';
import { PREFIX, redisError } from './connection.js';
import { fenceKey, type RedisStorage } from './redis-storage.js';

/** Takes the lock and bumps its fencing counter in one step, so every holder gets a larger token than the last. */
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0`;

/** Extends the lease only while the lock is still ours (our token inside the value). */
const REFRESH = `
local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Compare-and-delete: never removes a lock another node took after ours expired. */
const RELEASE = `
local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) then return redis.call('DEL', KEYS[1]) end
return 0`;

export const DEFAULT_LEASE_MS = 20_000;

export interface RedisLockerOptions {
  /** How long a lock outlives a holder that stopped refreshing it (killed, paused, cut off). @default 20 s */
  leaseMs?: number;
}

/**
 * A token lock per certificate with a lease (SET NX PX), refreshed at a third of the lease while held and released
 * by compare-and-delete. A node killed while holding one blocks the others for at most the lease. Each acquisition
 * gets a fencing token (INCR); RedisStorage refuses writes of the certificate's state made under an older token, so
 * a node paused past its lease cannot overwrite what the next holder wrote.
 */
export class RedisLocker implements Locker {
  private readonly leaseMs: number;

  constructor(
    private readonly client: Redis,
    private readonly url: string,
    private readonly storage: RedisStorage,
    opts: RedisLockerOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  }

  async lock(certName: string, req: LockRequest): Promise<LockHandle> {
    assertCertName(certName);
    const purpose: LockPurpose = req.purpose ?? 'issue';
    const key = lockKey(purpose, certName);
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      startedAt: req.clock.now(),
      command: req.command ?? commandWords(process.argv.slice(2)),
      token: randomBytes(12).toString('hex'),
    };
    const value = JSON.stringify(owner);
    for (;;) {
      throwIfAborted(req.signal);
      const fence = Number(await this.run(() => this.client.eval(ACQUIRE, 2, key, fenceKey(purpose, certName), value, String(this.leaseMs))));
      if (fence > 0) return this.held(purpose, certName, key, owner, fence);
      const holder = parseOwner(await this.run(() => this.client.get(key)));
      if (!req.wait) {
        throw new LockHeldError(
          `Certificate ${certName} is being worked on by another certdeck (${describeLockOwner(holder)}).`,
          `Use --wait to queue behind it, or stop that process. A holder that died frees it within ${Math.round(this.leaseMs / 1000)} s.`,
        );
      }
      req.onWait?.(holder);
      await req.clock.sleep(req.pollMs ?? 500, req.signal);
    }
  }

  async isHeld(certName: string, purpose: LockPurpose = 'issue'): Promise<boolean> {
    return (await this.run(() => this.client.exists(lockKey(purpose, certName)))) === 1;
  }

  async close(): Promise<void> {
    // The connection is the storage's; it closes it.
  }

  private held(purpose: LockPurpose, certName: string, key: string, owner: LockOwner, fence: number): LockHandle {
    if (purpose === 'issue') this.storage.heldFences.set(certName, String(fence));
    // Refreshes run on a timer of their own (not the injected clock): the lease is real time in Redis.
    const timer = setInterval(() => {
      this.client.eval(REFRESH, 1, key, owner.token, String(this.leaseMs)).catch(() => undefined);
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    timer.unref();
    let released = false;
    return {
      owner,
      where: `${redactUrl(this.url)} key ${key}`,
      fence,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        if (purpose === 'issue' && this.storage.heldFences.get(certName) === String(fence)) this.storage.heldFences.delete(certName);
        await this.run(() => this.client.eval(RELEASE, 1, key, owner.token));
      },
    };
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw redisError(this.url, err);
    }
  }
}

export function lockKey(purpose: LockPurpose, certName: string): string {
  return `${PREFIX}lock:${purpose}:${certName}`;
}

function parseOwner(text: string | null): LockOwner | undefined {
  if (!text) return undefined;
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.startedAt === 'number' && typeof o.token === 'string') {
      return { pid: o.pid, host: o.host, startedAt: o.startedAt, command: String(o.command ?? ''), token: o.token };
    }
  } catch {
    // not ours
  }
  return undefined;
}
