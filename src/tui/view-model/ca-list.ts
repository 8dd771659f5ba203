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
