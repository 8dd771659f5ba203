import type { IssueOutcome, IssueRequest } from '../engine/api.js';
import { challengeFromFlags } from './challenge-flags.js';
import { BadInputError, EngineError, EXIT_CODES, exitCodeFor } from '../engine/core/errors.js';
import type { KeyType } from '../engine/events.js';
import { parseDuration, type PolicyOverride } from '../engine/policy.js';
import { createRuntime } from '../app/runtime.js';
import { humanReporter, ndjsonReporter } from '../headless/reporters.js';
import type { IssueCliOptions } from './issue.cli.js';
import { cancelOnSignals, reportEngineError, type CommandIo } from './io.js';

/**
 * Exit code for a run of several requests: all good 0, all failed -> the first failure's code, else partial. When
 * every request failed but each certificate on disk is still valid (the engine says so per outcome), it is 10: a
 * cron job's renewal failed, and there is time to act before anything breaks.
 */
export function exitCodeForOutcomes(outcomes: IssueOutcome[]): number {
  const failed = outcomes.filter((o) => !o.ok);
  // The certificate was obtained but a deploy target did not take it: the run did only part of its job.
  if (failed.length === 0) return outcomes.some(deployFellShort) ? EXIT_CODES.partial : EXIT_CODES.ok;
  if (failed.some((o) => o.error?.kind === 'cancelled')) return EXIT_CODES.cancelled;
  if (failed.length < outcomes.length) return EXIT_CODES.partial;
  if (failed.every((o) => o.certificateStillValid === true)) return EXIT_CODES.renewalFailedStillValid;
  return exitCodeFor(failed[0]!.error?.kind ?? 'bug');
}

/** An obtained certificate whose deploy after issuance did not reach every target. */
export function deployFellShort(o: IssueOutcome): boolean {
  return o.ok && o.deploy !== undefined && o.deploy.outcome !== 'succeeded';
}

/**
 * `certdeck issue`: turns the flags into requests and hands them to the engine. Only what the command line says is
 * in a request; the engine fills the rest from the certificate's stored request and the settings, and logs what
 * it took from where.
 */
export async function runIssueCommand(domains: string[], opts: IssueCliOptions, io: CommandIo): Promise<number> {
  let requests: IssueRequest[];
  let concurrency: number;
  let runtime: Awaited<ReturnType<typeof createRuntime>>;
  try {
    requests = buildRequests(domains, opts, io.env);
    concurrency = positiveInt(opts.concurrency, '--concurrency');
    runtime = await createRuntime(io.env);
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  }

  const { engine } = runtime;
  const json = opts.json ?? false;
  const useTui = !json && opts.tui !== false && Boolean((io.stdout as NodeJS.WriteStream).isTTY);
  const write = (line: string): void => void io.stdout.write(line);
  const abort = new AbortController();
  const releaseSignals = cancelOnSignals(abort, engine);
  try {
    if (useTui) {
      const { runIssueTui } = await import('./issue-tui.js');
      return await runIssueTui(engine, async () => exitCodeForOutcomes(await engine.issueMany(requests, concurrency, abort.signal)));
    }
    const stopReporting = engine.onEvent(json ? ndjsonReporter(write) : humanReporter(write, { verbose: opts.verbose ?? false }));
    const outcomes = await engine.issueMany(requests, concurrency, abort.signal);
    // Notifications go out after each request ends; their results (a failed delivery is a warning) belong in this output.
    await engine.idle();
    stopReporting();
    const code = exitCodeForOutcomes(outcomes);
    if (json) {
      write(`${JSON.stringify({ type: 'summary', exitCode: code, ok: code === EXIT_CODES.ok, results: outcomes })}\n`);
    } else {
      const fallbackName = requests.map((r) => r.domains.join(',')).join(' ');
      for (const o of outcomes) {
        for (const line of summaryLines(o, fallbackName)) (line.startsWith('OK') ? io.stdout : io.stderr).write(`${line}\n`);
      }
    }
    return code;
  } finally {
    releaseSignals();
    await engine.close();
  }
}

/** The human summary of one request: its result, then each deploy target's (a failed target never hides). */
export function summaryLines(o: IssueOutcome, fallbackName: string): string[] {
  if (!o.ok) return [`FAILED ${o.certName || fallbackName}: ${o.error?.message ?? 'unknown error'}${o.error?.hint ? `\n  what to do: ${o.error.hint}` : ''}`];
  if (o.notDueUntil !== undefined) return [`OK ${o.certName}: not due for renewal until ${new Date(o.notDueUntil).toISOString()}; nothing ordered`];
  if (!o.deploy) return [`OK ${o.certName}: ${o.certificateDir}`];
  const d = o.deploy;
  const head = deployFellShort(o)
    ? `PARTIAL ${o.certName}: certificate saved in ${o.certificateDir}, but its deploy ${d.outcome}${d.error ? `: ${d.error.message}` : ''} (${d.succeeded} succeeded, ${d.failed} failed, ${d.skipped} skipped)`
    : `OK ${o.certName}: ${o.certificateDir}; deployed to ${d.succeeded} target(s)`;
  const targets = d.targets.map((t) => `  ${t.id} (${t.kind}): ${t.status}${t.reason ? ` - ${t.reason}` : ''}`);
  const hint = deployFellShort(o) ? [`  what to do: fix the target, then run: certdeck deploy ${o.certName} --only failed`] : [];
  return [head, ...targets, ...hint];
}

