import path from 'node:path';
import { execa } from 'execa';
import { EXIT_CODES, EngineError } from '../engine/core/errors.js';
import { cronLine, currentCommand, DEFAULT_UNIT_DIR, installedUnits, installUnits, removeUnits, systemdRunning, type CertdeckCommand } from '../schedule/units.js';
import { reportEngineError, type CommandIo } from './io.js';
import type { ScheduleCliOptions } from './schedule.cli.js';

export interface ScheduleHost {
  systemd: boolean;
  root: boolean;
  /** Where systemd looks for administrator units. @default /etc/systemd/system */
  unitDir?: string;
  command: CertdeckCommand;
  /** Runs systemctl (argv, no shell); absent: never called. */
  systemctl?: (args: string[]) => Promise<{ ok: boolean; output: string }>;
}

function realHost(): ScheduleHost {
  return {
    systemd: systemdRunning(),
    root: process.getuid?.() === 0,
    command: currentCommand(),
    systemctl: async (args) => {
      const r = await execa('systemctl', args, { reject: false, all: true, timeout: 30_000 });
      return { ok: r.exitCode === 0, output: String(r.all ?? '').trim() };
    },
  };
}

/** `certdeck schedule install|remove|status`. */
export async function runScheduleCommand(action: 'install' | 'remove' | 'status', opts: ScheduleCliOptions, io: CommandIo, host: ScheduleHost = realHost()): Promise<number> {
  const write = (line: string): void => void io.stdout.write(`${line}\n`);
  // The timer's runs use the state this command sees: the same CERTDECK_HOME, or (unset) the platform default.
  const home = io.env.CERTDECK_HOME ? path.resolve(io.env.CERTDECK_HOME) : undefined;
  const explicitDir = opts.unitDir !== undefined;
  const unitDir = path.resolve(opts.unitDir ?? host.unitDir ?? DEFAULT_UNIT_DIR);
  const useSystemd = explicitDir || (host.systemd && host.root);
  const systemctl = !explicitDir && host.systemctl ? host.systemctl : undefined;
  try {
    if (!useSystemd) {
      const why = !host.systemd ? 'systemd is not running here' : 'installing a systemd timer needs root';
      if (action === 'install') {
        write(`${why}; add this line to the crontab of the user that runs certdeck (crontab -e):`);
        write(cronLine({ home, command: host.command }));
        return EXIT_CODES.ok;
      }
      write(`${why}; certdeck installs no cron entry itself: ${action === 'remove' ? 'remove' : 'look for'} the "certdeck renew" line with crontab -e.`);
      return EXIT_CODES.ok;
    }
    if (action === 'install') {
      for (const file of await installUnits(unitDir, { home, command: host.command })) write(`wrote ${file}`);
      if (systemctl) {
        for (const args of [['daemon-reload'], ['enable', '--now', 'certdeck-renew.timer']]) {
          const r = await systemctl(args);
          if (!r.ok) {
            io.stderr.write(`certdeck: systemctl ${args.join(' ')} failed: ${r.output}\n`);
            return EXIT_CODES.failed;
          }
        }
        write('enabled certdeck-renew.timer: `systemctl list-timers certdeck-renew.timer` shows the next run.');
      } else {
        write(`to use them: copy them to ${DEFAULT_UNIT_DIR}, then systemctl daemon-reload && systemctl enable --now certdeck-renew.timer`);
      }
      return EXIT_CODES.ok;
    }
    if (action === 'remove') {
      if (systemctl) await systemctl(['disable', '--now', 'certdeck-renew.timer']);
      const removed = await removeUnits(unitDir);
      for (const file of removed) write(`removed ${file}`);
      if (removed.length === 0) write(`no certdeck units in ${unitDir}`);
      if (systemctl) await systemctl(['daemon-reload']);
      return EXIT_CODES.ok;
    }
    const present = installedUnits(unitDir);
    write(present.length ? `installed: ${present.join(', ')}` : `not installed in ${unitDir}`);
    if (systemctl && present.length) {
      const enabled = await systemctl(['is-enabled', 'certdeck-renew.timer']);
      const active = await systemctl(['is-active', 'certdeck-renew.timer']);
      write(`timer: ${enabled.output || 'unknown'}, ${active.output || 'unknown'}`);
    }
    return EXIT_CODES.ok;
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  }
}

/**
 * The guided setup's renewal step, from the same decisions and code as `certdeck schedule install`: whether the timer
 * can be installed here, the cron line otherwise, and the install itself (its output captured as lines).
 */
export function renewalScheduler(env: NodeJS.ProcessEnv, host: ScheduleHost = realHost()) {
  const home = env.CERTDECK_HOME ? path.resolve(env.CERTDECK_HOME) : undefined;
  const unitDir = path.resolve(host.unitDir ?? DEFAULT_UNIT_DIR);
  return {
    timer: host.systemd && host.root ? { available: true as const, unitDir } : { available: false as const, why: !host.systemd ? 'systemd is not running here' : 'installing a systemd timer needs root' },
    cronLine: cronLine({ home, command: host.command }),
    async installTimer(): Promise<{ ok: boolean; lines: string[] }> {
      let text = '';
      const sink = { write: (s: string) => ((text += s), true) } as NodeJS.WritableStream;
      const code = await runScheduleCommand('install', {}, { stdout: sink, stderr: sink, env }, host);
      return { ok: code === EXIT_CODES.ok, lines: text.split('\n').map((l) => l.replace(/^certdeck: /, '')).filter((l) => l.trim() !== '') };
    },
  };
}
