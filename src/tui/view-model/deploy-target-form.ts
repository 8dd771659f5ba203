import type { DeployTargetInput, DeployTargetKind } from '../../engine/api.js';

/**
 * The add-target form's values and the checks that are cheap to make as it is typed (something entered, paths
 * absolute, quotes closed), apart from the widgets. Everything else (ids, variable names, hosts, whether the
 * directory or program exists) is the engine's to judge, with the messages `certdeck deploy add` gives.
 */

export const TARGET_KINDS: ReadonlyArray<{ value: DeployTargetKind; label: string; tag: string }> = [
  { value: 'files', label: 'files', tag: 'copy the certificate and key into a directory' },
  { value: 'command', label: 'command', tag: 'run a program (no shell), e.g. to reload a server' },
  { value: 'pfx', label: 'pfx', tag: 'write a PKCS#12 file for Windows or Java' },
  { value: 'verify', label: 'verify', tag: 'check the servers now serve the new certificate' },
];

export interface TargetFormValues {
  kind: DeployTargetKind;
  dir: string;
  program: string;
  args: string;
  out: string;
  /** The NAME of the variable holding the PFX password; the form never asks for the password itself. */
  passwordEnv: string;
  hosts: string;
  id: string;
}

export const EMPTY_TARGET_FORM: TargetFormValues = { kind: 'files', dir: '', program: '', args: '', out: '', passwordEnv: '', hosts: '', id: '' };

export type TargetTextField = Exclude<keyof TargetFormValues, 'kind'>;
export type TargetFieldId = 'kind' | TargetTextField | 'submit';

const KIND_FIELDS: Record<DeployTargetKind, TargetTextField[]> = {
  files: ['dir'],
  command: ['program', 'args'],
  pfx: ['out', 'passwordEnv'],
  verify: ['hosts'],
};

/** The fields shown for a kind, top to bottom. */
export function targetFields(kind: DeployTargetKind): TargetFieldId[] {
  return ['kind', ...KIND_FIELDS[kind], 'id', 'submit'];
}

/**
 * Arguments as typed, split the one documented way: spaces separate them; single or double quotes keep spaces
 * inside one ('a b' is one argument) and are removed. Nothing else is special (no $VARIABLES, globs, pipes or
 * backslash escapes): the program is started directly, never through a shell.
 */
export function splitArgs(text: string): { args: string[] } | { error: string } {
  const args: string[] = [];
  let current = '';
  let started = false;
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) return { error: `close the ${quote} quote` };
  if (started) args.push(current);
  return { args };
}

/** Host specs separated by commas or spaces, each passed on as typed for the engine to parse. */
export function splitHosts(text: string): string[] {
  return text.split(/[\s,]+/).filter((h) => h !== '');
}

export interface TargetFormCheck {
  input?: DeployTargetInput;
  errors: Partial<Record<TargetTextField, string>>;
}

function absolute(value: string, example: string): string | undefined {
  if (value === '') return `enter a path, e.g. ${example}`;
  return value.startsWith('/') ? undefined : 'use an absolute path (starting with /)';
}

/** The input for engine.addDeployTarget, or what to fix in each field. */
export function checkTargetForm(values: TargetFormValues): TargetFormCheck {
  const v = Object.fromEntries(Object.entries(values).map(([k, x]) => [k, x.trim()])) as unknown as TargetFormValues;
  const errors: TargetFormCheck['errors'] = {};
  const set = (field: TargetTextField, error: string | undefined) => {
    if (error !== undefined) errors[field] = error;
  };
  let input: DeployTargetInput | undefined;
  switch (v.kind) {
    case 'files':
      set('dir', absolute(v.dir, '/etc/ssl/example.com'));
      input = { kind: 'files', dir: v.dir };
      break;
    case 'command': {
      if (v.program === '') set('program', 'enter the program, e.g. /usr/sbin/nginx or systemctl');
      else if (/\s/.test(v.program)) set('program', 'only the program here; its arguments go in the next field');
      else if (v.program.includes('/') && !v.program.startsWith('/')) set('program', 'give the full path (starting with /) or a bare name found on PATH');
      const split = splitArgs(values.args);
      if ('error' in split) set('args', split.error);
      input = { kind: 'command', argv: [v.program, ...('args' in split ? split.args : [])] };
      break;
    }
    case 'pfx':
      set('out', absolute(v.out, '/srv/app/example.pfx'));
      if (v.passwordEnv === '') set('passwordEnv', 'enter the name of the variable that holds the password, e.g. PFX_PASSWORD');
      input = { kind: 'pfx', out: v.out, passwordEnv: v.passwordEnv };
      break;
    case 'verify':
      input = { kind: 'verify', hosts: splitHosts(v.hosts) };
      break;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { input: v.id === '' ? input : { ...input, id: v.id }, errors };
}
