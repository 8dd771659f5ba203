import { access, constants, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath } from '../src/sandbox/binaries.js';
import { expectCertificate, type BenchClient, type BenchContext, type UnavailableClient } from './client.js';
import { median } from './stats.js';
import { BenchRunError, childEnv, expectSuccess, runTimed, type ProcessRun } from './timed-process.js';
import { startWebrootServer } from './webroot-server.js';

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** The hook Debian ships with uacme: writes the key authorization to $UACME_CHALLENGE_PATH/<token>. */
const STOCK_HOOK = '/usr/share/uacme/uacme.sh';
/**
 * uacme trusts only the system store, so inside a private mount namespace the store is replaced by a bundle that
 * adds the sandbox root; nothing outside the namespace sees it. A fixed script: the bundle path and the program
 * come in as positional arguments, never as shell text.
 */
const TRUST_WRAPPER = `mount --bind "$1" ${SYSTEM_BUNDLE} && shift && exec "$@"`;

/**
 * Debian's uacme as its users run it: `uacme new` once, then `uacme issue NAME` per certificate with the stock
 * hook writing into the webroot of a web server that is already up on the HTTP-01 port.
 */
export async function uacmeClient(ctx: BenchContext): Promise<BenchClient | UnavailableClient> {
  const uacme = findOnPath('uacme', process.env.PATH ?? '');
  if (!uacme) return { id: 'uacme', reason: 'uacme is not installed (apt-get install -y uacme)' };
  const unshare = findOnPath('unshare', process.env.PATH ?? '');
  if (!unshare) return { id: 'uacme', reason: 'unshare (util-linux) is missing: needed to give uacme the sandbox root' };
  if (process.getuid?.() !== 0) return { id: 'uacme', reason: 'not root: the private mount that gives uacme the sandbox root needs root' };
  if (!(await isExecutable(STOCK_HOOK))) return { id: 'uacme', reason: `${STOCK_HOOK} (uacme's stock HTTP-01 hook) is missing` };
  let systemBundle: string;
  try {
    systemBundle = await readFile(SYSTEM_BUNDLE, 'utf8');
  } catch {
    return { id: 'uacme', reason: `${SYSTEM_BUNDLE} is missing (install ca-certificates)` };
  }

  const trustBundle = path.join(ctx.workDir, 'uacme-trust.pem');
  await writeFile(trustBundle, `${systemBundle.trimEnd()}\n${await readFile(ctx.caRootPath, 'utf8')}`);
  const webroot = path.join(ctx.workDir, 'uacme-www');
  const challengeDir = path.join(webroot, '.well-known', 'acme-challenge');
  await mkdir(challengeDir, { recursive: true });
  const env = childEnv({ UACME_CHALLENGE_PATH: challengeDir });

  const wrapped = (program: string, args: string[]): Promise<ProcessRun> =>
    runTimed(unshare, ['--mount', '--propagation', 'private', 'sh', '-c', TRUST_WRAPPER, 'uacme-trust', trustBundle, program, ...args], {
      env,
      signal: ctx.signal,
    });
  const run = (args: string[]): Promise<ProcessRun> => wrapped(uacme, args);
  const common = (confdir: string): string[] => ['-c', confdir, '-a', ctx.directoryUrl, '-t', 'EC'];
  const issueOne = async (confdir: string, name: string): Promise<void> => {
    const r = await run([...common(confdir), '-h', STOCK_HOOK, 'issue', name]);
    expectSuccess(r, `uacme issue ${name}`);
  };
  // The web server a uacme user keeps running; up before the clock starts, down after (certdeck and lego bind
  // the same port themselves).
  const withWebServer = async <T>(fn: () => Promise<T>): Promise<T> => {
    const server = await startWebrootServer(webroot, ctx.httpPort);
    try {
      return await fn();
    } finally {
      await server.close();
    }
  };

  const version = (await runTimed(uacme, ['-V'], { env, signal: ctx.signal })).stderr.match(/version\s+(\S+)/)?.[1] ?? 'unknown';
  let wrapperMs: number;
  try {
    wrapperMs = await wrapperOverheadMs(wrapped);
  } catch (err) {
    return { id: 'uacme', reason: `cannot give uacme the sandbox root: ${err instanceof Error ? err.message : String(err)}` };
  }
  let accountDir: string | undefined;
  let confdirs = 0;

  return {
    id: 'uacme',
    version: `${version} (each call wrapped in unshare+mount, ${Number.isFinite(wrapperMs) ? `~${wrapperMs.toFixed(0)} ms` : 'cost unknown'})`,
    coldHow: '`uacme new` + `uacme issue NAME` (uacme registers in its own command) in a fresh confdir',
    batchHow: 'ten `uacme issue NAME` calls one after another, account already registered',
    async cold(name) {
      const confdir = path.join(ctx.workDir, `uacme-a-${++confdirs}`);
      const measured = await withWebServer(() =>
        ctx.measure(async () => {
          const created = await run([...common(confdir), '-y', 'new']);
          expectSuccess(created, 'uacme new');
          await issueOne(confdir, name);
        }),
      );
      await expectCertificate(path.join(confdir, name, 'cert.pem'), `uacme (${name})`);
      accountDir ??= confdir;
      return { ...measured, value: undefined };
    },
    async batch(names) {
      if (!accountDir) throw new BenchRunError('uacme has no registered account: every (a) run failed');
      const confdir = accountDir;
      const measured = await withWebServer(() =>
        ctx.measure(async () => {
          for (const name of names) await issueOne(confdir, name);
        }),
      );
      for (const name of names) await expectCertificate(path.join(confdir, name, 'cert.pem'), `uacme (${name})`);
      return { ...measured, value: undefined };
    },
  };
}

/** What the unshare + bind mount wrapper alone costs per call (it execs `true` instead of uacme). */
async function wrapperOverheadMs(wrapped: (program: string, args: string[]) => Promise<ProcessRun>): Promise<number> {
  const trueProgram = findOnPath('true', process.env.PATH ?? '');
  if (!trueProgram) return Number.NaN;
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await wrapped(trueProgram, []);
    expectSuccess(r, 'the unshare + mount wrapper that gives uacme the sandbox root');
    times.push(r.ms);
  }
  return median(times);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
