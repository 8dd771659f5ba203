import path from 'node:path';
import type { DeployTargetKind } from '../events.js';
import { formatVerifyHost, parseVerifyHost } from './host-spec.js';
import {
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  type DeployTarget,
  type DeployTargetsFile,
  type FilePlacement,
  type PfxAlgorithm,
  type RetrySettings,
  type VerifyHost,
} from './types.js';

/**
 * Checks a targets file (or one target built by `deploy add`) field by field and fills defaults, so the runner only
 * ever sees complete, well-typed targets. Every complaint names the field (`targets[2].argv`) so the user can fix the
 * file by hand.
 */

export class TargetSchemaError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'TargetSchemaError';
  }
}

export const TARGET_KINDS: readonly DeployTargetKind[] = ['files', 'command', 'pfx', 'verify'];
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** `--only failed` means "whatever did not succeed last time", so no target may be called that. */
export const RESERVED_IDS: ReadonlySet<string> = new Set(['failed', 'all']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OWNER = /^(?=.)[^:\s]*(:[^:\s]*)?$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, where: string, required: true): string;
function str(o: Obj, key: string, where: string, required?: false): string | undefined;
function str(o: Obj, key: string, where: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined) {
    if (required) throw new TargetSchemaError(`${where}.${key}`, 'is required');
    return undefined;
  }
  if (typeof v !== 'string' || v === '') throw new TargetSchemaError(`${where}.${key}`, 'must be a non-empty string');
  return v;
}

function absPath(o: Obj, key: string, where: string, required = false): string | undefined {
  const v = required ? str(o, key, where, true) : str(o, key, where);
  if (v !== undefined && !path.isAbsolute(v)) throw new TargetSchemaError(`${where}.${key}`, `"${v}" must be an absolute path`);
  return v;
}

