import type { ProfileChoice } from '../api.js';
import { BadInputError } from '../core/errors.js';
import type { AcmeSession } from '../acme/session.js';
import type { ResolvedCa } from '../ca/catalog.js';

/**
 * What a newOrder carries besides the names, decided from the CA's directory (already loaded by the session, so
 * no extra request): the profile, when the CA lists it, and ARI's `replaces`, when the order renews a certificate of
 * this very CA and the CA advertises renewalInfo (RFC 9773 5: never sent to a CA without it).
 */
export async function orderExtras(
  session: AcmeSession,
  ca: ResolvedCa,
  want: { profile?: ProfileChoice; replacing?: { certId: string; directoryUrl: string } },
  warn: (message: string) => void,
): Promise<{ profile?: string; replaces?: string }> {
  const dir = await session.loadDirectory();
  let profile: string | undefined;
  if (want.profile) {
    const offered = dir.meta?.profiles ?? {};
    const names = Object.keys(offered);
    if (Object.hasOwn(offered, want.profile.name)) {
      profile = want.profile.name;
    } else if (want.profile.required) {
      throw new BadInputError(
        'profile-not-offered',
        `${ca.name} does not offer the certificate profile "${want.profile.name}" (its directory lists ${names.length ? names.join(', ') : 'no profiles'}); nothing was ordered.`,
        names.length ? `Pick one of ${names.join(', ')} with --require-profile, or use --profile to fall back to the CA's default.` : 'Drop --require-profile for this CA, or choose a CA that offers profiles.',
      );
    } else {
      warn(`${ca.name} does not list the profile "${want.profile.name}" (${names.length ? `offered: ${names.join(', ')}` : 'it lists no profiles'}); ordering without a profile, so the CA's default applies.`);
    }
  }
  const replaces = want.replacing && dir.renewalInfo && want.replacing.directoryUrl === ca.directoryUrl ? want.replacing.certId : undefined;
  return { ...(profile ? { profile } : {}), ...(replaces ? { replaces } : {}) };
}

/** The CA's profiles, for the issue form and the setup (name and description, as its directory lists them). */
export async function caProfiles(session: AcmeSession): Promise<Array<{ name: string; description: string }>> {
  const dir = await session.loadDirectory();
  // Text from the CA goes to a terminal: no control characters.
  // eslint-disable-next-line no-control-regex
  const clean = (t: unknown): string => String(t).replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, 200);
  return Object.entries(dir.meta?.profiles ?? {}).map(([name, description]) => ({ name: clean(name), description: clean(description) }));
}
