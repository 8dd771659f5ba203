import type { KeyType } from '../events.js';

/**
 * certbot's hooks and acme.sh's reload command are shell command lines (certbot runs them with `shell=True`,
 * acme.sh with `eval`). certdeck runs command targets without a shell, so a plain "program arg arg" becomes that
 * argv, and anything using the shell (quotes, pipes, `&&`, variables, redirections) runs as `/bin/sh -c LINE`,
 * which is what the other client did with it: the line keeps working unchanged.
 */
const PLAIN_WORD = /^[A-Za-z0-9_/.,:=@%+-]+$/;

export function hookArgv(line: string): string[] {
  const trimmed = line.trim();
  const words = trimmed.split(/[ \t]+/);
  if (words.every((w) => PLAIN_WORD.test(w))) return words;
  return ['/bin/sh', '-c', trimmed];
}

/** certdeck's name for an RSA size or EC curve, or undefined for one it does not issue (e.g. P-521, RSA 8192). */
export function keyTypeOf(kind: 'rsa' | 'ec', sizeOrCurve: string | number | undefined): KeyType | undefined {
  const v = String(sizeOrCurve ?? '').toLowerCase();
  if (kind === 'rsa') {
    const bits = v === '' ? 2048 : Number(v);
    return bits === 2048 ? 'rsa-2048' : bits === 3072 ? 'rsa-3072' : bits === 4096 ? 'rsa-4096' : undefined;
  }
  if (v === '' || v === '256' || v === 'p256' || v === 'p-256' || v === 'secp256r1' || v === 'prime256v1') return 'ec-p256';
  if (v === '384' || v === 'p384' || v === 'p-384' || v === 'secp384r1') return 'ec-p384';
  return undefined;
}

/** The directory URL among `known` whose host (and port) is `hostPort`, when exactly one is. */
export function directoryByHost(hostPort: string, known: string[]): string | undefined {
  const hits = known.filter((url) => {
    try {
      return new URL(url).host.toLowerCase() === hostPort.toLowerCase();
    } catch {
      return false;
    }
  });
  return new Set(hits).size === 1 ? hits[0] : undefined;
}
