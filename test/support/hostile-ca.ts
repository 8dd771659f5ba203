import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { makeCa, makeLeaf, type TestCa } from '../deploy/support/test-pki.js';

/**
 * A small ACME server that misbehaves on request, for the hardening tests. It speaks enough RFC 8555 for
 * acme-client (directory, nonces, account, order, authorizations, finalize, certificate) over https on loopback
 * with its own test PKI, and does not check signatures: what is under test is what certdeck does with its answers.
 * Authorizations start valid, so no challenge has to be solved and the order is ready at once.
 *
 * Each misbehaviour is a field of `HostileBehaviour`, changeable between runs (`ca.behaviour = {...}`).
 */
export interface HostileBehaviour {
  /** Names the issued certificate is for (default: the CSR's). */
  certNames?: string[];
  /** Validity of the issued certificate (default: from a day ago for 30 days). */
  notBefore?: Date;
  notAfter?: Date;
  /** Sign the leaf with a different CA than the one sent as its chain. */
  wrongIssuer?: boolean;
  /** Answer newOrder with a redirect to this URL (e.g. plain http). */
  redirectNewOrderTo?: string;
  /** Directory endpoints pointing elsewhere (e.g. http://...). */
  directoryOverrides?: Record<string, string>;
  /** The order stays "processing" for this many polls, each answered with this Retry-After header. */
  processingPolls?: number;
  retryAfter?: string;
  /** The directory body is sent one byte per `dripMs`. */
  dripMs?: number;
  /** The directory body is padded to this many bytes. */
  directoryBytes?: number;
  /** newOrder fails with this problem detail (raw, escape sequences and all). */
  orderProblemDetail?: string;
  /** The directory's meta.termsOfService. */
  termsOfService?: string;
  /** Extra authorizations, for names the client never asked for. */
  extraAuthzNames?: string[];
  /** Called when finalize arrives (before the order turns valid): a test can fill the disk here. */
  onFinalize?: () => Promise<void> | void;
}

export interface HostileCa {
  directoryUrl: string;
  /** PEM of the root that signed the server's TLS certificate (pass as caBundlePath). */
  tlsRootPath: string;
  /** A plain http listener on loopback that counts what reaches it (where redirects and http endpoints point). */
  httpUrl: string;
  httpHits: string[];
  behaviour: HostileBehaviour;
  counts: { newOrder: number; finalize: number; certificate: number; orderPolls: number; directory: number };
  stop(): Promise<void>;
}

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

interface OrderState {
  id: number;
  identifiers: Array<{ type: string; value: string }>;
  authzNames: string[];
  status: 'pending' | 'ready' | 'processing' | 'valid';
  pollsLeft: number;
  certPem?: string;
}

