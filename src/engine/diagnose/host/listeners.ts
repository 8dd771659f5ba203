import { readFile, readdir, readlink } from 'node:fs/promises';
import net from 'node:net';

/**
 * Who listens on a TCP port, from /proc (Linux): /proc/net/tcp{,6} give the listening sockets' inodes, and the
 * /proc/<pid>/fd links that point at `socket:[inode]` name their processes. Without root only this user's processes
 * can be named; the port still shows as taken.
 */

export interface PortHolder {
  pid: number;
  /** /proc/<pid>/comm, e.g. "nginx". */
  name: string;
  /** The command line as the process shows it (nginx rewrites its own: "nginx: master process /usr/sbin/nginx -c ..."). */
  cmdline: string;
  ppid?: number;
}

export interface PortState {
  port: number;
  /** 'free': nothing listens; 'held': something does; 'unknown': /proc is not readable here. */
  state: 'free' | 'held' | 'unknown';
  /** Local addresses with a listener on the port ("127.0.0.1", "0.0.0.0", "::"). */
  addresses: string[];
  holders: PortHolder[];
  /** Set when binding the port would fail for lack of privilege (ports below 1024 without root). */
  bindError?: string;
}

/** Parses /proc/net/tcp or tcp6 text into the listening sockets on `port`. */
export function listeningSockets(text: string, port: number, v6: boolean): Array<{ address: string; inode: string }> {
  const out: Array<{ address: string; inode: string }> = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const [addrHex, portHex] = (cols[1] ?? '').split(':');
    if (cols[3] !== '0A' || !addrHex || !portHex || parseInt(portHex, 16) !== port) continue; // 0A = TCP_LISTEN
    out.push({ address: v6 ? hexToIpv6(addrHex) : hexToIpv4(addrHex), inode: cols[9] ?? '' });
  }
  return out;
}

function hexToIpv4(hex: string): string {
  // Little-endian 32-bit word on the usual architectures.
  const bytes = hex.match(/../g)?.map((b) => parseInt(b, 16)) ?? [];
  return bytes.reverse().join('.');
}

function hexToIpv6(hex: string): string {
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const word = hex.slice(i, i + 8).match(/../g)?.reverse().join('') ?? '';
    words.push(word.slice(0, 4), word.slice(4, 8));
  }
  const full = words.map((w) => w.replace(/^0+(?=.)/, '')).join(':');
  if (full === '0:0:0:0:0:0:0:0') return '::';
  if (full === '0:0:0:0:0:0:0:1') return '::1';
  return full;
}

export async function inspectPort(port: number, opts: { procRoot?: string } = {}): Promise<PortState> {
  const proc = opts.procRoot ?? '/proc';
  let sockets: Array<{ address: string; inode: string }> = [];
  let readable = false;
  for (const [file, v6] of [
    ['net/tcp', false],
    ['net/tcp6', true],
  ] as const) {
    try {
      sockets = sockets.concat(listeningSockets(await readFile(`${proc}/${file}`, 'utf8'), port, v6));
      readable = true;
    } catch {
      // no IPv6, or not Linux
    }
  }
  if (!readable) {
    const probe = await tryBind(port);
    return { port, state: probe === 'EADDRINUSE' ? 'held' : probe === undefined ? 'free' : 'unknown', addresses: [], holders: [], ...(probe && probe !== 'EADDRINUSE' ? { bindError: probe } : {}) };
  }
  if (sockets.length === 0) {
    const probe = port < 1024 ? await tryBind(port) : undefined;
    return { port, state: 'free', addresses: [], holders: [], ...(probe && probe !== 'EADDRINUSE' ? { bindError: probe } : {}) };
  }
  const inodes = new Set(sockets.map((s) => s.inode));
  return { port, state: 'held', addresses: [...new Set(sockets.map((s) => s.address))], holders: await processesWithSockets(proc, inodes) };
}

async function processesWithSockets(proc: string, inodes: Set<string>): Promise<PortHolder[]> {
  const holders: PortHolder[] = [];
  let pids: string[];
  try {
    pids = (await readdir(proc)).filter((n) => /^\d+$/.test(n));
  } catch {
    return holders;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`${proc}/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    let found = false;
    for (const fd of fds) {
      const link = await readlink(`${proc}/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) {
        found = true;
        break;
      }
    }
    if (!found) continue;
    const name = (await readFile(`${proc}/${pid}/comm`, 'utf8').catch(() => '')).trim();
    const cmdline = (await readFile(`${proc}/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0+$/, '').replace(/\0/g, ' ').trim();
    const status = await readFile(`${proc}/${pid}/status`, 'utf8').catch(() => '');
    const ppid = /^PPid:\s*(\d+)/m.exec(status)?.[1];
    holders.push({ pid: Number(pid), name, cmdline, ...(ppid ? { ppid: Number(ppid) } : {}) });
  }
  return holders;
}

/** Listens for a moment: undefined when the port could be bound, else the error code (EACCES, EADDRINUSE). */
export function tryBind(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err) => resolve((err as { code?: string }).code ?? 'EBIND'));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
