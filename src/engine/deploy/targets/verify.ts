import { throwIfAborted } from '../../core/clock.js';
import { CancelledError } from '../../core/errors.js';
import { nextDelay, DEFAULT_POLICY } from '../../policy.js';
import { normalizeFingerprint } from '../cert-bundle.js';
import { DeployTargetError } from '../errors.js';
import { verifyHostKeys } from '../host-spec.js';
import { ProbeError, probeTlsFingerprint } from '../tls-probe.js';
import type { VerifyHost, VerifyTarget } from '../types.js';
import type { TargetContext } from './context.js';

/**
 * Checks, name by name, that the endpoints now serve the certificate just deployed. Servers pick a new certificate
 * up asynchronously (nginx reload starts new workers while old ones drain), so each name is retried with backoff
 * until the target's timeout, and each gets its own status: "b.example still serves the old certificate" is the
 * answer an operator needs, not "verify failed".
 */

/** Longest single handshake; a silent endpoint must not use up the whole budget in one try. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
const MIN_HANDSHAKE_MS = 1_000;
const MAX_INTERVAL_MS = 5_000;

export function verifyHosts(t: VerifyTarget, domains: readonly string[]): VerifyHost[] {
  return t.hosts.length > 0 ? t.hosts : domains.filter((d) => !d.startsWith('*.')).map((name) => ({ name }));
}

function short(fp: string): string {
  return `${normalizeFingerprint(fp).slice(0, 16)}…`;
}

type HostResult = { key: string; ok: true } | { key: string; ok: false; reason: string };

async function verifyOne(h: VerifyHost, key: string, t: VerifyTarget, ctx: TargetContext): Promise<HostResult> {
  const want = normalizeFingerprint(ctx.bundle.fingerprint);
  const policy = { ...DEFAULT_POLICY, floorMs: t.intervalMs, capMs: Math.max(t.intervalMs, MAX_INTERVAL_MS), factor: 2, jitter: 0 };
  const startedAt = ctx.clock.now();
  ctx.domain(key, 'running');
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(ctx.signal);
    const remaining = ctx.deadlineAt - ctx.clock.now();
    let reason: string;
    try {
      const timeoutMs = Math.min(HANDSHAKE_TIMEOUT_MS, Math.max(MIN_HANDSHAKE_MS, remaining));
      const served = await probeTlsFingerprint(h, { clock: ctx.clock, signal: ctx.signal, timeoutMs });
      if (normalizeFingerprint(served) === want) {
        ctx.log(`${key}: serves the new certificate (SHA-256 ${short(want)}, attempt ${attempt})`);
        ctx.domain(key, 'succeeded');
        return { key, ok: true };
      }
      reason = `serves another certificate (SHA-256 ${short(served)}), not the new one (${short(want)})`;
    } catch (err) {
      if (err instanceof ProbeError && err.aborted) throw new CancelledError();
      reason = err instanceof Error ? err.message : String(err);
    }
    ctx.log(`${key}: attempt ${attempt}: ${reason}`);
    const left = ctx.deadlineAt - ctx.clock.now();
    if (left <= 0) {
      const secs = Math.round((ctx.clock.now() - startedAt) / 100) / 10;
      const final = `${reason} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'} in ${secs}s)`;
      ctx.domain(key, 'failed', final);
      return { key, ok: false, reason: final };
    }
    await ctx.clock.sleep(Math.min(nextDelay(policy, attempt, undefined).delayMs, left), ctx.signal);
  }
}

export async function deployVerify(t: VerifyTarget, ctx: TargetContext): Promise<void> {
  const hosts = verifyHosts(t, ctx.bundle.domains);
  if (hosts.length === 0) {
    throw new DeployTargetError('nothing-to-verify', 'nothing to verify: the certificate has only wildcard names', {
      hint: 'Name concrete hosts: certdeck deploy add NAME verify --host www.example.com',
    });
  }
  const keys = verifyHostKeys(hosts);
  // Names are checked side by side: one slow endpoint must not eat the others' time.
  const settled = await Promise.allSettled(hosts.map((h, i) => verifyOne(h, keys[i]!, t, ctx)));
  const broken = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (broken) throw broken.reason;
  const results = settled.map((s) => (s as PromiseFulfilledResult<HostResult>).value);
  const failed = results.filter((r): r is Extract<HostResult, { ok: false }> => !r.ok);
  if (failed.length > 0) {
    const list = failed.map((f) => `${f.key}: ${f.reason}`).join('; ');
    throw new DeployTargetError('verify-failed', `${failed.length} of ${hosts.length} not serving the new certificate: ${list}`);
  }
}
