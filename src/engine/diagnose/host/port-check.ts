import { stat } from 'node:fs/promises';
import type { Finding } from '../types.js';
import { findApacheRoot } from './apache-config.js';
import { inspectPort, type PortHolder, type PortState } from './listeners.js';
import { findNginxRoot, loadConfig, nginxPaths } from './nginx-config.js';

/**
 * Whether certdeck's own HTTP-01 server can take the port, and if a web server holds it, where that server's
 * document root is, so the setup can offer webroot validation instead of asking to stop it.
 */

export interface WebServerFacts {
  kind: 'nginx' | 'apache' | 'other-web-server';
  pid: number;
  documentRoot?: string;
  configFile?: string;
  serverNames?: string[];
  /** Why no root was found, when none was. */
  rootUnknown?: string;
}

export interface PortFacts extends PortState {
  webServer?: WebServerFacts;
}

const WEB_SERVERS: Record<string, WebServerFacts['kind']> = {
  nginx: 'nginx',
  apache2: 'apache',
  httpd: 'apache',
  caddy: 'other-web-server',
  lighttpd: 'other-web-server',
  traefik: 'other-web-server',
  haproxy: 'other-web-server',
};

/** nginx and apache fork workers that share the socket: the master (its parent among the holders) has the config. */
function mainHolder(holders: PortHolder[]): PortHolder | undefined {
  const pids = new Set(holders.map((h) => h.pid));
  return holders.find((h) => h.ppid === undefined || !pids.has(h.ppid)) ?? holders[0];
}

export async function identifyWebServer(holders: PortHolder[], port: number, domains: readonly string[]): Promise<WebServerFacts | undefined> {
  const main = mainHolder(holders);
  if (!main) return undefined;
  const kind = WEB_SERVERS[main.name] ?? (/^nginx:/.test(main.cmdline) ? 'nginx' : undefined);
  if (!kind) return undefined;
  const facts: WebServerFacts = { kind, pid: main.pid };
  try {
    if (kind === 'nginx') {
      const { conf, prefix } = nginxPaths(main.cmdline);
      const site = findNginxRoot(await loadConfig(conf), port, domains, prefix);
      if (site) Object.assign(facts, { documentRoot: site.root, configFile: site.configFile, serverNames: site.serverNames });
      else facts.rootUnknown = `no server block on port ${port} in ${conf}`;
    } else if (kind === 'apache') {
      const site = await findApacheRoot(port, domains);
      if (site) Object.assign(facts, { documentRoot: site.root, configFile: site.configFile, serverNames: site.serverNames });
      else facts.rootUnknown = 'no DocumentRoot found in the apache configuration';
    } else facts.rootUnknown = `certdeck cannot read ${main.name}'s configuration`;
  } catch (err) {
    facts.rootUnknown = `its configuration could not be read (${(err as Error).message})`;
  }
  if (facts.documentRoot) {
    const isDir = await stat(facts.documentRoot).then((s) => s.isDirectory(), () => false);
    if (!isDir) facts.rootUnknown = `${facts.documentRoot} (from ${facts.configFile}) is not a directory here`;
  }
  return facts;
}

export async function checkPort(port: number, domains: readonly string[]): Promise<{ facts: PortFacts; findings: Finding[]; note?: string }> {
  const state = await inspectPort(port);
  const facts: PortFacts = { ...state };
  const f = (id: string, severity: Finding['severity'], seen: string, todo: string): Finding => ({ id, severity, tier: 'offline', seen, todo });
  if (state.state === 'free') {
    if (state.bindError === 'EACCES') {
      return { facts, findings: [f('port.needs-privilege', 'error', `Port ${port} is free, but this user may not listen on it (ports below 1024 need root).`, `Run certdeck as root, grant it CAP_NET_BIND_SERVICE, or use webroot with a web server that already serves port ${port}.`)] };
    }
    return { facts, findings: [], note: `port ${port} is free: certdeck's own HTTP-01 server can answer` };
  }
  if (state.state === 'unknown') {
    return { facts, findings: [f('port.unknown', 'warning', `Could not tell whether port ${port} is free (${state.bindError ?? 'no /proc'}).`, 'If a web server runs here, choose webroot; otherwise standalone.')] };
  }
  const where = state.addresses.join(', ');
  if (state.holders.length === 0) {
    return { facts, findings: [f('port.held', 'error', `Port ${port} is in use (listening on ${where}) by a process this user cannot see.`, `Run as root to name it, or stop it; if it is a web server, use webroot (its document root).`)] };
  }
  const web = await identifyWebServer(state.holders, port, domains);
  if (web) facts.webServer = web;
  const main = mainHolder(state.holders)!;
  const who = `${main.name || 'a process'} (pid ${main.pid}${main.cmdline ? `: ${main.cmdline.slice(0, 120)}` : ''})`;
  if (web?.documentRoot && !web.rootUnknown) {
    return {
      facts,
      findings: [
        f(
          'port.web-server',
          'info',
          `Port ${port} is held by ${web.kind} ${who}; it serves ${web.serverNames?.length ? web.serverNames.join(' ') : 'these names'} from ${web.documentRoot} (${web.configFile}).`,
          `Use webroot validation with ${web.documentRoot}: certdeck writes the answers under .well-known/acme-challenge/ there and ${web.kind} serves them; no need to stop it.`,
        ),
      ],
    };
  }
  if (web) {
    return { facts, findings: [f('port.web-server', 'warning', `Port ${port} is held by ${web.kind} ${who}; its document root is unknown: ${web.rootUnknown ?? 'not found'}.`, `Use webroot validation with the directory ${web.kind} serves for these names, or stop it during issuance.`)] };
  }
  return { facts, findings: [f('port.held', 'error', `Port ${port} is held by ${who}.`, `Stop it during issuance, move it to another port, or validate through a web server on port ${port} (webroot).`)] };
}
