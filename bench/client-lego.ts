import path from 'node:path';
import { findOnPath } from '../src/sandbox/binaries.js';
import { expectCertificate, type BenchClient, type BenchContext, type UnavailableClient } from './client.js';
import { BenchRunError, childEnv, expectSuccess, runTimed } from './timed-process.js';

/**
 * Debian's lego as its users run it: `lego ... run` per certificate, its own HTTP-01 server on the sandbox's
 * port, the sandbox root trusted through LEGO_CA_CERTIFICATES. `run` registers the account when --path has none.
 */
export async function legoClient(ctx: BenchContext): Promise<BenchClient | UnavailableClient> {
  const lego = findOnPath('lego', process.env.PATH ?? '');
  if (!lego) return { id: 'lego', reason: 'lego is not installed (apt-get install -y lego)' };
  const env = childEnv({ LEGO_CA_CERTIFICATES: ctx.caRootPath });

  const issueOne = async (dir: string, name: string): Promise<void> => {
    const r = await runTimed(
      lego,
      [
        '--server', ctx.directoryUrl,
        '--accept-tos',
        '--email', 'bench@certdeck.test',
        '--key-type', 'ec256',
        '--domains', name,
        '--http', '--http.port', `127.0.0.1:${ctx.httpPort}`,
        '--path', dir,
        'run',
      ],
      { env, signal: ctx.signal },
    );
    expectSuccess(r, `lego run -d ${name}`);
  };

  const version = await legoVersion(lego, env, ctx.signal);
  let accountDir: string | undefined;
  let dirs = 0;

  return {
    id: 'lego',
    version,
    coldHow: '`lego ... run` in a fresh --path (registers the account, then issues)',
    batchHow: '`lego ... run` per certificate, one after another, account already registered',
    async cold(name) {
      const dir = path.join(ctx.workDir, `lego-a-${++dirs}`);
      const measured = await ctx.measure(() => issueOne(dir, name));
      await expectCertificate(path.join(dir, 'certificates', `${name}.crt`), `lego (${name})`);
      accountDir ??= dir;
      return { ...measured, value: undefined };
    },
    async batch(names) {
      if (!accountDir) throw new BenchRunError('lego has no registered account: every (a) run failed');
      const dir = accountDir;
      const measured = await ctx.measure(async () => {
        for (const name of names) await issueOne(dir, name);
      });
      for (const name of names) await expectCertificate(path.join(dir, 'certificates', `${name}.crt`), `lego (${name})`);
      return { ...measured, value: undefined };
    },
  };
}

/** Debian builds lego without a version string ("dev"), so the package's version says more. */
async function legoVersion(lego: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string> {
  const dpkg = findOnPath('dpkg-query', process.env.PATH ?? '');
  if (dpkg) {
    const r = await runTimed(dpkg, ['-W', '-f=${Version}', 'lego'], { env, signal });
    if (r.exitCode === 0 && r.stdout.trim()) return `${r.stdout.trim()} (Debian package)`;
  }
  const r = await runTimed(lego, ['--version'], { env, signal });
  return r.stdout.trim().replace(/^lego version\s+/, '') || 'unknown';
}
