import type { Dns01Config } from '../../api.js';
import { BadInputError } from '../../core/errors.js';
import type { PropagationOptions } from './propagation.js';

export const DEFAULT_PROPAGATION_TIMEOUT_MS = 120_000;

/**
 * The propagation check a dns-01 config asks for. Without a mode: check the given resolvers when there are any,
 * else the zone's authoritative servers. A CA whose own DNS is known (the sandbox's pebble-challtestsrv, which
 * answers no SOA/NS queries) counts as a given resolver.
 */
export function propagationOptions(config: Dns01Config, caDns?: string): PropagationOptions {
  const resolvers = config.resolvers?.length ? config.resolvers : caDns ? [caDns] : [];
  const mode = config.propagation ?? (resolvers.length ? 'resolvers' : 'authoritative');
  if (mode === 'resolvers' && resolvers.length === 0) {
    throw new BadInputError('dns-resolvers-missing', '--dns-propagation resolvers needs at least one --dns-resolver HOST[:PORT].', 'Name the resolvers to check, or use --dns-propagation authoritative.');
  }
  return {
    mode,
    resolvers,
    timeoutMs: config.propagationTimeoutMs ?? DEFAULT_PROPAGATION_TIMEOUT_MS,
    ...(mode === 'wait' ? { waitMs: config.propagationWaitMs ?? 0 } : {}),
  };
}
