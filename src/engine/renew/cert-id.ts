import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AuthorityKeyIdentifier, Certificate, id_ce_authorityKeyIdentifier } from '@peculiar/asn1-x509';
import { BadInputError } from '../core/errors.js';

/**
 * The ARI certificate identifier (RFC 9773 4.1): base64url(AKI keyIdentifier) "." base64url(serial), the serial as
 * the content bytes of its DER INTEGER. Read from the DER itself, not from node's X509Certificate.serialNumber,
 * which drops the 00 a serial with its top bit set needs (0x80A1B2C3 is 00 80 A1 B2 C3: `AIChssM`, not `gKGyww`).
 */
export function ariCertId(certPem: string): string {
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(new X509Certificate(certPem).raw, Certificate);
  } catch (err) {
    throw new BadInputError('bad-certificate', `The certificate does not parse: ${(err as Error).message}`);
  }
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_authorityKeyIdentifier);
  const keyId = ext ? AsnConvert.parse(ext.extnValue.buffer, AuthorityKeyIdentifier).keyIdentifier : undefined;
  if (!keyId) {
    throw new BadInputError('no-aki', 'The certificate has no Authority Key Identifier, so it has no ARI certificate ID.', 'Renewal falls back to the lifetime rule.');
  }
  return `${base64url(new Uint8Array(keyId.buffer))}.${base64url(serialDerContent(new Uint8Array(cert.tbsCertificate.serialNumber)))}`;
}

/**
 * A positive serial's DER INTEGER content: minimal (no redundant leading 00) and with a 00 in front when the top
 * bit is set, whatever form the bytes came in (with or without the sign byte, or padded).
 */
export function serialDerContent(serial: Uint8Array): Uint8Array {
  let start = 0;
  while (start < serial.length - 1 && serial[start] === 0) start += 1;
  const magnitude = serial.subarray(start);
  if (magnitude.length > 0 && (magnitude[0]! & 0x80) !== 0) return Uint8Array.from([0, ...magnitude]);
  return magnitude.length ? magnitude : Uint8Array.from([0]);
}

/** The serial as hex (any case, optional colons), e.g. what `openssl x509 -serial` or X509Certificate print. */
export function serialFromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[:\s]/g, '');
  return Uint8Array.from(Buffer.from(clean.length % 2 ? `0${clean}` : clean, 'hex'));
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