export async function startHostileCa(dir: string): Promise<HostileCa> {
  const tlsCa = await makeCa('hostile CA TLS root');
  const tlsLeaf = await makeLeaf(tlsCa, ['localhost']);
  const tlsRootPath = path.join(dir, 'hostile-tls-root.pem');
  await writeFile(tlsRootPath, tlsCa.certPem);
  const issuing = await makeCa('hostile issuing CA');
  const stranger = await makeCa('someone else');

  const httpHits: string[] = [];
  const plain = http.createServer((req, res) => {
    httpHits.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  const httpUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;

  const orders = new Map<number, OrderState>();
  const counts = { newOrder: 0, finalize: 0, certificate: 0, orderPolls: 0, directory: 0 };
  const state: { behaviour: HostileBehaviour } = { behaviour: {} };
  let base = '';

  const server = https.createServer({ cert: tlsLeaf.certPem + tlsLeaf.chainPem, key: tlsLeaf.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
  });

  const nonce = (): string => randomBytes(12).toString('base64url');
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'replay-nonce': nonce(), ...headers });
    res.end(JSON.stringify(body));
  };
  const payloadOf = (body: string): Record<string, unknown> => {
    try {
      const jws = JSON.parse(body) as { payload?: string };
      return jws.payload ? (JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const orderBody = (o: OrderState): Record<string, unknown> => ({
    status: o.status,
    expires: new Date(Date.now() + 86_400_000).toISOString(),
    identifiers: o.identifiers,
    authorizations: o.authzNames.map((_, i) => `${base}/authz/${o.id}/${i}`),
    finalize: `${base}/finalize/${o.id}`,
    ...(o.certPem ? { certificate: `${base}/cert/${o.id}` } : {}),
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const b = state.behaviour;
    const url = req.url ?? '/';
    if (url === '/dir') {
      counts.directory += 1;
      const directory: Record<string, unknown> = {
        newNonce: `${base}/nonce`,
        newAccount: `${base}/acct`,
        newOrder: `${base}/order`,
        meta: { termsOfService: b.termsOfService ?? `${base}/tos` },
        ...b.directoryOverrides,
      };
      let text = JSON.stringify(directory);
      if (b.directoryBytes) text = JSON.stringify({ ...directory, padding: 'x'.repeat(b.directoryBytes) });
      if (b.dripMs) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
        for (const ch of text) {
          if (res.destroyed) return;
          res.write(ch);
          await new Promise((r) => setTimeout(r, b.dripMs));
        }
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
      return;
    }
    if (url === '/nonce') {
      res.writeHead(req.method === 'HEAD' ? 200 : 204, { 'replay-nonce': nonce(), 'cache-control': 'no-store' });
      res.end();
      return;
    }
    if (url === '/acct') return json(res, 201, { status: 'valid', orders: `${base}/acct/1/orders` }, { location: `${base}/acct/1` });
    if (url === '/order') {
      if (b.redirectNewOrderTo) {
        res.writeHead(307, { location: b.redirectNewOrderTo, 'replay-nonce': nonce() });
        res.end();
        return;
      }
      if (b.orderProblemDetail !== undefined) {
        return json(res, 403, { type: 'urn:ietf:params:acme:error:unauthorized', detail: b.orderProblemDetail, status: 403 });
      }
      counts.newOrder += 1;
      const p = payloadOf(body) as { identifiers?: Array<{ type: string; value: string }> };
      const identifiers = p.identifiers ?? [];
      const id = orders.size + 1;
      const o: OrderState = {
        id,
        identifiers,
        authzNames: [...identifiers.map((i) => i.value), ...(b.extraAuthzNames ?? [])],
        // With extra authorizations the order says "pending", so the client reads them (and should refuse).
        status: b.extraAuthzNames?.length ? 'pending' : 'ready',
        pollsLeft: 0,
      };
      orders.set(id, o);
      return json(res, 201, orderBody(o), { location: `${base}/order/${id}` });
    }
    let m = /^\/order\/(\d+)$/.exec(url);
    if (m) {
      const o = orders.get(Number(m[1]));
      if (!o) return json(res, 404, { type: 'urn:ietf:params:acme:error:malformed', detail: 'no such order' });
      counts.orderPolls += 1;
      if (o.status === 'processing') {
        o.pollsLeft -= 1;
        if (o.pollsLeft < 0) o.status = 'valid';
        else return json(res, 200, orderBody(o), b.retryAfter !== undefined ? { 'retry-after': b.retryAfter } : {});
      }
      return json(res, 200, orderBody(o));
    }
    m = /^\/authz\/(\d+)\/(\d+)$/.exec(url);
    if (m) {
      const o = orders.get(Number(m[1]));
      const name = o?.authzNames[Number(m[2])];
      if (!o || name === undefined) return json(res, 404, { type: 'urn:ietf:params:acme:error:malformed', detail: 'no such authz' });
      return json(res, 200, {
        identifier: { type: 'dns', value: name },
        status: 'valid',
        expires: new Date(Date.now() + 86_400_000).toISOString(),
        challenges: [{ type: 'http-01', url: `${base}/chall/${o.id}/${m[2]}`, token: `tok${o.id}x${m[2]}`, status: 'valid' }],
      });
    }
    m = /^\/finalize\/(\d+)$/.exec(url);
    if (m) {
      const o = orders.get(Number(m[1]));
      if (!o) return json(res, 404, { type: 'urn:ietf:params:acme:error:malformed', detail: 'no such order' });
      counts.finalize += 1;
      await b.onFinalize?.();
      const p = payloadOf(body) as { csr?: string };
      o.certPem = await issue(p.csr ?? '', o, b);
      o.pollsLeft = b.processingPolls ?? 0;
      o.status = o.pollsLeft > 0 ? 'processing' : 'valid';
      return json(res, 200, orderBody(o), o.status === 'processing' && b.retryAfter !== undefined ? { 'retry-after': b.retryAfter } : {});
    }
    m = /^\/cert\/(\d+)$/.exec(url);
    if (m) {
      const o = orders.get(Number(m[1]));
      if (!o?.certPem) return json(res, 404, { type: 'urn:ietf:params:acme:error:malformed', detail: 'no certificate' });
      counts.certificate += 1;
      res.writeHead(200, { 'content-type': 'application/pem-certificate-chain', 'replay-nonce': nonce() });
      res.end(o.certPem);
      return;
    }
    if (url === '/tos') {
      res.writeHead(200).end('terms');
      return;
    }
    json(res, 404, { type: 'urn:ietf:params:acme:error:malformed', detail: `unknown endpoint ${url}` });
  }

  async function issue(csrB64: string, o: OrderState, b: HostileBehaviour): Promise<string> {
    const csr = new x509.Pkcs10CertificateRequest(Buffer.from(csrB64, 'base64url'));
    const names = b.certNames ?? o.identifiers.map((i) => i.value);
    const signer: TestCa = b.wrongIssuer ? stranger : issuing;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomBytes(8).toString('hex'),
      subject: `CN=${names[0] ?? 'none'}`,
      issuer: signer.cert.subject,
      publicKey: await csr.publicKey.export(),
      signingKey: signer.keys.privateKey,
      notBefore: b.notBefore ?? new Date(Date.now() - 86_400_000),
      notAfter: b.notAfter ?? new Date(Date.now() + 30 * 86_400_000),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ],
    });
    return `${cert.toString('pem')}\n${issuing.certPem}\n`;
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
  return {
    directoryUrl: `${base}/dir`,
    tlsRootPath,
    httpUrl,
    httpHits,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(v: HostileBehaviour) {
      state.behaviour = v;
    },
    counts,
    async stop() {
      server.closeAllConnections();
      plain.closeAllConnections();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => plain.close(r))]);
    },
  };
}
