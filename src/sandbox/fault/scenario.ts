import { BadInputError } from '../../engine/core/errors.js';
import { isResourceMatch, RESOURCE_MATCHES, type ResourceMatch } from './resource.js';

/**
 * What the fault proxy injects, as a list of rules that all apply at once. This is also the JSON accepted by
 * `--fault <file.json>` and `PUT /scenario`. In JSON every field is explicit: an absent `count` means "every
 * matching request" and an absent `retryAfterSeconds` means "no Retry-After header" (the `--fault` shorthands fill
 * in friendlier defaults).
 */
export interface FaultScenario {
  rules: FaultRule[];
}

export type FaultRule =
  | HangProcessingRule
  | OrderNotReadyRule
  | RejectRule
  | BadNonceRule
  | LatencyRule
  | ResetRule
  | ClockSkewRule;

/** Holds orders in "processing": a valid order is shown as processing, without its certificate URL. */
export interface HangProcessingRule {
  kind: 'hang-processing';
  /** How long after the proxy first saw an order processing it is held; absent or null: forever. */
  seconds?: number | null;
  /** Retry-After (seconds) on processing order responses. */
  retryAfterSeconds?: number;
}

/** Forwards finalize (the order really moves on) but answers 403 orderNotReady. */
export interface OrderNotReadyRule {
  kind: 'order-not-ready-after-finalize';
  count?: number;
}

/** Answers 429 rateLimited or 503 instead of forwarding. */
export interface RejectRule {
  kind: 'rate-limit' | 'unavailable';
  match?: ResourceMatch;
  count?: number;
  retryAfterSeconds?: number;
  /** Retry-After as delta-seconds (default) or as an HTTP-date that many seconds ahead. */
  retryAfterFormat?: 'seconds' | 'http-date';
}

/** Answers signed POSTs 400 badNonce (with a fresh, valid Replay-Nonce) instead of forwarding. */
export interface BadNonceRule {
  kind: 'bad-nonce';
  match?: ResourceMatch;
  count?: number;
  /** Reject this share (0-100) of matching POSTs instead of the first `count`. */
  percent?: number;
}

export interface LatencyRule {
  kind: 'latency';
  ms: number;
  match?: ResourceMatch;
}

/** Destroys the connection without any response. */
export interface ResetRule {
  kind: 'reset';
  match?: ResourceMatch;
  count?: number;
}

/** Sends every response with a Date header this many seconds off the proxy's clock (positive: the CA runs ahead). */
export interface ClockSkewRule {
  kind: 'clock-skew';
  seconds: number;
}

export const FAULT_KINDS = [
  'hang-processing',
  'order-not-ready-after-finalize',
  'rate-limit',
  'unavailable',
  'bad-nonce',
  'latency',
  'reset',
  'clock-skew',
] as const;

export const NO_FAULTS: FaultScenario = { rules: [] };

/** Checks untrusted JSON (a file, a PUT body) and returns it as a scenario, or says exactly what is wrong. */
export function parseScenarioJson(value: unknown, source = 'scenario'): FaultScenario {
  const fail = (what: string): never => {
    throw new BadInputError(
      'bad-fault-scenario',
      `${source}: ${what}`,
      `A scenario is {"rules": [...]}, each rule with "kind" one of ${FAULT_KINDS.join(', ')}.`,
    );
  };
  if (!isObject(value) || !Array.isArray(value.rules)) return fail('expected an object with a "rules" array');
  const rules = value.rules.map((raw: unknown, i): FaultRule => {
    const at = `rules[${i}]`;
    if (!isObject(raw)) return fail(`${at} is not an object`);
    const field = new FieldReader(raw, at, fail);
    switch (raw.kind) {
      case 'hang-processing': {
        const seconds = raw.seconds === null ? null : field.number('seconds', { min: 0 });
        return compact({ kind: raw.kind, seconds, retryAfterSeconds: field.number('retryAfterSeconds', { min: 0 }) });
      }
      case 'order-not-ready-after-finalize':
        return compact({ kind: raw.kind, count: field.count() });
      case 'rate-limit':
      case 'unavailable': {
        const format = raw.retryAfterFormat;
        if (format !== undefined && format !== 'seconds' && format !== 'http-date') {
          return fail(`${at}.retryAfterFormat must be "seconds" or "http-date"`);
        }
        return compact({
          kind: raw.kind,
          match: field.match(),
          count: field.count(),
          retryAfterSeconds: field.number('retryAfterSeconds', { min: 0 }),
          retryAfterFormat: format,
        });
      }
      case 'bad-nonce':
        return compact({
          kind: raw.kind,
          match: field.match(),
          count: field.count(),
          percent: field.number('percent', { min: 0, max: 100 }),
        });
      case 'latency': {
        const ms = field.number('ms', { min: 0 });
        if (ms === undefined) return fail(`${at}.ms is required for latency`);
        return compact({ kind: raw.kind, ms, match: field.match() });
      }
      case 'reset':
        return compact({ kind: raw.kind, match: field.match(), count: field.count() });
      case 'clock-skew': {
        const seconds = field.number('seconds', {});
        if (seconds === undefined) return fail(`${at}.seconds is required for clock-skew`);
        return { kind: raw.kind, seconds };
      }
      default:
        return fail(`${at}.kind ${JSON.stringify(raw.kind)} is not one of ${FAULT_KINDS.join(', ')}`);
    }
  });
  return { rules };
}

class FieldReader {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly at: string,
    private readonly fail: (what: string) => never,
  ) {}

  number(name: string, range: { min?: number; max?: number }): number | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(`${this.at}.${name} must be a number`);
    if (range.min !== undefined && v < range.min) return this.fail(`${this.at}.${name} must be at least ${range.min}`);
    if (range.max !== undefined && v > range.max) return this.fail(`${this.at}.${name} must be at most ${range.max}`);
    return v;
  }

  count(): number | undefined {
    const v = this.number('count', { min: 0 });
    if (v !== undefined && !Number.isInteger(v)) return this.fail(`${this.at}.count must be a whole number`);
    return v;
  }

  match(): ResourceMatch | undefined {
    const v = this.raw.match;
    if (v === undefined) return undefined;
    if (!isResourceMatch(v)) return this.fail(`${this.at}.match must be one of ${RESOURCE_MATCHES.join(', ')}`);
    return v;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Drops undefined fields so a scenario round-trips through JSON unchanged. */
function compact<T extends object>(rule: T): T {
  return Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as T;
}
