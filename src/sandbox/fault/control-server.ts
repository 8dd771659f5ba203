import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineError } from '../../engine/core/errors.js';
import type { FaultProxy } from '../fault-proxy.js';
import { parseFaultSpec } from './preset.js';
import { parseScenarioJson } from './scenario.js';
import { closeServer, listenOnLoopback } from './servers.js';

const MAX_BODY_BYTES = 1_000_000;

/**
 * The proxy's control endpoint, plain HTTP on loopback only:
 *   GET  /scenario    the current scenario (JSON)
 *   PUT  /scenario    replace it: a scenario object, or a JSON string in --fault syntax ("hang-processing:30")
 *   GET  /log         every request seen, oldest first
 *   POST /log/clear   forget them
 */
export async function startControlServer(
  proxy: Pick<FaultProxy, 'setScenario' | 'scenario' | 'log' | 'clearLog'>,
  port: number,
): Promise<{ url: string; close(): Promise<void>; unref(): void }> {
  const server = http.createServer((req, res) => {
    route(proxy, req).then(
      ({ status, body }) => send(res, status, body),
      (err: unknown) => send(res, 500, { error: String(err) }),
    );
  });
  await listenOnLoopback(server, port);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server),
    unref: () => void server.unref(),
  };
}

async function route(
  proxy: Pick<FaultProxy, 'setScenario' | 'scenario' | 'log' | 'clearLog'>,
  req: http.IncomingMessage,
): Promise<{ status: number; body: unknown }> {
  const path = new URL(req.url ?? '/', 'http://control.invalid').pathname;
  const key = `${req.method ?? 'GET'} ${path}`;
  switch (key) {
    case 'GET /scenario':
      return { status: 200, body: proxy.scenario() };
    case 'PUT /scenario': {
      try {
        const parsed: unknown = JSON.parse(await readBody(req));
        // parseFaultSpec never reads files here: a spec that names one is refused, the control API takes JSON.
        const scenario =
          typeof parsed === 'string'
            ? parseFaultSpec(parsed, () => {
                throw new Error('scenario files are not read through the control endpoint; PUT the JSON itself');
              })
            : parseScenarioJson(parsed, 'PUT /scenario');
        proxy.setScenario(scenario);
        return { status: 200, body: scenario };
      } catch (err) {
        const hint = err instanceof EngineError ? err.hint : undefined;
        return { status: 400, body: { error: (err as Error).message, ...(hint ? { hint } : {}) } };
      }
    }
    case 'GET /log':
      return { status: 200, body: proxy.log() };
    case 'POST /log/clear':
      proxy.clearLog();
      return { status: 200, body: { cleared: true } };
    default:
      return {
        status: 404,
        body: { error: `no ${key}`, hint: 'Use GET/PUT /scenario, GET /log or POST /log/clear.' },
      };
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('scenario body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
