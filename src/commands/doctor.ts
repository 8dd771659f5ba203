import { createRuntime } from '../app/runtime.js';
import type { Engine } from '../engine/engine.js';
import type { CheckProgress, DiagnoseReport, Finding, Severity } from '../engine/api.js';
import { BadInputError, EngineError } from '../engine/core/errors.js';
import { reportEngineError, type CommandIo } from './io.js';

/**
 * `certdeck doctor [NAME...] [--offline] [--json]`: the engine's checks, printed as they finish, grouped by
 * certificate (or CA, or this host) and tier, each finding with what was seen and what to do. Exit 0 when no finding
 * is an error, 1 otherwise, so cron or monitoring can run it.
 */

export interface DoctorCliOptions {
  offline?: boolean;
  json?: boolean;
  resolver?: string;
}

const MARK: Record<Severity | 'ok' | 'skipped', string> = { error: '✖', warning: '!', info: 'i', ok: '✔', skipped: '–' };

/** Text from a CA or a file goes to a terminal: no control characters. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

export function parseResolvers(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of list) {
    if (!/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\]|[0-9a-f:]+)(:\d{1,5})?$/i.test(s)) {
      throw new BadInputError('bad-resolver', `--resolver ${JSON.stringify(s)} is not an IP address with an optional port.`, 'Pass name server addresses, e.g. --resolver 127.0.0.1:8053 or --resolver 9.9.9.9,[2620:fe::fe]:53');
    }
  }
  return list;
}

function groupOf(p: { certName?: string; caId?: string }): string {
  return p.certName ? `Certificate ${p.certName}` : p.caId ? `CA ${p.caId}` : 'This host';
}

/** Streams checks as they finish: a heading when the group or tier changes, then the check and its findings. */
export function humanPrinter(write: (s: string) => void): (p: CheckProgress) => void {
  let group = '';
  let tier = '';
  return (p) => {
    if (p.type !== 'finished') return;
    const g = groupOf(p.check);
    if (g !== group) {
      write(`\n${g}\n`);
      group = g;
      tier = '';
    }
    if (p.check.tier !== tier) {
      write(`  [${p.check.tier}]\n`);
      tier = p.check.tier;
    }
    const mark = p.outcome === 'ok' ? MARK.ok : p.outcome === 'skipped' ? MARK.skipped : MARK[p.worst ?? 'warning'];
    write(`    ${mark} ${clean(p.check.title)}${p.note ? `: ${clean(p.note)}` : ''}\n`);
    for (const f of p.findings) write(formatFinding(f));
  };
}

export function formatFinding(f: Finding): string {
  return `      ${f.severity.toUpperCase()} ${f.id}\n        seen: ${clean(f.seen)}\n        do:   ${clean(f.todo)}\n`;
}

export function summaryLine(report: DiagnoseReport): string {
  const { error, warning, info } = report.counts;
  const verdict = error ? 'problems found' : warning ? 'no errors' : 'all good';
  return `\n${verdict}: ${error} error${error === 1 ? '' : 's'}, ${warning} warning${warning === 1 ? '' : 's'}, ${info} note${info === 1 ? '' : 's'} (exit ${report.exitCode})\n`;
}

/** A shared storage is named next to the home (the file storage is the home itself). */
function storageNote(engine: Engine): string {
  const s = engine.storageInfo();
  return s.kind === 'file' ? '' : ` · storage ${s.location}`;
}

export async function runDoctorCommand(names: string[], opts: DoctorCliOptions, io: CommandIo): Promise<number> {
  let dnsServers: string[] | undefined;
  try {
    dnsServers = parseResolvers(opts.resolver);
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  }
  let engine: Engine;
  try {
    ({ engine } = await createRuntime(io.env));
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort('interrupted');
  process.once('SIGINT', onSignal);
  try {
    if (!opts.json) io.stdout.write(`certdeck doctor · ${names.length ? names.join(', ') : 'every certificate'} · home ${engine.stateHome}${storageNote(engine)}${opts.offline ? ' · offline' : ''}\n`);
    const report = await engine.diagnose({
      ...(names.length ? { certNames: names } : {}),
      ...(opts.offline ? { offline: true } : {}),
      ...(dnsServers ? { dnsServers } : {}),
      ...(opts.json ? {} : { onProgress: humanPrinter((s) => io.stdout.write(s)) }),
      signal: abort.signal,
    });
    if (opts.json) {
      io.stdout.write(`${JSON.stringify({ ok: report.exitCode === 0, exitCode: report.exitCode, certificates: report.certNames, counts: report.counts, findings: report.findings, checks: report.checks })}\n`);
    } else {
      if (report.certNames.length === 0) io.stdout.write(`\nNo certificates in this home yet: only the home itself was checked. Issue one with: certdeck issue example.com --ca letsencrypt-staging\n`);
      io.stdout.write(summaryLine(report));
    }
    return report.exitCode;
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    await engine.close();
  }
}
