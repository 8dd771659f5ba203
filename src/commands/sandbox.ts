import { BadInputError, EngineError, EXIT_CODES, exitCodeFor, toErrorInfo } from '../engine/core/errors.js';
import type { SandboxState } from '../engine/ca/sandbox-state.js';
import { resolveStatePaths } from '../engine/store/paths.js';
import { DEFAULT_SANDBOX_PORTS, portsFromBase, type SandboxPorts } from '../sandbox/ports.js';
import { isAlive } from '../sandbox/processes.js';
import { sandboxDnsExample, sandboxDnsHookPath } from '../sandbox/dns-hook.js';
import { sandboxStatus, startSandbox, stopSandbox } from '../sandbox/sandbox.js';
import { applySandboxFault, liveFaultIfChanged } from '../sandbox/fault-control.js';
import type { FaultScenario } from '../sandbox/fault/scenario.js';
import type { CommandIo } from './io.js';

export type SandboxAction = 'start' | 'stop' | 'status' | 'fault';

/** Options as commander hands them over (numbers still as text). */
export interface SandboxCommandOptions {
  portBase?: string;
  httpPort?: string;
  fault?: string;
  /** `sandbox fault SPEC`: the new scenario. */
  spec?: string;
  nonceReject?: string;
  authzReuse?: string;
  json?: boolean;
}

/**
 * `certdeck sandbox start|stop|status`. Exit codes: 0 done (start: running, whether started now or already;
 * status: running); 1 status found no running sandbox; otherwise the code of the error's kind.
 */
export async function runSandboxCommand(action: SandboxAction, opts: SandboxCommandOptions, io: CommandIo): Promise<number> {
  const dir = resolveStatePaths(io.env).sandboxDir;
  try {
    switch (action) {
      case 'start':
        return await start(dir, opts, io);
      case 'stop': {
        const stopped = await stopSandbox(dir);
        if (opts.json) write(io.stdout, JSON.stringify({ stopped }));
        else write(io.stdout, stopped ? `sandbox stopped (${dir})` : `no sandbox was running (${dir})`);
        return EXIT_CODES.ok;
      }
      case 'status':
        return await status(dir, opts, io);
      case 'fault': {
        const state = await applySandboxFault(dir, opts.spec ?? '');
        if (!opts.json) write(io.stderr, `Fault scenario of the running sandbox is now: ${opts.spec?.trim() || 'none'}`);
        printStatus(state, true, opts, io);
        return EXIT_CODES.ok;
      }
    }
  } catch (err) {
    return reportError(err, opts, io);
  }
}

async function start(dir: string, opts: SandboxCommandOptions, io: CommandIo): Promise<number> {
  const existing = await sandboxStatus(dir);
  if (existing?.alive) {
    // Asked for a fault: the operator wants it in effect now, not the one the sandbox was started with.
    if (opts.fault !== undefined) {
      const state = await applySandboxFault(dir, opts.fault);
      if (!opts.json) write(io.stderr, `The sandbox is already running; its fault scenario is now: ${opts.fault.trim() || 'none'}`);
      printStatus(state, true, opts, io);
      return EXIT_CODES.ok;
    }
    if (!opts.json) write(io.stderr, 'The sandbox is already running; nothing to start.');
    printStatus(existing.state, true, opts, io);
    return EXIT_CODES.ok;
  }
  const ports: SandboxPorts = opts.portBase === undefined ? { ...DEFAULT_SANDBOX_PORTS } : portsFromBase(integer('--port-base', opts.portBase));
  if (opts.httpPort !== undefined) ports.http01 = integer('--http-port', opts.httpPort);
  const running = await startSandbox({
    dir,
    ports,
    detached: true,
    env: io.env,
    ...(opts.fault !== undefined ? { fault: opts.fault } : {}),
    ...(opts.nonceReject !== undefined ? { nonceRejectPercent: integer('--nonce-reject', opts.nonceReject) } : {}),
    ...(opts.authzReuse !== undefined ? { authzReusePercent: integer('--authz-reuse', opts.authzReuse) } : {}),
    log: opts.json ? undefined : (line) => write(io.stderr, line),
  });
  printStatus(running.state, true, opts, io);
  return EXIT_CODES.ok;
}