/** The flags as requests: only what was given, so the stored request and the settings fill the rest. */
function buildRequests(domains: string[], opts: IssueCliOptions, env: NodeJS.ProcessEnv): IssueRequest[] {
  if (opts.webroot && (opts.httpPort || opts.httpAddress)) {
    throw new BadInputError('conflicting-challenge', '--webroot and --http-port/--http-address cannot be combined.', 'Use --webroot for an existing web server, or the built-in server with --http-port.');
  }
  if (opts.profile && opts.requireProfile) {
    throw new BadInputError('conflicting-profile', '--profile and --require-profile cannot be combined.', 'Use --profile NAME to prefer a profile, or --require-profile NAME to insist on it.');
  }
  const eabKid = opts.eabKid ?? env.CERTDECK_EAB_KID;
  const eabHmacKey = opts.eabHmacKey ?? env.CERTDECK_EAB_HMAC_KEY;
  if (Boolean(eabKid) !== Boolean(eabHmacKey)) {
    throw new BadInputError('eab-incomplete', 'External Account Binding needs both a key id and an HMAC key.', 'Pass --eab-kid and --eab-hmac-key (or CERTDECK_EAB_KID and CERTDECK_EAB_HMAC_KEY).');
  }
  const policy: PolicyOverride = {};
  const deadlines: NonNullable<PolicyOverride['deadlines']> = {};
  if (opts.pollTimeout) deadlines.processing = duration(opts.pollTimeout, '--poll-timeout');
  if (opts.authzTimeout) deadlines.authorization = duration(opts.authzTimeout, '--authz-timeout');
  if (Object.keys(deadlines).length) policy.deadlines = deadlines;
  if (opts.maxRetries !== undefined) policy.maxRetries = nonNegativeInt(opts.maxRetries, '--max-retries');
  const port = opts.httpPort === undefined ? undefined : portNumber(opts.httpPort);
  const challenge = challengeFromFlags(opts, port);
  const base: Omit<IssueRequest, 'domains'> = {
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...(opts.keyType ? { keyType: opts.keyType as KeyType } : {}),
    ...(Object.keys(policy).length ? { policy } : {}),
    ...(challenge ? { challenge } : {}),
    ...(opts.caBundle ? { caBundlePath: opts.caBundle } : {}),
    ...(opts.email ? { email: opts.email } : {}),
    ...(opts.agreeTos ? { agreeTos: true } : {}),
    ...(eabKid && eabHmacKey ? { eab: { kid: eabKid, hmacKey: eabHmacKey } } : {}),
    ...(opts.reuseKey === undefined ? {} : { reuseKey: opts.reuseKey }),
    ...(opts.preferredChain ? { preferredChain: opts.preferredChain } : {}),
    ...(opts.fallback ? { fallback: opts.fallback.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    ...(opts.wait ? { waitForLock: true } : {}),
    ...(opts.ifDue ? { onlyIfDue: true } : {}),
    ...(opts.profile ? { profile: { name: opts.profile } } : {}),
    ...(opts.requireProfile ? { profile: { name: opts.requireProfile, required: true } } : {}),
  };
  if (opts.each) {
    if (opts.name) throw new BadInputError('name-with-each', '--name cannot be combined with --each (each name gets its own certificate).', 'Drop --name, or drop --each.');
    return domains.map((d) => ({ ...base, domains: [d] }));
  }
  return [{ ...base, domains, ...(opts.name ? { certName: opts.name } : {}) }];
}

function duration(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new BadInputError('bad-duration', `${flag} ${JSON.stringify(text)} is not a duration.`, 'Use a number with s, m or h (e.g. 30s, 5m); a bare number is seconds.');
  return ms;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new BadInputError('bad-number', `${flag} ${JSON.stringify(text)} must be a whole number of at least 1.`);
  return n;
}

function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new BadInputError('bad-number', `${flag} ${JSON.stringify(text)} must be a whole number of at least 0.`);
  return n;
}

function portNumber(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new BadInputError('bad-port', `--http-port ${JSON.stringify(text)} is not a port number (1-65535).`);
  return n;
}
