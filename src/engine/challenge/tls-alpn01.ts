import { createHash, generateKeyPair, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { ConfigError } from '../core/errors.js';
import type { ChallengeAttempt, ChallengeSolver, ChallengeTask, SolverContext } from './solver.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** RFC 8737 6.2: the ALPN protocol the validator offers, and the certificate extension it checks. */
export const ACME_TLS_ALPN = 'acme-tls/1';
export const ID_PE_ACME_IDENTIFIER = '1.3.6.1.5.5.7.1.31';

/**
 * A built-in TLS-ALPN-01 responder (RFC 8737): one TLS listener for every order at once. For each name being
 * validated it serves, to a client that offers only "acme-tls/1" and sends that name as SNI, a self-signed
 * certificate for that name whose critical acmeIdentifier extension holds SHA-256 of the key authorization.
 * It completes no other handshakes, so it can never be mistaken for a web server.
 */
export class TlsAlpn01Responder implements ChallengeSolver {
  readonly type = 'tls-alpn-01' as const;
  private readonly answers = new Map<string, tls.SecureContext>();
  private readonly fetched = new Set<string>();
  private readonly fetchWaiters = new Map<string, Array<() => void>>();
  private server: tls.Server | undefined;

  private constructor(
    readonly host: string,
    public port: number,
    private readonly key: { forge: forge.pki.rsa.PrivateKey; pem: string },
  ) {}

  get description(): string {
    return `built-in TLS-ALPN-01 responder on ${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  static async listen(host: string, port: number): Promise<TlsAlpn01Responder> {
    const { privateKey } = await generateKeyPairAsync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const responder = new TlsAlpn01Responder(host, port, { forge: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, pem: privateKey });
    await responder.start();
    return responder;
  }

  private start(): Promise<void> {
    const server = tls.createServer({
      ALPNProtocols: [ACME_TLS_ALPN],
      SNICallback: (servername, cb) => {
        const context = this.answers.get(servername.toLowerCase());
        if (context) cb(null, context);
        else cb(new Error(`no TLS-ALPN-01 answer for ${servername}`));
      },
    });
    server.on('secureConnection', (socket) => {
      const name = (socket as tls.TLSSocket & { servername?: string | false }).servername;
      if (socket.alpnProtocol === ACME_TLS_ALPN && typeof name === 'string') this.noteFetched(name.toLowerCase());
      // The validator only needs the handshake; nothing is ever sent over the connection.
      socket.end();
    });
    server.on('tlsClientError', () => undefined);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, this.host, this.port)));
      server.listen(this.port, this.host, () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  begin(ctx: SolverContext): ChallengeAttempt {
    const mine: string[] = [];
    return {
      prepare: async (tasks: ChallengeTask[]) => {
        for (const task of tasks) {
          const name = task.identifier.toLowerCase();
          this.answers.set(name, this.contextFor(name, task.keyAuthorization));
          mine.push(name);
          ctx.emit({ type: 'challenge:status', orderId: ctx.orderId, domain: task.domain, challengeType: 'tls-alpn-01', status: 'ready' });
        }
      },
      answered: (task: ChallengeTask) => this.answered(task.identifier.toLowerCase()),
      cleanup: async () => {
        for (const name of mine.splice(0)) {
          this.answers.delete(name);
          this.fetched.delete(name);
          this.fetchWaiters.delete(name);
        }
      },
    };
  }

  /** The validation certificate of RFC 8737 3: SAN = the name only, acmeIdentifier critical. */
  private contextFor(name: string, keyAuthorization: string): tls.SecureContext {
    const digest = createHash('sha256').update(keyAuthorization).digest();
    // extnValue is the DER encoding of `Authorization ::= OCTET STRING (SIZE (32))`.
    const value = forge.asn1.toDer(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, digest.toString('binary'))).getBytes();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(this.key.forge.n, this.key.forge.e);
    cert.serialNumber = '0' + randomBytes(16).toString('hex').slice(1);
    const now = Date.now();
    cert.validity.notBefore = new Date(now - 3_600_000);
    cert.validity.notAfter = new Date(now + 7 * 86_400_000);
    cert.setSubject([{ name: 'commonName', value: name }]);
    cert.setIssuer([{ name: 'commonName', value: name }]);
    cert.setExtensions([
      { name: 'subjectAltName', altNames: [{ type: 2, value: name }] },
      { id: ID_PE_ACME_IDENTIFIER, critical: true, value },
    ]);
    cert.sign(this.key.forge, forge.md.sha256.create());
    return tls.createSecureContext({ key: this.key.pem, cert: forge.pki.certificateToPem(cert) });
  }

  private answered(name: string): Promise<void> {
    if (this.fetched.has(name)) return Promise.resolve();
    return new Promise((resolve) => this.fetchWaiters.set(name, [...(this.fetchWaiters.get(name) ?? []), resolve]));
  }

  private noteFetched(name: string): void {
    if (!this.answers.has(name)) return;
    this.fetched.add(name);
    for (const resolve of this.fetchWaiters.get(name) ?? []) resolve();
    this.fetchWaiters.delete(name);
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): ConfigError {
  if (err.code === 'EADDRINUSE') {
    return new ConfigError('port-in-use', `Cannot start the TLS-ALPN-01 responder: ${host}:${port} is already in use.`, 'tls-alpn-01 needs the port the CA connects to (443); stop the program on it for the validation, choose another with --tls-alpn-port (and forward 443 to it), or use dns-01.', err);
  }
  if (err.code === 'EACCES') {
    return new ConfigError('port-denied', `Cannot start the TLS-ALPN-01 responder on ${host}:${port}: permission denied.`, 'Ports below 1024 need root or CAP_NET_BIND_SERVICE; use --tls-alpn-port with a forward from port 443.', err);
  }
  return new ConfigError('listen-failed', `Cannot start the TLS-ALPN-01 responder on ${host}:${port}: ${err.message}.`, 'Check --tls-alpn-port.', err);
}