function int(o: Obj, key: string, where: string, dflt: number, min: number, max: number): number {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new TargetSchemaError(`${where}.${key}`, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

function bool(o: Obj, key: string, where: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TargetSchemaError(`${where}.${key}`, 'must be true or false');
  return v;
}

function retries(o: Obj, where: string): RetrySettings {
  const v = o.retries;
  if (v === undefined) return { ...DEFAULT_RETRIES };
  if (!isObj(v)) throw new TargetSchemaError(`${where}.retries`, 'must be an object like {"count": 2, "backoffMs": 2000}');
  return {
    count: int(v, 'count', `${where}.retries`, DEFAULT_RETRIES.count, 0, 20),
    backoffMs: int(v, 'backoffMs', `${where}.retries`, DEFAULT_RETRIES.backoffMs, 0, 3_600_000),
  };
}

function placement(o: Obj, where: string): FilePlacement | undefined {
  const v = o.paths;
  if (v === undefined) return undefined;
  if (!isObj(v)) throw new TargetSchemaError(`${where}.paths`, 'must be an object with cert, chain, fullchain and/or key');
  const out: FilePlacement = {};
  for (const key of ['cert', 'chain', 'fullchain', 'key'] as const) {
    const p = absPath(v, key, `${where}.paths`);
    if (p !== undefined) out[key] = p;
  }
  for (const key of Object.keys(v)) {
    if (!['cert', 'chain', 'fullchain', 'key'].includes(key)) {
      throw new TargetSchemaError(`${where}.paths.${key}`, 'unknown file; use cert, chain, fullchain or key');
    }
  }
  return out;
}

function verifyHosts(o: Obj, where: string): VerifyHost[] {
  const v = o.hosts ?? [];
  if (!Array.isArray(v)) throw new TargetSchemaError(`${where}.hosts`, 'must be a list');
  return v.map((h, i) => {
    const at = `${where}.hosts[${i}]`;
    // Hosts may be written by hand as "name@address:port" strings; both forms go through the same parser.
    let spec: string;
    if (typeof h === 'string') spec = h;
    else if (isObj(h)) {
      const name = str(h, 'name', at, true);
      const address = str(h, 'address', at);
      const port = h.port === undefined ? undefined : int(h, 'port', at, 443, 1, 65535);
      spec = formatVerifyHost({ name, ...(address === undefined ? {} : { address }), ...(port === undefined ? {} : { port }) });
    } else throw new TargetSchemaError(at, 'must be "name[@address][:port]" or {name, address?, port?}');
    try {
      return parseVerifyHost(spec);
    } catch (err) {
      throw new TargetSchemaError(at, err instanceof Error ? err.message : String(err));
    }
  });
}

function shorten(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Validates one target and fills in its defaults. */
export function normalizeTarget(input: unknown, where: string): DeployTarget {
  if (!isObj(input)) throw new TargetSchemaError(where, 'must be an object');
  const kind = input.kind;
  if (typeof kind !== 'string' || !(TARGET_KINDS as readonly string[]).includes(kind)) {
    throw new TargetSchemaError(`${where}.kind`, `must be one of ${TARGET_KINDS.join(', ')}`);
  }
  const id = str(input, 'id', where, true);
  if (!ID.test(id)) throw new TargetSchemaError(`${where}.id`, `"${id}" may only hold letters, digits, ".", "_" and "-" (max 64)`);
  if (RESERVED_IDS.has(id)) throw new TargetSchemaError(`${where}.id`, `"${id}" is reserved for --only`);
  const label = str(input, 'label', where);
  const common = {
    id,
    timeoutMs: int(input, 'timeoutMs', where, DEFAULT_TIMEOUT_MS[kind as DeployTargetKind], 1, 86_400_000),
    retries: retries(input, where),
    continueOnFailure: bool(input, 'continueOnFailure', where, true),
  };
  switch (kind as DeployTargetKind) {
    case 'files': {
      const dir = absPath(input, 'dir', where);
      const paths = placement(input, where);
      if (dir === undefined && (paths === undefined || Object.keys(paths).length === 0)) {
        throw new TargetSchemaError(where, 'a files target needs "dir" or at least one entry in "paths"');
      }
      const owner = str(input, 'owner', where);
      if (owner !== undefined && !OWNER.test(owner)) {
        throw new TargetSchemaError(`${where}.owner`, `"${owner}" must look like user:group, user, :group or uid:gid`);
      }
      const shown = dir ?? Object.values(paths ?? {}).join(', ');
      return {
        kind: 'files',
        ...common,
        label: label ?? shorten(`files -> ${shown}`),
        ...(dir === undefined ? {} : { dir }),
        ...(paths === undefined ? {} : { paths }),
        ...(owner === undefined ? {} : { owner }),
        keyMode: int(input, 'keyMode', where, 0o600, 0, 0o777),
        certMode: int(input, 'certMode', where, 0o644, 0, 0o777),
      };
    }
    case 'command': {
      const argv = input.argv;
      if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a): a is string => typeof a === 'string') || argv[0] === '') {
        throw new TargetSchemaError(`${where}.argv`, 'must be a non-empty list of strings (program first)');
      }
      const cwd = absPath(input, 'cwd', where);
      const envIn = input.env;
      let env: Record<string, string> | undefined;
      if (envIn !== undefined) {
        if (!isObj(envIn)) throw new TargetSchemaError(`${where}.env`, 'must be an object of strings');
        env = {};
        for (const [k, v] of Object.entries(envIn)) {
          if (!ENV_NAME.test(k) || typeof v !== 'string') throw new TargetSchemaError(`${where}.env.${k}`, 'must be a string under a valid variable name');
          env[k] = v;
        }
      }
      return {
        kind: 'command',
        ...common,
        label: label ?? shorten(`run ${argv.join(' ')}`),
        argv: [...argv],
        ...(cwd === undefined ? {} : { cwd }),
        ...(env === undefined ? {} : { env }),
        killGraceMs: int(input, 'killGraceMs', where, 2_000, 0, 600_000),
      };
    }
    case 'pfx': {
      const out = absPath(input, 'out', where, true)!;
      const passwordEnv = str(input, 'passwordEnv', where);
      if (passwordEnv !== undefined && !ENV_NAME.test(passwordEnv)) {
        throw new TargetSchemaError(`${where}.passwordEnv`, `"${passwordEnv}" is not a valid environment variable name`);
      }
      const password = input.password;
      if (password !== undefined && typeof password !== 'string') throw new TargetSchemaError(`${where}.password`, 'must be a string');
      if (passwordEnv === undefined && password === undefined) {
        throw new TargetSchemaError(where, 'a pfx target needs "passwordEnv" (preferred) or "password"');
      }
      const algorithm = input.algorithm ?? 'aes256';
      if (algorithm !== 'aes256' && algorithm !== '3des') throw new TargetSchemaError(`${where}.algorithm`, 'must be "aes256" or "3des"');
      const friendlyName = str(input, 'friendlyName', where);
      return {
        kind: 'pfx',
        ...common,
        label: label ?? shorten(`pfx -> ${out}`),
        out,
        ...(passwordEnv === undefined ? {} : { passwordEnv }),
        ...(password === undefined ? {} : { password }),
        ...(friendlyName === undefined ? {} : { friendlyName }),
        algorithm: algorithm as PfxAlgorithm,
      };
    }
    case 'verify': {
      const hosts = verifyHosts(input, where);
      const caBundle = absPath(input, 'caBundle', where);
      return {
        kind: 'verify',
        ...common,
        label: label ?? shorten(`verify ${hosts.length ? hosts.map(formatVerifyHost).join(', ') : 'all names on :443'}`),
        hosts,
        intervalMs: int(input, 'intervalMs', where, 500, 1, 600_000),
        ...(caBundle === undefined ? {} : { caBundle }),
      };
    }
  }
}

export function parseTargetsFile(raw: unknown, certName: string): DeployTargetsFile {
  if (!isObj(raw)) throw new TargetSchemaError('(file)', 'must be a JSON object with "version" and "targets"');
  if (raw.version !== 1) throw new TargetSchemaError('version', `unsupported version ${JSON.stringify(raw.version)} (expected 1)`);
  if (!Array.isArray(raw.targets)) throw new TargetSchemaError('targets', 'must be a list');
  const targets = raw.targets.map((t, i) => normalizeTarget(t, `targets[${i}]`));
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    if (seen.has(t.id)) throw new TargetSchemaError(`targets[${i}].id`, `"${t.id}" is used by an earlier target`);
    seen.add(t.id);
  });
  return { version: 1, certName, targets };
}
