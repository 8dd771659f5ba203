import type { CaInfo } from '../../engine/api.js';

/**
 * How the CA picker and the issue form list the catalog: which CAs are the local sandbox's, whether it runs, and
 * the order to show them in.
 */

/** The CAs `certdeck sandbox start` runs on this machine (assets/ca-catalog.json entries with source "sandbox"). */
const SANDBOX_CA_IDS: ReadonlySet<string> = new Set(['sandbox', 'sandbox-b']);

export function isSandboxCa(ca: Pick<CaInfo, 'id'>): boolean {
  return SANDBOX_CA_IDS.has(ca.id);
}

/** listCas() gives a sandbox CA its directory URL only while the sandbox runs (and '' otherwise). */
export function isRunningSandboxCa(ca: Pick<CaInfo, 'id' | 'directoryUrl'>): boolean {
  return isSandboxCa(ca) && ca.directoryUrl !== '';
}

/**
 * Catalog order, except that running sandbox CAs come first: whoever started a sandbox is about to use it, and
 * should not have to scroll past a dozen public CAs to reach it (nor pick one by accident as the form's default).
 */
export function casInPickerOrder(cas: readonly CaInfo[]): CaInfo[] {
  return [...cas.filter(isRunningSandboxCa), ...cas.filter((ca) => !isRunningSandboxCa(ca))];
}

/** A staging or test CA (the sandbox's too): its certificates are not trusted by browsers. */
export function isTestCa(ca: Pick<CaInfo, 'staging'>): boolean {
  return ca.staging;
}

export const PRODUCTION_GROUP = 'Production CAs';
export const TEST_GROUP = 'Staging and test CAs (certificates not trusted)';

/**
 * The CAs a switch may go to, in two groups: the order's own kind first (production for a production order), so the
 * preselected first entry is never a staging CA for a production order, and a staging CA is never one key away
 * from a production one. Within the test group, running sandbox CAs come first.
 */
export function casForSwitch(cas: readonly CaInfo[], order: { caId: string }, ownIsTest: boolean): Array<{ ca: CaInfo; group: string }> {
  const others = casInPickerOrder(cas).filter((ca) => ca.id !== order.caId);
  const production = others.filter((ca) => !isTestCa(ca)).map((ca) => ({ ca, group: PRODUCTION_GROUP }));
  const test = others.filter(isTestCa).map((ca) => ({ ca, group: TEST_GROUP }));
  return ownIsTest ? [...test, ...production] : [...production, ...test];
}
