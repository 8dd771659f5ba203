import { createRuntime } from '../app/runtime.js';
import type { Engine } from '../engine/engine.js';
import type { HistoryRecord, OrderHistorySummary } from '../engine/api.js';
import { BadInputError, EngineError, EXIT_CODES } from '../engine/core/errors.js';
import { describeHistoryRecord } from '../engine/history-view.js';
import type { LogCliOptions } from './log.cli.js';
import { reportEngineError, type CommandIo } from './io.js';

/**
 * `certdeck log [NAME] [--order ID] [--json] [--follow]`: the order history the engine recorded, read through the
 * engine (never the files directly). Human lines are whole, never cut: a terminal wraps them, `less -S` scrolls them.
 */
export async function runLogCommand(name: string | undefined, opts: LogCliOptions, io: CommandIo): Promise<number> {
  let engine: Engine;
  try {
    ({ engine } = await createRuntime(io.env));
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  }
  const write = (text: string): void => void io.stdout.write(text);
  try {
    if (opts.follow) return await follow(engine, name, opts, io);
    if (name === undefined) {
      if (opts.order !== undefined) throw new BadInputError('order-needs-name', '--order needs the certificate NAME too.', 'Run `certdeck log` to list orders with their certificate, then `certdeck log NAME --order ID`.');
      const orders = await engine.orderHistory();
      if (opts.json) {
        for (const o of orders) for (const r of await engine.readHistory(o.certName, { orderId: o.orderId })) write(`${JSON.stringify(r)}\n`);
        return EXIT_CODES.ok;
      }
      if (orders.length === 0) {
        io.stderr.write('No order history yet: it is recorded from the first `certdeck issue` (or TUI order) on.\n');
        return EXIT_CODES.ok;
      }
      for (const o of orders) write(`${summaryLine(o)}\n`);
      write(`\n${orders.length} order(s). Full timeline: certdeck log NAME [--order ID]\n`);
      return EXIT_CODES.ok;
    }
    const records = await engine.readHistory(name, opts.order === undefined ? {} : { orderId: opts.order });
    if (records.length === 0) {
      throw new BadInputError('no-history', `No order history for ${name}.`, 'Run `certdeck log` to see which certificates have one (history is recorded from the first order on).');
    }
    if (opts.json) {
      for (const r of records) write(`${JSON.stringify(r)}\n`);
      return EXIT_CODES.ok;
    }
    printTimelines(records, await engine.orderHistory(name), write);
    return EXIT_CODES.ok;
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  } finally {
    await engine.close();
  }
}

async function follow(engine: Engine, name: string | undefined, opts: LogCliOptions, io: CommandIo): Promise<number> {
  if (name === undefined) throw new BadInputError('follow-needs-name', '--follow needs the certificate NAME.', 'Run `certdeck log NAME --follow`.');
  const abort = new AbortController();
  const onSignal = (): void => abort.abort('interrupted');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const end = await engine.followHistory(name, {
      ...(opts.order === undefined ? {} : { orderId: opts.order }),
      signal: abort.signal,
      onRecord: (r) => void io.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : `${recordLine(r)}\n`),
      onWaiting: (message) => void io.stderr.write(`${message}\n`),
    });
    if (end.reason === 'aborted') return EXIT_CODES.cancelled;
    if (end.reason === 'writer-gone') {
      io.stderr.write(
        `certdeck: order ${end.orderId} of ${name} stopped without finishing and no certdeck is running it any more (killed?).\n` +
          'Run the same `certdeck issue` again: it resumes the order from the journal.\n',
      );
      return EXIT_CODES.failed;
    }
    const summary = (await engine.orderHistory(name)).find((o) => o.orderId === end.orderId);
    return summary?.outcome === 'valid' ? EXIT_CODES.ok : EXIT_CODES.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function printTimelines(records: HistoryRecord[], orders: OrderHistorySummary[], write: (text: string) => void): void {
  const shown = new Set(records.flatMap((r) => ('orderId' in r && r.orderId !== undefined ? [r.orderId] : [])));
  for (const o of orders.filter((x) => shown.has(x.orderId))) {
    write(`== ${summaryLine(o)}\n`);
    for (const r of records) if ('orderId' in r && r.orderId === o.orderId) write(`${recordLine(r)}\n`);
    write('\n');
  }
  const certLevel = records.filter((r) => !('orderId' in r) || r.orderId === undefined);
  if (certLevel.length) {
    write('== certificate\n');
    for (const r of certLevel) write(`${recordLine(r)}\n`);
  }
}

function summaryLine(o: OrderHistorySummary): string {
  const outcome = o.outcome ?? 'unfinished';
  const why = o.outcome === 'failed' ? ` · ${o.error?.message ?? ''}` : o.reason ? ` · ${o.reason}` : o.outcome === undefined ? ' · running, or its process was stopped (the next run resumes it)' : '';
  return `${iso(o.startedAt)}  ${o.certName}  order ${o.orderId}  ${o.caName || o.caId}  ${outcome}  (${o.records} events)${why}`;
}

function recordLine(r: HistoryRecord): string {
  const l = describeHistoryRecord(r);
  return `${iso(l.at)}  ${l.text}`;
}

function iso(at: number): string {
  return new Date(at).toISOString();
}
