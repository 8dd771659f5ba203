import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Just enough of nginx's configuration language to find where a site's files live: directives, blocks, quotes,
 * comments and `include` (with a `*` glob in the file name). Used to offer webroot validation when nginx already
 * holds port 80. Unreadable files are skipped: this only ever suggests.
 */

export interface Directive {
  name: string;
  args: string[];
  children?: Directive[];
  file: string;
}

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i += 1;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i += 1;
    else if (c === '{' || c === '}' || c === ';') {
      tokens.push(c);
      i += 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let out = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j += 1;
        out += text[j];
        j += 1;
      }
      tokens.push(out);
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s{};]/.test(text[j]!)) j += 1;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

export function parse(tokens: string[], file: string): Directive[] {
  let pos = 0;
  const block = (): Directive[] => {
    const out: Directive[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos]!;
      if (t === '}') {
        pos += 1;
        return out;
      }
      const words: string[] = [];
      while (pos < tokens.length && tokens[pos] !== ';' && tokens[pos] !== '{' && tokens[pos] !== '}') words.push(tokens[pos++]!);
      const end = tokens[pos];
      const [name = '', ...args] = words;
      if (end === '{') {
        pos += 1;
        out.push({ name, args, children: block(), file });
      } else {
        if (end === ';') pos += 1;
        if (name) out.push({ name, args, file });
      }
    }
    return out;
  };
  return block();
}

/** Reads a config file with its includes expanded in place (relative includes resolve against the main file's directory). */
export async function loadConfig(file: string, confDir = path.dirname(file), depth = 0): Promise<Directive[]> {
  if (depth > 10) return [];
  const text = await readFile(file, 'utf8');
  return expand(parse(tokenize(text), file), confDir, depth);
}

async function expand(list: Directive[], confDir: string, depth: number): Promise<Directive[]> {
  const out: Directive[] = [];
  for (const d of list) {
    if (d.name === 'include' && d.args[0]) {
      for (const f of await globFiles(path.resolve(confDir, d.args[0]))) {
        out.push(...(await loadConfig(f, confDir, depth + 1).catch(() => [])));
      }
    } else if (d.children) {
      out.push({ ...d, children: await expand(d.children, confDir, depth) });
    } else out.push(d);
  }
  return out;
}

/** A `*` glob in the last path segment (what nginx and apache configs use: sites-enabled/*, conf.d/*.conf). */
export async function globFiles(pattern: string): Promise<string[]> {
  const base = path.basename(pattern);
  if (!base.includes('*') && !base.includes('?')) return [pattern];
  const dir = path.dirname(pattern);
  const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  try {
    return (await readdir(dir)).filter((n) => re.test(n) && !n.startsWith('.')).sort().map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

export interface SiteRoot {
  root: string;
  serverNames: string[];
  configFile: string;
  /** How the server block was chosen: it names one of the domains, it is the port's default, or the first on it. */
  match: 'server_name' | 'default_server' | 'first';
}

/** The port a `listen` argument names: "80", "*:80", "127.0.0.1:80", "[::]:80"; a bare address means 80. */
export function listenPort(arg: string): number | undefined {
  if (arg.startsWith('unix:')) return undefined;
  const m = /(?:^|:)(\d+)$/.exec(arg);
  if (m && !/^\d+\.\d+\.\d+\.\d+$/.test(arg)) return Number(m[1]);
  return 80;
}

function nameMatches(pattern: string, domain: string): boolean {
  if (pattern === domain) return true;
  if (pattern.startsWith('*.')) return domain.endsWith(pattern.slice(1));
  if (pattern.startsWith('.')) return domain === pattern.slice(1) || domain.endsWith(pattern);
  return false;
}

/**
 * The document root nginx serves `domains` from on `port`: the server block that names one of them (else the port's
 * default_server, else the first one on the port), its root, else its `location /` root, else the http block's.
 * A relative root is relative to nginx's prefix.
 */
export function findNginxRoot(config: Directive[], port: number, domains: readonly string[], prefix: string): SiteRoot | undefined {
  const http = config.find((d) => d.name === 'http');
  if (!http?.children) return undefined;
  const httpRoot = http.children.find((d) => d.name === 'root')?.args[0];
  const servers = http.children
    .filter((d) => d.name === 'server' && d.children)
    .map((s) => {
      const listens = s.children!.filter((d) => d.name === 'listen');
      const ports = listens.length ? listens.map((l) => listenPort(l.args[0] ?? '')) : [80];
      return {
        s,
        onPort: ports.includes(port),
        isDefault: listens.some((l) => l.args.includes('default_server') && listenPort(l.args[0] ?? '') === port),
        names: s.children!.filter((d) => d.name === 'server_name').flatMap((d) => d.args),
      };
    })
    .filter((x) => x.onPort);
  const byName = servers.find((x) => x.names.some((n) => domains.some((d) => nameMatches(n, d))));
  const chosen = byName ?? servers.find((x) => x.isDefault) ?? servers[0];
  if (!chosen) return undefined;
  const own = chosen.s.children!.find((d) => d.name === 'root')?.args[0];
  const slash = chosen.s.children!.find((d) => d.name === 'location' && d.args[d.args.length - 1] === '/')?.children?.find((d) => d.name === 'root')?.args[0];
  const root = own ?? slash ?? httpRoot ?? 'html';
  return {
    root: path.resolve(prefix, root),
    serverNames: chosen.names,
    configFile: chosen.s.file,
    match: byName ? 'server_name' : chosen.isDefault ? 'default_server' : 'first',
  };
}

/** nginx's -p and -c from its (rewritten) command line; Debian's defaults otherwise. */
export function nginxPaths(cmdline: string): { conf: string; prefix: string } {
  const words = cmdline.split(/\s+/);
  const arg = (flag: string) => {
    const i = words.indexOf(flag);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const prefix = arg('-p') ?? '/usr/share/nginx';
  const conf = arg('-c') ?? '/etc/nginx/nginx.conf';
  return { prefix, conf: path.resolve(prefix, conf) };
}
