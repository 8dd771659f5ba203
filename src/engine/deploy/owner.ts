import { execa } from 'execa';
import { DeployTargetError } from './errors.js';

/**
 * `owner` follows chown(1): "user", "user:group", "user:" (the user's login group), ":group", or numbers. Names go
 * through getent so NSS sources (LDAP, sssd) work like they do for chown, and are resolved at deploy time because a
 * uid can change between `deploy add` and the run.
 */
export interface ResolvedOwner {
  uid?: number;
  gid?: number;
}

type Lookup = (db: 'passwd' | 'group', key: string) => Promise<string[] | undefined>;

const getent: Lookup = async (db, key) => {
  const r = await execa('getent', [db, key], { reject: false, stdin: 'ignore', timeout: 10_000 });
  if (r.exitCode !== 0 || typeof r.stdout !== 'string' || r.stdout === '') return undefined;
  return r.stdout.split('\n')[0]!.split(':');
};

export async function resolveOwner(spec: string, lookup: Lookup = getent): Promise<ResolvedOwner> {
  const [userPart = '', groupPart] = spec.split(':');
  const out: ResolvedOwner = {};
  if (userPart !== '') {
    if (/^\d+$/.test(userPart)) out.uid = Number(userPart);
    else {
      const entry = await lookup('passwd', userPart);
      if (!entry) throw new DeployTargetError('unknown-user', `owner ${spec}: no user "${userPart}" on this system`, { hint: 'Create the user or fix --owner.' });
      out.uid = Number(entry[2]);
      if (groupPart === '') out.gid = Number(entry[3]);
    }
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (/^\d+$/.test(groupPart)) out.gid = Number(groupPart);
    else {
      const entry = await lookup('group', groupPart);
      if (!entry) throw new DeployTargetError('unknown-group', `owner ${spec}: no group "${groupPart}" on this system`, { hint: 'Create the group or fix --owner.' });
      out.gid = Number(entry[2]);
    }
  }
  return out;
}
