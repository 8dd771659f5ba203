/**
 * The ceiling for (e): the leanest ACME client this bench can write, to measure what Pebble itself can do for a
 * batch of orders. node:crypto + node:https only: one P-256 key for the account, one for every CSR, a keep-alive agent,
 * a nonce pool fed by every answer, an HTTP-01 server of its own that says when the validator fetched a token, and
 * polls 10 ms apart after that signal. No journal, no files, no checks beyond "a certificate came back". Not a
 * product: it exists so certdeck's throughput can be read as a fraction of the CA's.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface AcmeObject {
  status?: string;
  authorizations?: string[];
  finalize?: string;
  certificate?: string;
  challenges?: Array<{ type: string; url: string; token: string; status: string }>;
  [k: string]: unknown;
}

const b64u = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** DER, just enough for a PKCS#10 request with one DNS name. */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}
function csrFor(name: string, key: KeyObject, spki: Buffer): Buffer {
  const subject = der(0x30, der(0x31, der(0x30, oid('2.5.4.3'), der(0x0c, Buffer.from(name)))));
  const san = der(0x30, der(0x82, Buffer.from(name)));
  const extensions = der(0x30, der(0x30, oid('2.5.29.17'), der(0x04, san)));
  const attributes = der(0xa0, der(0x30, oid('1.2.840.113549.1.9.14'), der(0x31, extensions)));
  const info = der(0x30, der(0x02, Buffer.from([0])), subject, spki, attributes);
  const signature = sign('sha256', info, key);
  return der(0x30, info, der(0x30, oid('1.2.840.10045.4.3.2')), der(0x03, Buffer.from([0]), signature));
}

export interface RawClient {
  /** Registers the account (not timed by the caller). */
  register(): Promise<void>;
  /** Issues one certificate per name, `concurrency` orders at a time; returns the PEMs. */
  issueAll(names: string[], concurrency: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function rawJwsClient(opts: { directoryUrl: string; caRootPath: string; httpPort: number }): Promise<RawClient> {
  const agent = new https.Agent({ ca: await readFile(opts.caRootPath, 'utf8'), keepAlive: true, maxSockets: 64 });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const publicJwk = { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  const thumbprint = b64u(createHash('sha256').update(JSON.stringify(publicJwk)).digest());
  // CAs refuse a certificate for the account's own key: one other key for every certificate of the run.
  const certKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = certKey.publicKey.export({ type: 'spki', format: 'der' });

  // HTTP-01: key authorizations by token, and who waits for the validator to fetch one.
  const answers = new Map<string, string>();
  const fetchedWaiters = new Map<string, () => void>();
  const server = http.createServer((req, res) => {
    const token = req.url?.split('/').pop() ?? '';
    const answer = answers.get(token);
    res.writeHead(answer ? 200 : 404, { 'content-type': 'text/plain' }).end(answer ?? '');
    if (answer) res.on('finish', () => fetchedWaiters.get(token)?.());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.httpPort, '127.0.0.1', () => resolve()));

  const request = (method: string, url: string, body?: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = https.request(url, { method, agent, headers: body ? { 'content-type': 'application/jose+json' } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });

  const directory = JSON.parse((await request('GET', opts.directoryUrl)).body) as Record<string, string>;
  const nonces: string[] = [];
  const keep = (a: Answer): void => {
    const n = a.headers['replay-nonce'];
    if (typeof n === 'string') nonces.push(n);
  };
  const nonce = async (): Promise<string> => {
    const pooled = nonces.pop();
    if (pooled) return pooled;
    const a = await request('HEAD', directory.newNonce!);
    return String(a.headers['replay-nonce']);
  };
  let kid: string | undefined;

  /** A signed POST (payload undefined: POST-as-GET), retried once on badNonce. */
  const post = async (url: string, payload: unknown, attempt = 1): Promise<Answer & { json: AcmeObject }> => {
    const header = { alg: 'ES256', nonce: await nonce(), url, ...(kid ? { kid } : { jwk: publicJwk }) };
    const protectedB64 = b64u(JSON.stringify(header));
    const payloadB64 = payload === undefined ? '' : b64u(JSON.stringify(payload));
    const signature = b64u(sign('sha256', Buffer.from(`${protectedB64}.${payloadB64}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    const a = await request('POST', url, JSON.stringify({ protected: protectedB64, payload: payloadB64, signature }));
    keep(a);
    let json: AcmeObject = {};
    if ((a.headers['content-type'] ?? '').includes('json')) json = JSON.parse(a.body) as AcmeObject;
    if (a.status === 400 && String(json.type ?? '').endsWith(':badNonce') && attempt < 5) return post(url, payload, attempt + 1);
    if (a.status >= 400) throw new Error(`${url}: HTTP ${a.status} ${a.body.slice(0, 300)}`);
    return { ...a, json };
  };

  /** Polls `url` until its status leaves `pending`/`processing`, 10 ms apart. */
  const pollUntilDone = async (url: string): Promise<AcmeObject> => {
    for (;;) {
      const { json } = await post(url, undefined);
      if (json.status !== 'pending' && json.status !== 'processing') return json;
      await pause(10);
    }
  };

  const issueOne = async (name: string): Promise<string> => {
    const created = await post(directory.newOrder!, { identifiers: [{ type: 'dns', value: name }] });
    const orderUrl = String(created.headers.location);
    const authzUrl = created.json.authorizations![0]!;
    const authz = (await post(authzUrl, undefined)).json;
    const challenge = authz.challenges!.find((c) => c.type === 'http-01')!;
    answers.set(challenge.token, `${challenge.token}.${thumbprint}`);
    const fetched = new Promise<void>((resolve) => fetchedWaiters.set(challenge.token, resolve));
    await post(challenge.url, {});
    await Promise.race([fetched, pause(2_000)]);
    const validated = await pollUntilDone(authzUrl);
    answers.delete(challenge.token);
    fetchedWaiters.delete(challenge.token);
    if (validated.status !== 'valid') throw new Error(`${name}: authorization ${validated.status}`);
    const csr = b64u(csrFor(name, certKey.privateKey, spki));
    const finalized = (await post(created.json.finalize!, { csr })).json;
    const done = finalized.status === 'valid' ? finalized : await pollUntilDone(orderUrl);
    if (done.status !== 'valid' || !done.certificate) throw new Error(`${name}: order ${done.status}`);
    return (await post(done.certificate, undefined)).body;
  };

  return {
    async register() {
      const a = await post(directory.newAccount!, { termsOfServiceAgreed: true });
      kid = String(a.headers.location);
    },
    async issueAll(names, concurrency) {
      const out: string[] = new Array<string>(names.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < names.length) {
          const i = next++;
          out[i] = await issueOne(names[i]!);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
      for (const [i, pem] of out.entries()) if (!pem?.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${names[i]}: no certificate`);
      return out;
    },
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
