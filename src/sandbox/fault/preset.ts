import { readFileSync } from 'node:fs';
import { BadInputError } from '../../engine/core/errors.js';
import { isResourceMatch, RESOURCE_MATCHES, type ResourceMatch } from './resource.js';
import { NO_FAULTS, parseScenarioJson, type FaultRule, type FaultScenario, type RejectRule } from './scenario.js';

/**
 * Turns a `--fault` value into a scenario: a JSON file when the value names an existing file (or ends in .json),
 * otherwise the shorthand rules of FAULT_SYNTAX_HELP (help-text.ts).
 */
export function parseFaultSpec(spec: string, readText: (file: string) => string = readJsonFile): FaultScenario {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'none') return NO_FAULTS;
  if (looksLikeFile(trimmed)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readText(trimmed));
    } catch (err) {
      throw new BadInputError(
        'bad-fault-scenario',
        `Could not read the fault scenario file ${trimmed}: ${(err as Error).message}`,
        'Pass a readable JSON file of the form {"rules": [...]}, or a shorthand such as hang-processing:30.',
      );
    }
    return parseScenarioJson(parsed, trimmed);
  }
  return { rules: trimmed.split(',').map((part) => parseRule(part.trim())) };
}

function looksLikeFile(spec: string): boolean {
  return spec.endsWith('.json') || spec.includes('/');
}

function readJsonFile(file: string): string {
  return readFileSync(file, 'utf8');
}

function parseRule(text: string): FaultRule {
  const [name = '', ...args] = text.split(':');
  const fail = (what: string): never => {
    throw new BadInputError('bad-fault-spec', `--fault "${text}": ${what}`, 'See `certdeck sandbox start --help` for the --fault syntax.');
  };
  const tooMany = (max: number): void => {
    if (args.length > max) fail(`too many fields (at most ${max} after "${name}")`);
  };
  switch (name) {
    case 'hang-processing': {
      tooMany(2);
      const [duration, retry] = args;
      const seconds = duration === undefined || duration === 'forever' ? null : number(duration, 'SECONDS', fail);
      const rule: FaultRule = { kind: 'hang-processing', seconds };
      if (retry !== undefined) rule.retryAfterSeconds = number(retry, 'RETRY_AFTER', fail);
      return rule;
    }
    case 'order-not-ready':
    case 'order-not-ready-after-finalize':
      tooMany(1);
      return { kind: 'order-not-ready-after-finalize', ...count(args[0] ?? '1', fail) };
    case 'rate-limit':
    case 'unavailable': {
      tooMany(3);
      const [resource = 'new-order', k = '1', retry = '5'] = args;
      return { kind: name, match: match(resource, fail), ...count(k, fail), ...retryAfter(retry, fail) };
    }
    case 'bad-nonce': {
      tooMany(1);
      const arg = args[0] ?? '1';
      if (arg.endsWith('%')) return { kind: 'bad-nonce', percent: number(arg.slice(0, -1), 'P%', fail, 100) };
      return { kind: 'bad-nonce', ...count(arg, fail) };
    }
    case 'latency': {
      tooMany(2);
      const [ms, resource] = args;
      if (ms === undefined) return fail('latency needs milliseconds, e.g. latency:500');
      const rule: FaultRule = { kind: 'latency', ms: number(ms, 'MS', fail) };
      if (resource !== undefined) rule.match = match(resource, fail);
      return rule;
    }
    case 'reset': {
      tooMany(2);
      const [resource = 'new-order', k = '1'] = args;
      return { kind: 'reset', match: match(resource, fail), ...count(k, fail) };
    }
    case 'clock-skew': {
      tooMany(1);
      const text = args[0];
      const seconds = Number(text);
      if (text === undefined || text.trim() === '' || !Number.isFinite(seconds)) return fail('clock-skew needs seconds, e.g. clock-skew:3600 (or -3600)');
      return { kind: 'clock-skew', seconds };
    }
    default:
      return fail(
        `unknown fault "${name}"; known: hang-processing, order-not-ready, rate-limit, unavailable, bad-nonce, latency, reset, clock-skew`,
      );
  }
}

function number(text: string, what: string, fail: (what: string) => never, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > max) return fail(`${what} "${text}" is not a number from 0 to ${max}`);
  return n;
}

/** K: a whole number, or * for every matching request (no count). */
function count(text: string, fail: (what: string) => never): { count?: number } {
  if (text === '*') return {};
  const k = number(text, 'K', fail);
  if (!Number.isInteger(k)) fail(`K "${text}" must be a whole number or *`);
  return { count: k };
}

function match(text: string, fail: (what: string) => never): ResourceMatch {
  return isResourceMatch(text) ? text : fail(`RESOURCE "${text}" is not one of ${RESOURCE_MATCHES.join(', ')}`);
}

function retryAfter(text: string, fail: (what: string) => never): Pick<RejectRule, 'retryAfterSeconds' | 'retryAfterFormat'> {
  if (text === 'none') return {};
  if (text.startsWith('date+')) {
    return { retryAfterSeconds: number(text.slice(5), 'RETRY', fail), retryAfterFormat: 'http-date' };
  }
  return { retryAfterSeconds: number(text, 'RETRY', fail), retryAfterFormat: 'seconds' };
}
