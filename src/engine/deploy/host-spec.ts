import { isIP } from 'node:net';
import { BadInputError } from '../core/errors.js';
import type { VerifyHost } from './types.js';

/**
 * `NAME[@ADDRESS][:PORT]`: the name is what SNI asks for (and what the certificate must cover); the address is where
 * to connect when DNS would not lead to the server being deployed (a load balancer member, a local test server).
 * IPv6 addresses take brackets when a port follows: `www.example.com@[::1]:8443`.
 */

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

function malformed(spec: string, why: string): BadInputError {
  return new BadInputError(
    'bad-verify-host',
    `malformed verify host "${spec}": ${why}`,
    'Write it as NAME, NAME:PORT, NAME@ADDRESS or NAME@ADDRESS:PORT (IPv6 in brackets), e.g. www.example.com@127.0.0.1:8443.',
  );
}

function parsePort(text: string, spec: string): number {
  if (!/^\d{1,5}$/.test(text)) throw malformed(spec, `port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw malformed(spec, `port ${port} is outside 1-65535`);
  return port;
}

function checkName(name: string, spec: string): void {
  if (name === '') throw malformed(spec, 'the name is empty');
  if (name.startsWith('*')) throw malformed(spec, 'a wildcard cannot be sent as SNI; name a concrete host under it');
  if (isIP(name)) return;
  if (!HOSTNAME.test(name)) throw malformed(spec, `"${name}" is not a valid host name`);
}

export function parseVerifyHost(spec: string): VerifyHost {
  const text = spec.trim();
  const at = text.indexOf('@');
  if (at < 0) {
    // NAME or NAME:PORT (a bare IPv6 literal as the name has no port).
    const colon = text.lastIndexOf(':');
    if (colon > 0 && text.indexOf(':') === colon) {
      const name = text.slice(0, colon);
      checkName(name, spec);
      return { name, port: parsePort(text.slice(colon + 1), spec) };
    }
    checkName(text, spec);
    return { name: text };
  }
  const name = text.slice(0, at);
  checkName(name, spec);
  const rest = text.slice(at + 1);
  if (rest === '') throw malformed(spec, 'nothing after "@"');
  let address: string;
  let port: number | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw malformed(spec, 'missing "]" after the IPv6 address');
    address = rest.slice(1, close);
    if (isIP(address) !== 6) throw malformed(spec, `"${address}" is not an IPv6 address`);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw malformed(spec, `unexpected "${after}" after the address`);
      port = parsePort(after.slice(1), spec);
    }
  } else if (isIP(rest) === 6) {
    address = rest;
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      address = rest.slice(0, colon);
      port = parsePort(rest.slice(colon + 1), spec);
    } else {
      address = rest;
    }
    if (address === '' || (!isIP(address) && !HOSTNAME.test(address))) {
      throw malformed(spec, `"${address}" is not an IP address or host name`);
    }
  }
  return { name, address, ...(port === undefined ? {} : { port }) };
}

export function formatVerifyHost(h: VerifyHost): string {
  const addr = h.address === undefined ? '' : `@${isIP(h.address) === 6 && h.port !== undefined ? `[${h.address}]` : h.address}`;
  return `${h.name}${addr}${h.port === undefined ? '' : `:${h.port}`}`;
}

/**
 * The keys verify hosts report their status under (deploy:target `domain`): the bare name, unless the same name is
 * checked at several addresses (pool members), where the full spec keeps them apart.
 */
export function verifyHostKeys(hosts: readonly VerifyHost[]): string[] {
  const count = new Map<string, number>();
  for (const h of hosts) count.set(h.name, (count.get(h.name) ?? 0) + 1);
  return hosts.map((h) => ((count.get(h.name) ?? 0) > 1 ? formatVerifyHost(h) : h.name));
}