async function status(dir: string, opts: SandboxCommandOptions, io: CommandIo): Promise<number> {
  const found = await sandboxStatus(dir);
  if (!found) {
    if (opts.json) write(io.stdout, JSON.stringify({ running: false, dir }));
    else write(io.stdout, `no sandbox is running (${dir}); start one with: certdeck sandbox start`);
    return EXIT_CODES.failed;
  }
  const live = found.alive ? await liveFaultIfChanged(found.state) : undefined;
  printStatus(found.state, found.alive, opts, io, live);
  return found.alive ? EXIT_CODES.ok : EXIT_CODES.failed;
}

function printStatus(state: SandboxState, alive: boolean, opts: SandboxCommandOptions, io: CommandIo, liveFault?: FaultScenario): void {
  if (opts.json) {
    write(io.stdout, JSON.stringify({ running: alive, state, ...(liveFault ? { liveFault } : {}) }));
    return;
  }
  const lines = [
    alive
      ? `sandbox: running (pids ${state.pids.join(', ')})`
      : `sandbox: NOT running: processes ${state.pids.filter((pid) => !isAlive(pid)).join(', ')} are gone; ` +
        'run certdeck sandbox start to restart it',
    `  started     ${state.startedAt}`,
    `  CA bundle   ${state.caBundlePath}   (trust it for the sandbox CAs only)`,
  ];
  for (const ca of state.cas) {
    lines.push(`  ${ca.id.padEnd(11)} ${ca.directoryUrl}`);
    if (ca.faultProxy) {
      lines.push(`              fault proxy: ${liveFault ? `changed through the control endpoint: ${JSON.stringify(liveFault)}` : ca.faultProxy.scenario} (control ${ca.faultProxy.controlUrl})`);
      lines.push(`              change it with: certdeck sandbox fault SPEC   (none clears it)`);
      lines.push(`              pebble itself: ${ca.pebbleDirectoryUrl}`);
    }
    lines.push(`              management: ${ca.managementUrl}`);
  }
  lines.push(
    `  HTTP-01     Pebble validates on 127.0.0.1:${state.httpPort} (certdeck's challenge server listens there)`,
    ...(state.tlsAlpnPort === undefined ? [] : [`  TLS-ALPN-01 Pebble validates on 127.0.0.1:${state.tlsAlpnPort} (certdeck's responder listens there with --challenge tls-alpn-01)`]),
    `  DNS         127.0.0.1:${state.dnsPort}, every name -> 127.0.0.1 (TXT records: ${state.challtestsrvUrl})`,
    `  dns-01 hook ${sandboxDnsHookPath()} (publishes there; certdeck passes it CERTDECK_CHALLTESTSRV_URL=${state.challtestsrvUrl})`,
  );
  if (!state.cas.some((ca) => ca.faultProxy)) lines.push('  faults      none (no fault proxy; start with --fault SPEC to have one)');
  if (alive) lines.push('Try: certdeck issue --ca sandbox example.test', `A wildcard: ${sandboxDnsExample()}`);
  write(io.stdout, lines.join('\n'));
}

function integer(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new BadInputError('bad-number', `${flag} expects a whole number, not "${text}".`);
  }
  return n;
}

function reportError(err: unknown, opts: SandboxCommandOptions, io: CommandIo): number {
  const info = toErrorInfo(err);
  if (opts.json) write(io.stdout, JSON.stringify({ error: info }));
  else write(io.stderr, `error: ${info.message}${info.hint ? `\n${info.hint}` : ''}`);
  return err instanceof EngineError ? exitCodeFor(err.kind) : EXIT_CODES.failed;
}

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text + '\n');
}
