import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BadInputError, StorageError } from '../core/errors.js';
import { replaceFile } from '../store/atomic.js';
import { CHALLENGE_PATH, isSafeToken, type Http01Solver } from './solver.js';

/**
 * Webroot HTTP-01: writes the key authorization where an existing web server serves it, and removes it again
 * whatever happens (the order runner calls the returned cleanup in a finally).
 */
export class WebrootHttp01 implements Http01Solver {
  private constructor(readonly webroot: string) {}

  get description(): string {
    return `webroot ${this.webroot}`;
  }

  static async open(webroot: string): Promise<WebrootHttp01> {
    const dir = path.resolve(webroot);
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new BadInputError('bad-webroot', `The webroot ${dir} does not exist or is not a directory.`, 'Pass the document root your web server serves for these names.');
    }
    return new WebrootHttp01(dir);
  }

  async present(token: string, keyAuthorization: string): Promise<() => Promise<void>> {
    if (!isSafeToken(token)) throw new BadInputError('bad-token', `The CA sent a malformed challenge token: ${JSON.stringify(token)}.`);
    const dir = path.join(this.webroot, CHALLENGE_PATH);
    const file = path.join(dir, token);
    try {
      await mkdir(dir, { recursive: true, mode: 0o755 });
      // Atomically, so the web server never serves a partial answer; world-readable, as the web server must read it.
      await replaceFile(file, keyAuthorization, { mode: 0o644 });
    } catch (err) {
      throw new StorageError(`Cannot write the challenge file in ${dir}: ${(err as Error).message}.`, 'certdeck needs write access to <webroot>/.well-known/acme-challenge/.', err);
    }
    return async () => {
      await rm(file, { force: true });
    };
  }

  async close(): Promise<void> {}
}
