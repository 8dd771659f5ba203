/**
 * The ARI certID (RFC 9773 4.1) from fixed vectors: Let's Encrypt's published example (AKI 69:88:5B:…, serial
 * 0x87654321, whose top bit is set) rebuilt as a real certificate, the 0x80A1B2C3 serial node's X509Certificate
 * gets wrong, a serial without the top bit, and the DER INTEGER rule on its own.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { X509Certificate, webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { ariCertId, serialDerContent, serialFromHex } from '../../../src/engine/renew/cert-id.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

async function certWith(serialHex: string, akiHex: string): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex,
    subject: 'CN=leaf.example',
    issuer: 'CN=issuer.example',
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2026-04-01T00:00:00Z'),
    publicKey: keys.publicKey as never,
    signingKey: keys.privateKey as never,
    signingAlgorithm: alg,
    extensions: [new x509.AuthorityKeyIdentifierExtension(akiHex)],
  });
  return cert.toString('pem');
}

describe('ARI certID', () => {
  it("Let's Encrypt's example: aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", async () => {
    const pem = await certWith('87654321', '69885b6b87464041e1b37b847ba0ae2cde01c8d4');
    assert.equal(ariCertId(pem), 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  });

  it('a serial with its top bit set keeps its 00 (0x80A1B2C3 -> AIChssM), where node drops it', async () => {
    const pem = await certWith('80a1b2c3', '0102030405060708090a0b0c0d0e0f1011121314');
    assert.equal(new X509Certificate(pem).serialNumber.toUpperCase(), '80A1B2C3', 'node prints it without the 00');
    assert.equal(ariCertId(pem), 'AQIDBAUGBwgJCgsMDQ4PEBESExQ.AIChssM');
    assert.notEqual(ariCertId(pem).split('.')[1], 'gKGyww');
  });

  it('a serial without the top bit is its bytes as they are', async () => {
    const pem = await certWith('1b19e1cc931fc1c5', 'e802f8172ca5a00c7aaf6182956633762136 9a9c'.replace(' ', ''));
    assert.equal(ariCertId(pem), '6AL4FyyloAx6r2GClWYzdiE2mpw.GxnhzJMfwcU');
  });

  it('DER INTEGER content: adds the sign byte, strips redundant zeros', () => {
    const b64 = (hex: string) => Buffer.from(serialDerContent(serialFromHex(hex))).toString('base64url');
    assert.equal(b64('80A1B2C3'), 'AIChssM');
    assert.equal(b64('0080A1B2C3'), 'AIChssM');
    assert.equal(b64('00007F01'), 'fwE');
    assert.equal(b64('87:65:43:21'), 'AIdlQyE');
  });

  it('a certificate without an AKI has no certID (renewal then uses the lifetime rule)', async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const self = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=self', keys: keys as never, signingAlgorithm: alg });
    assert.throws(() => ariCertId(self.toString('pem')), /no Authority Key Identifier/);
  });
});
