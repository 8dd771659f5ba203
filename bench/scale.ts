/**
 * (e) Many single-name certificates in one `certdeck issue --each` run, against the ceiling: the same orders driven
 * by the leanest raw-JWS client (client-raw-jws.ts) at the same concurrency, in the same run, against the same
 * Pebble. Both at several batch sizes, to show how they scale. Peak RSS of certdeck's process from GNU time.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BenchContext } from './client.js';
import type { CertdeckBenchClient } from './client-certdeck.js';
import { rawJwsClient } from './client-raw-jws.js';
import { seconds } from './stats.js';
import { renderTable } from './table.js';

export const SCALE_TARGETS = { ofCeiling: 0.7, peakRssMb: 250, requestsPerCert: 7 } as const;
const GNU_TIME = '/usr/bin/time';

export interface ScaleRow {
  who: string;
  certs: number;
  ms: number;
  requests: number;
  peakRssMb?: number;
  failure?: string;
}

export interface ScalePlan {
  sizes: number[];
  concurrency: number;
  log: (line: string) => void;
}

/** Runs every size for the raw client and each certdeck variant, alternating, and returns one row per run. */
export async function runScalePhase(ctx: BenchContext, certdecks: CertdeckBenchClient[], plan: ScalePlan): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  let batch = 0;
  for (const size of plan.sizes) {
    batch += 1;
    const names = (who: string) => Array.from({ length: size }, (_, i) => `${who}-e${batch}-${i + 1}.bench.test`);
    // The ceiling: a fresh raw client (its own account registration is outside the timing).
    try {
      const client = await rawJwsClient({ directoryUrl: ctx.directoryUrl, caRootPath: ctx.caRootPath, httpPort: ctx.httpPort });
      try {
        await client.register();
        const m = await ctx.measure(() => client.issueAll(names('raw'), plan.concurrency));
        rows.push({ who: 'raw JWS (ceiling)', certs: size, ms: m.ms, requests: m.requests.length });
      } finally {
        await client.close();
      }
    } catch (err) {
      rows.push({ who: 'raw JWS (ceiling)', certs: size, ms: Number.NaN, requests: 0, failure: String(err instanceof Error ? err.message : err) });
    }
    plan.log(`(e) ${rows.at(-1)!.who.padEnd(26)} ${String(size).padStart(4)} certs: ${seconds(rows.at(-1)!.ms)}`);
    for (const certdeck of certdecks) {
      const who = certdeck.id;
      const rssFile = path.join(await mkdtemp(path.join(ctx.workDir, 'rss-')), 'maxrss');
      const wrap = existsSync(GNU_TIME) ? { command: GNU_TIME, args: ['-f', '%M', '-o', rssFile] } : undefined;
      try {
        const m = await ctx.measure(() => certdeck.issueInAccountHome(names(who), plan.concurrency, wrap));
        const kb = wrap ? Number((await readFile(rssFile, 'utf8').catch(() => '')).trim().split('\n').at(-1)) : Number.NaN;
        rows.push({ who, certs: size, ms: m.ms, requests: m.requests.length, ...(Number.isFinite(kb) && kb > 0 ? { peakRssMb: kb / 1024 } : {}) });
      } catch (err) {
        rows.push({ who, certs: size, ms: Number.NaN, requests: 0, failure: String(err instanceof Error ? err.message : err) });
      } finally {
        await rm(path.dirname(rssFile), { recursive: true, force: true });
      }
      plan.log(`(e) ${who.padEnd(26)} ${String(size).padStart(4)} certs: ${seconds(rows.at(-1)!.ms)}`);
    }
  }
  return rows;
}

export function renderScale(rows: ScaleRow[], plan: ScalePlan): string {
  const ceiling = new Map(rows.filter((r) => r.who.startsWith('raw')).map((r) => [r.certs, r]));
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'MET' : 'MISSED');
  const table: string[][] = [['(e) one --each run', 'certs', 'wall', 'certs/s', 'CA req/cert', 'peak RSS', 'of ceiling', 'targets', 'verdict']];
  for (const r of rows) {
    const rate = r.certs / (r.ms / 1000);
    const top = ceiling.get(r.certs);
    const share = top && !r.who.startsWith('raw') ? top.ms / r.ms : undefined;
    const isRaw = r.who.startsWith('raw');
    const perCert = r.requests / r.certs;
    const ok = isRaw || r.failure
      ? undefined
      : (share ?? 0) >= SCALE_TARGETS.ofCeiling && (r.peakRssMb === undefined || r.peakRssMb <= SCALE_TARGETS.peakRssMb) && perCert <= SCALE_TARGETS.requestsPerCert;
    table.push([
      r.who,
      String(r.certs),
      r.failure ? 'FAILED' : seconds(r.ms),
      r.failure ? '-' : rate.toFixed(1),
      r.failure ? '-' : perCert.toFixed(1),
      r.peakRssMb === undefined ? (isRaw ? '' : '-') : `${r.peakRssMb.toFixed(0)} MB`,
      share === undefined || !Number.isFinite(share) ? '' : `${(share * 100).toFixed(0)}%`,
      isRaw ? '' : `>= ${SCALE_TARGETS.ofCeiling * 100}% of ceiling, <= ${SCALE_TARGETS.peakRssMb} MB, <= ${SCALE_TARGETS.requestsPerCert} req/cert`,
      isRaw ? '' : verdict(ok),
    ]);
  }
  const failures = rows.filter((r) => r.failure).map((r) => `  ! ${r.who} ${r.certs}: ${r.failure!.split('\n').slice(0, 8).join('\n    ')}`);
  return [
    renderTable(table),
    `(e) concurrency ${plan.concurrency} for every client; "of ceiling" = the raw client's wall time / this one's, same size, same run;` +
      ' peak RSS from GNU time (certdeck process only).',
    ...failures,
  ].join('\n');
}
