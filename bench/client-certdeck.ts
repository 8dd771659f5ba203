import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectCertificate, type BenchClient, type BenchContext, type ProblemCounts } from './client.js';
import { BenchRunError, childEnv, expectSuccess, runTimed, type ProcessRun } from './timed-process.js';

export const CERTDECK_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/**
 * certdeck as its users run it: `node dist/cli.js issue ... --ca sandbox` with the pinned node (this process's
 * own), a home of its own per cold run, and its built-in HTTP-01 server on the sandbox's port.
 */
export async function certdeckClient(ctx: BenchContext): Promise<BenchClient> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  let accountHome: string | undefined;
  let homes = 0;

  const freshHome = async (label: string): Promise<string> => {
    const home = path.join(ctx.workDir, `certdeck-${label}-${++homes}`);
    await mkdir(path.join(home, 'sandbox'), { recursive: true, mode: 0o700 });
    await copyFile(ctx.sandboxStatePath, path.join(home, 'sandbox', 'state.json'));
    return home;
  };

  const issue = (home: string, args: string[]): Promise<ProcessRun> =>
    runTimed(process.execPath, [CERTDECK_CLI, 'issue', ...args, '--ca', 'sandbox', '--json'], {
      env: childEnv({ CERTDECK_HOME: home }),
      signal: ctx.signal,
    });

  const check = async (home: string, run: ProcessRun, names: string[]): Promise<void> => {
    expectSuccess(run, `certdeck issue ${names.join(' ')}`);
    for (const name of names) await expectCertificate(path.join(home, 'live', name, 'cert.pem'), `certdeck (${name})`);
  };

  return {
    id: 'certdeck',
    version: `${pkg.version} on node ${process.version}`,
    coldHow: 'one `certdeck issue NAME --ca sandbox --agree-tos` in a fresh CERTDECK_HOME (registers the account)',
    batchHow: 'one `certdeck issue N1..N10 --each --concurrency 10` run, account already registered',
    async cold(name) {
      const home = await freshHome('a');
      const measured = await ctx.measure(() => issue(home, [name, '--agree-tos']));
      await check(home, measured.value, [name]);
      accountHome ??= home;
      return { ...measured, value: problemsOf(measured.value) };
    },
    async batch(names) {
      if (!accountHome) throw new BenchRunError('certdeck has no registered account: every (a) run failed');
      const home = accountHome;
      const measured = await ctx.measure(() => issue(home, [...names, '--each', '--concurrency', String(names.length)]));
      await check(home, measured.value, names);
      return { ...measured, value: problemsOf(measured.value) };
    },
  };
}

/** Problem types of certdeck's error answers, from the `http:exchange` events of its NDJSON output. */
function problemsOf(run: ProcessRun): ProblemCounts {
  const counts: ProblemCounts = {};
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let event: { type?: unknown; status?: unknown; problemType?: unknown };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      continue;
    }
    if (event.type !== 'http:exchange' || typeof event.status !== 'number' || event.status < 400) continue;
    const kind = typeof event.problemType === 'string' ? event.problemType.replace('urn:ietf:params:acme:error:', '') : `HTTP ${event.status}`;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
