import { readFileSync } from 'node:fs';
import { parseScenarioJson, type FaultScenario } from './fault/scenario.js';

/** What the detached fault-proxy process needs, written by the sandbox to `<sandboxDir>/fault-proxy.json`. */
export interface ProxyConfig {
  upstream: string;
  certPath: string;
  /** 0600 file; the key itself never goes into this config. */
  keyPath: string;
  caPath: string;
  listenPort: number;
  controlPort: number;
  scenario: FaultScenario;
}

export function readProxyConfig(file: string): ProxyConfig {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Omit<ProxyConfig, 'scenario'> & { scenario: unknown };
  return { ...raw, scenario: parseScenarioJson(raw.scenario, file) };
}
