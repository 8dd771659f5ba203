import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';

/**
 * AES-256-GCM for private keys at rest in a shared store. The storage key (the Redis key name) is the additional
 * authenticated data, so a ciphertext copied under another name does not decrypt. Format: "gcm1:" + base64 of
 * iv(12) | tag(16) | ciphertext.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Reads the key file: 32 raw bytes, or 64 hex digits, or base64 of 32 bytes (as `openssl rand -base64 32` prints). */
  static fromFile(file: string): SecretBox {
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch (err) {
      throw new ConfigError('storage-key-unreadable', `The storage key file ${file} (CERTDECK_STORAGE_KEY_FILE) cannot be read: ${(err as Error).message}.`, 'Point CERTDECK_STORAGE_KEY_FILE at a readable file holding 32 random bytes (openssl rand -base64 32 > key; chmod 600 key).', err);
    }
    const text = raw.toString('utf8').trim();
    const key = raw.length === 32 ? raw : /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    if (key.length !== 32) {
      throw new ConfigError('storage-key-bad', `The storage key file ${file} does not hold a 256-bit key.`, 'Create one with: openssl rand -base64 32 > key && chmod 600 key (the same file on every node).');
    }
    return new SecretBox(key);
  }

  seal(name: string, plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `gcm1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(name: string, sealed: string): string {
    const all = Buffer.from(sealed.slice('gcm1:'.length), 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, all.subarray(0, 12));
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(all.subarray(12, 28));
      return Buffer.concat([decipher.update(all.subarray(28)), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new ConfigError('storage-key-wrong', `The secret ${name} in the shared storage cannot be decrypted with this node's storage key.`, 'Every node must use the same CERTDECK_STORAGE_KEY_FILE as the node that stored it.', err);
    }
  }
}
