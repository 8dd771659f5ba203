import { throwIfAborted } from '../../core/clock.js';
import { CancelledError } from '../../core/errors.js';
import { nextDelay, DEFAULT_POLICY } from '../../policy.js';
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { normalizeFingerprint } from '../cert-bundle.js';
import { splitPemBundle } from '../../store/inspect.js';
import { DeployTargetError } from '../errors.js';
import { verifyHostKeys } from '../host-spec.js';
import { ProbeError, probeTls } from '../tls-probe.js';
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

async function verifyOne(h: VerifyHost, key: string, t: VerifyTarget, ctx: TargetContext, anchors: string[]): Promise<HostResult> {
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
      const probe = await probeTls(h, { clock: ctx.clock, signal: ctx.signal, timeoutMs, ca: anchors });
      const served = probe.fingerprint;
      if (normalizeFingerprint(served) !== want) {
        reason = `serves another certificate (SHA-256 ${short(served)}), not the new one (${short(want)})`;
      } else if (probe.hostnameError) {
        reason = `serves the new certificate, but a client would reject it for ${h.name}: ${probe.hostnameError}`;
      } else if (probe.chainError) {
        reason = `serves the new certificate, but a client would reject its chain (${probe.chainError})${t.caBundle ? '' : '; for a private CA give the target --ca-bundle'}`;
      } else {
        ctx.log(`${key}: serves the new certificate (SHA-256 ${short(want)}, attempt ${attempt})`);
        ctx.domain(key, 'succeeded');
        return { key, ok: true };
      }
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
  const anchors = await trustAnchors(t, ctx);
  // Names are checked side by side: one slow endpoint must not eat the others' time.
  const settled = await Promise.allSettled(hosts.map((h, i) => verifyOne(h, keys[i]!, t, ctx, anchors)));
  const broken = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (broken) throw broken.reason;
  const results = settled.map((s) => (s as PromiseFulfilledResult<HostResult>).value);
  const failed = results.filter((r): r is Extract<HostResult, { ok: false }> => !r.ok);
  if (failed.length > 0) {
    const list = failed.map((f) => `${f.key}: ${f.reason}`).join('; ');
    throw new DeployTargetError('verify-failed', `${failed.length} of ${hosts.length} not serving the new certificate: ${list}`);
  }
}

/**
 * The roots a client of these endpoints trusts: the system's, plus the target's CA bundle. Without a bundle, the
 * top of the issuer chain stored with the certificate stands in (certdeck checked at issuance that it signed the
 * leaf), so a private or lab CA still gets its chain and name checked without extra configuration.
 */
async function trustAnchors(t: VerifyTarget, ctx: TargetContext): Promise<string[]> {
  if (t.caBundle !== undefined) {
    let pem: string;
    try {
      pem = await readFile(t.caBundle, 'utf8');
    } catch (err) {
      throw new DeployTargetError('ca-bundle-unreadable', `cannot read the CA bundle ${t.caBundle}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const roots = splitPemBundle(pem);
    if (roots.length === 0) throw new DeployTargetError('ca-bundle-empty', `${t.caBundle} holds no PEM certificate`);
    return [...rootCertificates, ...roots];
  }
  const top = splitPemBundle(ctx.bundle.chainPem).at(-1);
  return top ? [...rootCertificates, top] : [...rootCertificates];
}
