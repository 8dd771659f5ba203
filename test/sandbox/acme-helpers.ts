/**
 * Just enough ACME client for the fault-proxy tests: acme-client's own calls against the sandbox, trusting only
 * the sandbox bundle, with an HTTP-01 responder on the sandbox's httpPort. The library's retry interceptors are
 * removed so an injected 429/503 reaches the test instead of being replayed (acme-client-notes 4.5).
 */
import http from 'node:http';
import https from 'node:https';
import acme from 'acme-client';

export interface SeenResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
}

/** Configures acme-client's shared axios for this test process; returns the responses it sees, newest last. */
export function useSandboxTrust(caBundlePem: string): SeenResponse[] {
  const seen: SeenResponse[] = [];
  acme.axios.defaults.httpsAgent = new https.Agent({ ca: caBundlePem, keepAlive: false });
  acme.axios.defaults.timeout = 10_000;
  acme.axios.interceptors.request.clear();
  acme.axios.interceptors.response.clear();
  acme.axios.interceptors.response.use((res) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
    seen.push({ url: String(res.config.url), status: res.status, headers });
    return res;
  });
  return seen;
}

export async function newAccountClient(directoryUrl: string): Promise<acme.Client> {
  const client = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
  await client.createAccount({ termsOfServiceAgreed: true });
  return client;
}

/** Answers Pebble's HTTP-01 requests on 127.0.0.1:port from a token -> key authorization map. */
export async function startHttp01Responder(port: number): Promise<{ answers: Map<string, string>; close(): Promise<void> }> {
  const answers = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const token = /^\/\.well-known\/acme-challenge\/([^/?]+)$/.exec(req.url ?? '')?.[1];
    const answer = token ? answers.get(token) : undefined;
    res.writeHead(answer ? 200 : 404, { 'Content-Type': 'text/plain' });
    res.end(answer ?? 'unknown token');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Creates an order for `domain` and validates it over HTTP-01, returning it once "ready" with a CSR to finalize.
 * Bounded: Pebble (PEBBLE_VA_NOSLEEP) validates within milliseconds.
 */
export async function readyOrder(
  client: acme.Client,
  answers: Map<string, string>,
  domain: string,
): Promise<{ order: acme.Order; csr: Buffer }> {
  const order = await client.createOrder({ identifiers: [{ type: 'dns', value: domain }] });
  for (const authz of await client.getAuthorizations(order)) {
    if (authz.status === 'valid') continue; // reused authorization
    const challenge = authz.challenges.find((c) => c.type === 'http-01');
    if (!challenge) throw new Error('no http-01 challenge offered');
    answers.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
    await client.completeChallenge(challenge);
  }
  const ready = await pollOrder(client, order, (o) => o.status === 'ready', 10_000);
  const [, csr] = await acme.crypto.createCsr({ altNames: [domain] });
  return { order: ready, csr };
}

/** Re-reads the order every 50 ms until `done(order)`, failing after `timeoutMs`. Returns every status seen. */
export async function pollOrder(
  client: acme.Client,
  order: acme.Order,
  done: (order: acme.Order) => boolean,
  timeoutMs: number,
  seen: string[] = [],
): Promise<acme.Order> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await client.getOrder(order);
    seen.push(current.status);
    if (done(current)) return current;
    if (current.status === 'invalid') throw new Error(`order became invalid: ${JSON.stringify(current)}`);
    if (Date.now() > deadline) throw new Error(`order still ${current.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
