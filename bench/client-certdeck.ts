import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectCertificate, type BenchClient, type BenchContext, type ProblemCounts } from './client.js';
import { BenchRunError, childEnv, expectSuccess, runTimed, type ProcessRun } from './timed-process.js';

export const CERTDECK_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Which wait policy certdeck runs with: the one every CA given by URL gets, or the sandbox's tuned one. */
export type CertdeckPolicy = 'default' | 'sandbox';

/**
 * certdeck as its users run it, with the pinned node (this process's own), a home of its own per cold run, and its
 * built-in HTTP-01 server on the sandbox's port. `sandbox`: `--ca sandbox` (the sandbox's tuned wait policy).
 * `default`: the same CA given by directory URL (`--ca https://... --ca-bundle root.pem --http-port N`), so
 * certdeck waits as it would for a real CA it has no catalog entry for.
 */
export interface CertdeckBenchClient extends BenchClient {
  /** `certdeck issue` with this client's CA arguments in the home whose account (a) registered, for (e). */
  issueInAccountHome(names: string[], concurrency: number, wrap?: { command: string; args: string[] }): Promise<{ home: string; run: ProcessRun }>;
}

export async function certdeckClient(ctx: BenchContext, policy: CertdeckPolicy = 'sandbox'): Promise<CertdeckBenchClient> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  let accountHome: string | undefined;
  let homes = 0;

  const caArgs =
    policy === 'sandbox' ? ['--ca', 'sandbox'] : ['--ca', ctx.directoryUrl, '--ca-bundle', ctx.caRootPath, '--http-port', String(ctx.httpPort)];
  const how = policy === 'sandbox' ? '--ca sandbox' : '--ca URL --ca-bundle ROOT --http-port N';
  const freshHome = async (label: string): Promise<string> => {
    const home = path.join(ctx.workDir, `certdeck-${label}-${++homes}`);
    await mkdir(path.join(home, 'sandbox'), { recursive: true, mode: 0o700 });
    await copyFile(ctx.sandboxStatePath, path.join(home, 'sandbox', 'state.json'));
    return home;
  };

  const issue = (home: string, args: string[], wrap?: { command: string; args: string[] }): Promise<ProcessRun> => {
    const argv = [process.execPath, CERTDECK_CLI, 'issue', ...args, ...caArgs, '--json'];
    return runTimed(wrap?.command ?? argv[0]!, [...(wrap?.args ?? []), ...argv.slice(wrap ? 0 : 1)], {
      env: childEnv({ CERTDECK_HOME: home }),
      signal: ctx.signal,
      timeoutMs: 600_000,
    });
  };

  const check = async (home: string, run: ProcessRun, names: string[]): Promise<void> => {
    expectSuccess(run, `certdeck issue ${names.join(' ')}`);
    for (const name of names) await expectCertificate(path.join(home, 'live', name, 'cert.pem'), `certdeck (${name})`);
  };

  return {
    id: policy === 'sandbox' ? 'certdeck' : 'certdeck-default',
    version: `${pkg.version} on node ${process.version}, ${policy === 'sandbox' ? "the sandbox's tuned wait policy" : 'the default wait policy of a CA given by URL'}`,
    coldHow: `one \`certdeck issue NAME ${how} --agree-tos\` in a fresh CERTDECK_HOME (registers the account)`,
    batchHow: `one \`certdeck issue N1..N10 ${how} --each --concurrency 10\` run, account already registered`,
    async cold(name) {
      const home = await freshHome('a');
      const measured = await ctx.measure(() => issue(home, [name, '--agree-tos']));
      await check(home, measured.value, [name]);
      accountHome ??= home;
      return { ...measured, value: problemsOf(measured.value) };
    },
    async issueInAccountHome(names, concurrency, wrap) {
      if (!accountHome) throw new BenchRunError('certdeck has no registered account: every (a) run failed');
      const run = await issue(accountHome, [...names, '--each', '--concurrency', String(concurrency)], wrap);
      await check(accountHome, run, names);
      return { home: accountHome, run };
    },
    async batch(names, concurrency = names.length) {
      if (!accountHome) throw new BenchRunError('certdeck has no registered account: every (a) run failed');
      const home = accountHome;
      const measured = await ctx.measure(() => issue(home, [...names, '--each', '--concurrency', String(concurrency)]));
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
