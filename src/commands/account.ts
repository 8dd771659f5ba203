import type { AccountInfo } from '../engine/api.js';
import { BadInputError, EXIT_CODES } from '../engine/core/errors.js';
import type { AccountAddCliOptions } from './account.cli.js';
import { withEngine as withRuntimeEngine, type CommandIo } from './io.js';

/** Account commands only read and register accounts: they never issue, so nothing is deployed. */
const withEngine = (io: CommandIo, work: Parameters<typeof withRuntimeEngine>[1]) => withRuntimeEngine(io, work, { deployAfterIssue: false });

/**
 * `certdeck account list|add|show|deactivate`: the engine's accounts for operators and scripts. What is printed
 * comes from AccountInfo, which has no key and no EAB HMAC key.
 */

export function runAccountListCommand(opts: { json?: boolean }, io: CommandIo): Promise<number> {
  return withEngine(io, async (engine) => {
    const accounts = await engine.listAccounts();
    if (opts.json) {
      io.stdout.write(`${JSON.stringify({ accounts })}\n`);
      return EXIT_CODES.ok;
    }
    if (accounts.length === 0) {
      io.stdout.write('No accounts yet. Create one with: certdeck account add --ca letsencrypt-staging --email you@example.com --agree-tos\n');
      return EXIT_CODES.ok;
    }
    const table = [
      ['ACCOUNT', 'CA', 'STATUS', 'TOS AGREED (UTC)', 'CERTIFICATES'],
      ...accounts.map((a) => [a.id, a.caId ?? a.directoryUrl, a.status, agreedAt(a), a.certificates.join(', ') || '-']),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) io.stdout.write(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`);
    return EXIT_CODES.ok;
  });
}

export function runAccountShowCommand(ref: string, opts: { json?: boolean }, io: CommandIo): Promise<number> {
  return withEngine(io, async (engine) => {
    const account = await engine.showAccount(ref);
    io.stdout.write(opts.json ? `${JSON.stringify(account)}\n` : describe(account));
    return EXIT_CODES.ok;
  });
}

export function runAccountAddCommand(opts: AccountAddCliOptions, io: CommandIo): Promise<number> {
  return withEngine(io, async (engine) => {
    const kid = opts.eabKid ?? io.env.CERTDECK_EAB_KID;
    const hmacKey = opts.eabHmacKey ?? io.env.CERTDECK_EAB_HMAC_KEY;
    if (Boolean(kid) !== Boolean(hmacKey)) {
      throw new BadInputError('eab-incomplete', 'External Account Binding needs both a key id and an HMAC key.', 'Pass --eab-kid and --eab-hmac-key (or CERTDECK_EAB_KID and CERTDECK_EAB_HMAC_KEY).');
    }
    const { account, created } = await engine.addAccount({
      ca: opts.ca,
      ...(opts.caBundle ? { caBundlePath: opts.caBundle } : {}),
      ...(opts.email ? { email: opts.email } : {}),
      ...(opts.agreeTos ? { agreeTos: true } : {}),
      ...(kid && hmacKey ? { eab: { kid, hmacKey } } : {}),
    });
    if (opts.json) io.stdout.write(`${JSON.stringify({ created, account })}\n`);
    else io.stdout.write(`${created ? 'created' : 'already there, nothing registered'}: ${account.id}\n${describe(account)}`);
    return EXIT_CODES.ok;
  });
}

export function runAccountDeactivateCommand(ref: string, opts: { caBundle?: string; yes?: boolean; json?: boolean }, io: CommandIo): Promise<number> {
  return withEngine(io, async (engine) => {
    if (!opts.yes) {
      throw new BadInputError('confirm-deactivate', `Deactivating ${ref} cannot be undone: the CA will refuse every later request from it.`, 'Pass --yes to deactivate it.');
    }
    const account = await engine.deactivateAccount(ref, opts.caBundle ? { caBundlePath: opts.caBundle } : {});
    io.stdout.write(opts.json ? `${JSON.stringify(account)}\n` : `deactivated: ${account.id}\n${describe(account)}`);
    return EXIT_CODES.ok;
  });
}

function agreedAt(a: AccountInfo): string {
  const at = a.termsOfService.agreedAt;
  return a.termsOfService.agreed && at ? at.slice(0, 16).replace('T', ' ') : 'no';
}

function describe(a: AccountInfo): string {
  const lines: Array<[string, string | undefined]> = [
    ['account', a.id],
    ['CA', a.caId ? `${a.caId} (${a.directoryUrl})` : a.directoryUrl],
    ['e-mail', a.email ?? '(none)'],
    ['status', a.deactivatedAt ? `deactivated ${a.deactivatedAt}` : a.status],
    ['account URL', a.accountUrl],
    ['terms', a.termsOfService.agreed ? `agreed ${a.termsOfService.agreedAt ?? ''}${a.termsOfService.url ? ` to ${a.termsOfService.url}` : ''}` : 'not agreed'],
    ['created', a.createdAt],
    ['EAB key id', a.eabKid],
    ['certificates', a.certificates.join(', ') || '(none)'],
  ];
  return lines
    .filter((l): l is [string, string] => l[1] !== undefined)
    .map(([k, v]) => `  ${k.padEnd(13)}${v}\n`)
    .join('');
}
