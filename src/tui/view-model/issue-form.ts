import type { CaInfo, ChallengeConfig, IssueDefaults, IssueRequest, StoredRequestInfo } from '../../engine/api.js';
import type { KeyType } from '../../engine/events.js';
import type { DomainValidator } from '../types.js';
import { isSandboxCa } from './ca-list.js';

/**
 * The issue form's values and their validation, apart from the widgets, so what the form accepts is testable
 * without a terminal.
 */

export const KEY_TYPES: ReadonlyArray<{ value: KeyType; label: string }> = [
  { value: 'ec-p256', label: 'ec-p256 (default, fast, widely supported)' },
  { value: 'ec-p384', label: 'ec-p384' },
  { value: 'rsa-2048', label: 'rsa-2048 (for old clients)' },
  { value: 'rsa-3072', label: 'rsa-3072' },
  { value: 'rsa-4096', label: 'rsa-4096 (slow to generate)' },
];

export type ChallengeChoice = 'http-01-standalone' | 'http-01-webroot';

export const CHALLENGES: ReadonlyArray<{ value: ChallengeChoice; label: string }> = [
  { value: 'http-01-standalone', label: 'standalone http-01 (certdeck answers on port 80)' },
  { value: 'http-01-webroot', label: 'webroot http-01 (files under a web server root)' },
];

/**
 * The challenge methods as offered for `ca`. A public CA validates HTTP-01 on port 80; the sandbox's Pebble
 * validates on the port the sandbox was started with, and the engine listens there for a sandbox CA.
 */
export function challengeChoices(ca: Pick<CaInfo, 'id'> | undefined): Array<{ value: ChallengeChoice; label: string }> {
  if (!ca || !isSandboxCa(ca)) return [...CHALLENGES];
  return CHALLENGES.map((c) =>
    c.value === 'http-01-standalone' ? { ...c, label: "standalone http-01 (certdeck answers on the sandbox's validation port)" } : c,
  );
}

export interface IssueFormValues {
  names: string;
  ca: string;
  keyType: KeyType;
  challenge: ChallengeChoice;
  webroot: string;
  eabKid: string;
  eabHmacKey: string;
}

/** A renew from the dashboard: the certificate, and the request stored for it (if any) to start from. */
export interface RenewTarget {
  certName: string;
  domains: string[];
  caId: string;
  stored?: StoredRequestInfo;
}

/**
 * The form's first values: for a renew, the certificate's stored request (what obtained it); otherwise the
 * settings' defaults. `cas` is the picker's list; a CA not in it (a directory URL) falls back to its first entry.
 */
export function initialFormValues(cas: readonly Pick<CaInfo, 'id'>[], defaults: IssueDefaults, renew?: RenewTarget): IssueFormValues {
  const known = (id: string | undefined): string | undefined => (id !== undefined && cas.some((c) => c.id === id) ? id : undefined);
  const stored = renew?.stored;
  const challenge = stored?.challenge;
  return {
    names: renew?.domains.join(', ') ?? '',
    ca: known(stored?.ca) ?? known(renew?.caId) ?? known(defaults.ca) ?? cas[0]?.id ?? '',
    keyType: stored?.keyType ?? defaults.keyType,
    challenge: challenge?.method === 'http-01-webroot' ? 'http-01-webroot' : 'http-01-standalone',
    webroot: challenge?.method === 'http-01-webroot' ? challenge.webroot : '',
    eabKid: '',
    eabHmacKey: '',
  };
}

export interface NameProblem {
  raw: string;
  reason: string;
}

export interface ParsedNames {
  names: string[];
  problems: NameProblem[];
}

/** Splits on commas and white space and checks each name as it is typed; every bad name keeps its own reason. */
export function parseNames(text: string, validate: DomainValidator): ParsedNames {
  const names: string[] = [];
  const problems: NameProblem[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/[\s,]+/)) {
    if (raw === '') continue;
    const result = validate(raw);
    if (!result.ok) {
      problems.push({ raw, reason: result.reason });
      continue;
    }
    if (seen.has(result.name)) {
      problems.push({ raw, reason: 'listed twice' });
      continue;
    }
    seen.add(result.name);
    names.push(result.name);
  }
  return { names, problems };
}

export interface FormCheck {
  request?: IssueRequest;
  /** Field id -> what is wrong with it. */
  errors: Partial<Record<'names' | 'ca' | 'webroot' | 'eab', string>>;
  nameProblems: NameProblem[];
}

/** Turns the form into an IssueRequest, or says for each field what to fix. */
export function checkIssueForm(values: IssueFormValues, validate: DomainValidator, eabRequired: boolean): FormCheck {
  const { names, problems } = parseNames(values.names, validate);
  const errors: FormCheck['errors'] = {};
  if (problems.length > 0) errors.names = `fix ${problems.length === 1 ? 'the name' : `${problems.length} names`} marked below`;
  else if (names.length === 0) errors.names = 'enter at least one name, e.g. example.com';
  if (values.ca === '') errors.ca = 'choose a CA';
  const webroot = values.webroot.trim();
  if (values.challenge === 'http-01-webroot') {
    if (webroot === '') errors.webroot = 'enter the web server root, e.g. /var/www/html';
    else if (!webroot.startsWith('/')) errors.webroot = 'use an absolute path (starting with /)';
  }
  const kid = values.eabKid.trim();
  const hmac = values.eabHmacKey.trim();
  // Both or neither: with neither, the engine uses the credentials already saved for the CA.
  if (eabRequired && (kid === '') !== (hmac === '')) errors.eab = 'give both the EAB key id and the HMAC key, or neither';
  if (Object.keys(errors).length > 0) return { errors, nameProblems: problems };
  const challenge: ChallengeConfig =
    values.challenge === 'http-01-webroot' ? { method: 'http-01-webroot', webroot } : { method: 'http-01-standalone' };
  const request: IssueRequest = { domains: names, ca: values.ca, keyType: values.keyType, challenge };
  if (eabRequired && kid !== '' && hmac !== '') request.eab = { kid, hmacKey: hmac };
  return { request, errors, nameProblems: problems };
}
