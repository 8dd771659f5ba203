import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { readSandboxState } from '../engine/ca/sandbox-state.js';

/**
 * Who listens on a loopback port, when it is one of certdeck's own sandboxes: a busy port 14000 is most often the
 * sandbox another state home (the demo's) left running, and the operator needs to know which one to stop it.
 * Linux only (/proc): elsewhere, or without the right to look, the answer is simply "not known".
 *
 * Every sandbox process runs with its sandbox directory as its working directory (launch.ts), so the listener's
 * process leads to the directory, and the state.json there confirms it is a sandbox.
 */
export interface SandboxPortOwner {
  /** The sandbox directory (`<CERTDECK_HOME>/sandbox`). */
  sandboxDir: string;
  /** The state home it belongs to (CERTDECK_HOME). */
  home: string;
  pid: number;
  startedAt?: string;
}

export async function sandboxOwningPort(port: number, procRoot = '/proc'): Promise<SandboxPortOwner | undefined> {
  try {
    const inodes = await listeningInodes(port, procRoot);
    if (inodes.size === 0) return undefined;
    for (const entry of await readdir(procRoot)) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (!(await holdsSocket(path.join(procRoot, entry, 'fd'), inodes))) continue;
      const cwd = await readlink(path.join(procRoot, entry, 'cwd')).catch(() => undefined);
      if (!cwd) return undefined;
      const state = (() => {
        try {
          return readSandboxState(cwd);
        } catch {
          return undefined;
        }
      })();
      if (!state) return undefined;
      return { sandboxDir: cwd, home: path.dirname(cwd), pid, startedAt: state.startedAt };
    }
  } catch {
    // No /proc, or not allowed to read it: the caller says the port is busy without naming an owner.
  }
  return undefined;
}

/** Inodes of sockets listening on `port` (IPv4 and IPv6), from /proc/net/tcp*: "0100007F:36B0 ... 0A ... inode". */
async function listeningInodes(port: number, procRoot: string): Promise<Set<string>> {
  const found = new Set<string>();
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(path.join(procRoot, 'net', table), 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      const inode = cols[9];
      if (!local || state !== '0A' || !inode) continue;
      if (Number.parseInt(local.split(':').pop() ?? '', 16) === port) found.add(inode);
    }
  }
  return found;
}

async function holdsSocket(fdDir: string, inodes: ReadonlySet<string>): Promise<boolean> {
  const fds = await readdir(fdDir).catch(() => [] as string[]);
  for (const fd of fds) {
    const link = await readlink(path.join(fdDir, fd)).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m && inodes.has(m[1]!)) return true;
  }
  return false;
}
