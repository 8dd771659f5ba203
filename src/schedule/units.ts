import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../engine/core/package-root.js';

/**
 * The renewal schedule on the host: systemd units from assets/ (certdeck-renew.service and .timer), filled in with
 * this installation's paths, or the equivalent cron line. Nothing here talks to a CA or to the engine.
 */

export const UNIT_NAMES = ['certdeck-renew.service', 'certdeck-renew.timer'] as const;
export const DEFAULT_UNIT_DIR = '/etc/systemd/system';

/** How this certdeck is started from a unit or crontab: absolute paths, never a PATH lookup. */
export interface CertdeckCommand {
  /** The Node running certdeck now (the pinned one under node_modules/.bin, or the system's for an installed bin). */
  node: string;
  /** certdeck's built entry point, dist/cli.js. */
  cli: string;
}

export function currentCommand(): CertdeckCommand {
  return { node: process.execPath, cli: path.join(packageRoot(), 'dist', 'cli.js') };
}

/** systemd runs units only when it is PID 1 (sd_booted(3) checks exactly this directory). */
export function systemdRunning(root = '/'): boolean {
  return existsSync(path.join(root, 'run', 'systemd', 'system'));
}

/** A word for ExecStart=: quoted when it has spaces or quotes, `%` doubled (systemd specifiers). */
function execWord(word: string): string {
  const escaped = word.replace(/%/g, '%%');
  return /[\s"'\\]/.test(escaped) ? `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : escaped;
}

/**
 * `home` undefined: no CERTDECK_HOME line, the runs use the platform's default directories of the unit's user
 * (root), as the installing root's own commands do.
 */
export async function renderUnits(opts: { home: string | undefined; command: CertdeckCommand }): Promise<Array<{ name: string; text: string }>> {
  const exec = [opts.command.node, opts.command.cli].map(execWord).join(' ');
  const envLine = opts.home === undefined ? '' : `Environment=${execWord(`CERTDECK_HOME=${opts.home}`)}\n`;
  return Promise.all(
    UNIT_NAMES.map(async (name) => {
      const template = await readFile(path.join(packageRoot(), 'assets', name), 'utf8');
      const text = template.replace('Environment=CERTDECK_HOME=@CERTDECK_HOME@\n', envLine).replace('@EXEC@', exec);
      return { name, text };
    }),
  );
}

/** Writes both units into `unitDir` (each replaced in one rename, 0644 as systemd expects); returns the files written. */
export async function installUnits(unitDir: string, opts: { home: string | undefined; command: CertdeckCommand }): Promise<string[]> {
  const written: string[] = [];
  for (const unit of await renderUnits(opts)) {
    const file = path.join(unitDir, unit.name);
    // Temp file and rename: systemd (or an operator) never reads half a unit.
    await mkdir(unitDir, { recursive: true, mode: 0o755 });
    const temp = path.join(unitDir, `.${unit.name}.${process.pid}.tmp`);
    await writeFile(temp, unit.text, { mode: 0o644 });
    await rename(temp, file);
    written.push(file);
  }
  return written;
}

/** Removes both units; returns the ones that were there. */
export async function removeUnits(unitDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of UNIT_NAMES) {
    const file = path.join(unitDir, name);
    if (existsSync(file)) {
      await rm(file, { force: true });
      removed.push(file);
    }
  }
  return removed;
}

export function installedUnits(unitDir: string): string[] {
  return UNIT_NAMES.map((name) => path.join(unitDir, name)).filter((file) => existsSync(file));
}

/**
 * The cron equivalent: twice a day, 12 hours apart, at a minute and hour picked at random once (so machines do not
 * all ask the CA at :00), plus --jitter for the rest of the spread.
 */
export function cronLine(opts: { home: string | undefined; command: CertdeckCommand }, random: () => number = Math.random): string {
  const minute = Math.floor(random() * 60);
  const hour = Math.floor(random() * 12);
  const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const env = opts.home === undefined ? '' : `CERTDECK_HOME=${quote(opts.home)} `;
  return `${minute} ${hour},${hour + 12} * * * ${env}${quote(opts.command.node)} ${quote(opts.command.cli)} renew --jitter 1h`;
}
