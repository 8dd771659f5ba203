import path from 'node:path';
import type { ChallengeConfig, Dns01Config } from '../engine/api.js';
import { BadInputError } from '../engine/core/errors.js';
import { parseDuration } from '../engine/policy.js';
import type { IssueCliOptions } from './issue.cli.js';

/** --challenge and its flags -> the ChallengeConfig stored with the request; flags of another type are refused. */
/**
 * The challenge the flags ask for, or undefined when no challenge flag was given: the certificate's stored request
 * (or the default, standalone http-01) then decides.
 */
export function challengeFromFlags(opts: IssueCliOptions, httpPort: number | undefined): ChallengeConfig | undefined {
  const type = opts.challenge ?? 'http-01';
  const dnsFlags = [opts.dnsHook && '--dns-hook', opts.dnsAuthHook && '--dns-auth-hook', opts.dnsCleanupHook && '--dns-cleanup-hook', opts.dnsHookTimeout && '--dns-hook-timeout', opts.dnsResolver?.length && '--dns-resolver', opts.dnsPropagation && '--dns-propagation', opts.dnsPropagationTimeout && '--dns-propagation-timeout'].filter(Boolean);
  const httpFlags = [opts.webroot && '--webroot', opts.httpPort && '--http-port'].filter(Boolean);
  const refuse = (flags: unknown[], owner: string): void => {
    if (flags.length) throw new BadInputError('conflicting-challenge', `${flags.join(', ')} ${flags.length === 1 ? 'belongs' : 'belong'} to ${owner}, but --challenge is ${type}.`, `Pass --challenge ${owner}, or drop ${flags.join(', ')}.`);
  };
  if (type !== 'dns-01') refuse(dnsFlags, 'dns-01');
  if (type !== 'http-01') refuse(httpFlags, 'http-01');
  if (type !== 'tls-alpn-01' && opts.tlsAlpnPort) refuse(['--tls-alpn-port'], 'tls-alpn-01');
  if (type === 'tls-alpn-01') {
    const port = opts.tlsAlpnPort === undefined ? undefined : portNumber(opts.tlsAlpnPort, '--tls-alpn-port');
    return { method: 'tls-alpn-01', ...(opts.httpAddress ? { host: opts.httpAddress } : {}), ...(port === undefined ? {} : { port }) };
  }
  if (type === 'dns-01') {
    const config: Dns01Config = {
      method: 'dns-01',
      ...(opts.dnsHook ? { hook: hookPath(opts.dnsHook) } : {}),
      ...(opts.dnsAuthHook ? { authHook: hookPath(opts.dnsAuthHook) } : {}),
      ...(opts.dnsCleanupHook ? { cleanupHook: hookPath(opts.dnsCleanupHook) } : {}),
      ...(opts.dnsHookTimeout ? { hookTimeoutMs: duration(opts.dnsHookTimeout, '--dns-hook-timeout') } : {}),
      ...(opts.dnsResolver?.length ? { resolvers: opts.dnsResolver.map((r) => r.trim()) } : {}),
      ...(opts.dnsPropagationTimeout ? { propagationTimeoutMs: duration(opts.dnsPropagationTimeout, '--dns-propagation-timeout') } : {}),
      ...propagationFlag(opts.dnsPropagation),
    };
    // The engine checks the hook choice and the resolvers (for orders from anywhere, not only this command).
    return config;
  }
  if (opts.challenge === undefined && !opts.webroot && !opts.httpAddress && httpPort === undefined) return undefined;
  return opts.webroot
    ? { method: 'http-01-webroot', webroot: opts.webroot }
    : { method: 'http-01-standalone', ...(opts.httpAddress ? { host: opts.httpAddress } : {}), ...(httpPort === undefined ? {} : { port: httpPort }) };
}

/** Stored requests outlive the working directory: a relative hook path is made absolute now. */
function hookPath(text: string): string {
  return text.includes('/') ? path.resolve(text) : text;
}

function propagationFlag(text: string | undefined): Pick<Dns01Config, 'propagation' | 'propagationWaitMs'> {
  if (text === undefined) return {};
  if (text === 'authoritative' || text === 'resolvers') return { propagation: text };
  if (text.startsWith('wait:')) return { propagation: 'wait', propagationWaitMs: duration(text.slice('wait:'.length), '--dns-propagation wait:') };
  throw new BadInputError('bad-dns-propagation', `--dns-propagation ${JSON.stringify(text)} is not authoritative, resolvers or wait:DURATION.`, 'Examples: --dns-propagation authoritative, --dns-propagation resolvers --dns-resolver 192.0.2.53, --dns-propagation wait:90s.');
}

function duration(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new BadInputError('bad-duration', `${flag} ${JSON.stringify(text)} is not a duration.`, 'Use a number with s, m or h (e.g. 30s, 5m); a bare number is seconds.');
  return ms;
}

function portNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new BadInputError('bad-port', `${flag} ${JSON.stringify(text)} is not a port number (1-65535).`);
  return n;
}
