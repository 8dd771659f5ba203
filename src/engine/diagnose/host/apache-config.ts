import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { globFiles } from './nginx-config.js';

/**
 * Apache's DocumentRoot for the VirtualHost serving `domains` on `port`, read line by line from the main config
 * and its Include/IncludeOptional files. Like the nginx reader, it only ever suggests a webroot.
 */

interface VHost {
  ports: number[];
  names: string[];
  root?: string;
  file: string;
}

const MAIN_CONFIGS = ['/etc/apache2/apache2.conf', '/etc/httpd/conf/httpd.conf'];

export async function findApacheRoot(port: number, domains: readonly string[], configs: readonly string[] = MAIN_CONFIGS): Promise<{ root: string; serverNames: string[]; configFile: string } | undefined> {
  const state = { vhosts: [] as VHost[], globalRoot: undefined as string | undefined, globalFile: '' };
  for (const file of configs) {
    const serverRoot = path.dirname(file);
    if (await readInto(file, serverRoot, state, 0)) break;
  }
  const onPort = state.vhosts.filter((v) => v.ports.includes(port) && v.root);
  const chosen = onPort.find((v) => v.names.some((n) => domains.includes(n) || (n.startsWith('*.') && domains.some((d) => d.endsWith(n.slice(1)))))) ?? onPort[0];
  if (chosen?.root) return { root: chosen.root, serverNames: chosen.names, configFile: chosen.file };
  if (state.globalRoot) return { root: state.globalRoot, serverNames: [], configFile: state.globalFile };
  return undefined;
}

async function readInto(file: string, serverRoot: string, state: { vhosts: VHost[]; globalRoot: string | undefined; globalFile: string }, depth: number): Promise<boolean> {
  if (depth > 10) return false;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return false;
  }
  let current: VHost | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const open = /^<VirtualHost\s+([^>]+)>/i.exec(line);
    if (open) {
      current = { ports: open[1]!.split(/\s+/).map((a) => Number(/:(\d+)$/.exec(a)?.[1] ?? 80)), names: [], file };
      continue;
    }
    if (/^<\/VirtualHost>/i.test(line)) {
      if (current) state.vhosts.push(current);
      current = undefined;
      continue;
    }
    const [key = '', ...rest] = line.split(/\s+/);
    const value = rest.join(' ').replace(/^"|"$/g, '');
    switch (key.toLowerCase()) {
      case 'include':
      case 'includeoptional':
        for (const inc of await globFiles(path.resolve(serverRoot, value))) await readInto(inc, serverRoot, state, depth + 1);
        break;
      case 'servername':
      case 'serveralias':
        current?.names.push(...rest);
        break;
      case 'documentroot':
        if (current) current.root = path.resolve(serverRoot, value);
        else {
          state.globalRoot = path.resolve(serverRoot, value);
          state.globalFile = file;
        }
        break;
    }
  }
  return true;
}
