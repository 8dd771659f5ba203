import type { ImportClient, ImportOptions, ImportPlan, ImportResult } from '../engine/api.js';
import { EngineError, EXIT_CODES } from '../engine/core/errors.js';
import { createRuntime } from '../app/runtime.js';
import type { ImportCliOptions } from './import.cli.js';
import { reportEngineError, type CommandIo } from './io.js';

/**
 * `certdeck import certbot|acme.sh|lego`: previews (always) and imports (without --dry-run) through the engine.
 * Nothing here reads the other client's files; the engine does, read-only.
 */
export async function runImportCommand(client: ImportClient, opts: ImportCliOptions, io: CommandIo): Promise<number> {
  let engine;
  try {
    ({ engine } = await createRuntime(io.env, { deployAfterIssue: false }));
    const dir = opts.configDir ?? opts.home ?? opts.path;
    const options: ImportOptions = { ...(dir ? { dir } : {}), ...(opts.server ? { server: opts.server } : {}), ...(opts.email ? { email: opts.email } : {}) };
    const plan = await engine.planImport(client, options);
    if (opts.dryRun) {
      io.stdout.write(opts.json ? `${JSON.stringify({ dryRun: true, plan })}\n` : describePlan(plan, true));
      return EXIT_CODES.ok;
    }
    const result = plan.summary.import > 0 ? await engine.applyImport(plan) : { plan, imported: { certificates: [], accounts: [] } };
    io.stdout.write(opts.json ? `${JSON.stringify({ dryRun: false, ...result })}\n` : describePlan(result.plan, false) + describeResult(result));
    return EXIT_CODES.ok;
  } catch (err) {
    if (err instanceof EngineError) return reportEngineError(io, err);
    throw err;
  } finally {
    await engine?.close();
  }
}

const ACTION: Record<string, [string, string]> = {
  import: ['will import', 'import'],
  'already-managed': ['already managed', 'already managed'],
  'cannot-import': ['cannot import', 'cannot import'],
};

/** The preview as an operator reads it: one block per certificate, then the accounts, then what does not carry over. */
export function describePlan(plan: ImportPlan, dryRun: boolean): string {
  // The engine's plan comes with control characters stripped from everything the other client's files said.
  const s = (t: string) => t;
  const out: string[] = [`${plan.client} in ${s(plan.dir)}${dryRun ? ' (dry run: nothing is written)' : ''}`];
  if (plan.certificates.length === 0 && plan.accounts.length === 0) out.push('  nothing found to import');
  for (const c of plan.certificates) {
    out.push('', `certificate ${s(c.certName)}: ${ACTION[c.action]![dryRun ? 0 : 1]}${c.reason ? ` (${s(c.reason)})` : ''}`);
    out.push(`  from      ${s(c.sourceFile)}`);
    if (c.domains.length) out.push(`  names     ${c.domains.map(s).join(', ')}`);
    if (c.serial) out.push(`  serial    ${c.serial}`, `  valid     ${c.notBefore} .. ${c.notAfter}`);
    if (c.request) {
      out.push(`  CA        ${s(c.request.ca)}`, `  key       ${c.request.keyType}`, `  challenge ${challengeText(c.request.challenge)}`);
      if (c.request.account) out.push(`  account   ${s(c.request.account)}`);
      if (c.request.preferredChain) out.push(`  chain     ${s(c.request.preferredChain)}`);
    }
    for (const t of c.deployTargets) out.push(`  deploy    ${t.kind === 'command' ? `run ${t.argv.map(s).join(' ')}` : `files -> ${Object.entries(t.paths).map(([k, v]) => `${k} ${s(v)}`).join(', ')}`}`);
    for (const n of c.notCarried) out.push(`  not carried over: ${s(n.what)}: ${s(n.reason)}`);
  }
  for (const a of plan.accounts) {
    out.push('', `account ${s(a.accountId ?? a.sourceId)}: ${ACTION[a.action]![dryRun ? 0 : 1]}${a.reason ? ` (${s(a.reason)})` : ''}`);
    out.push(`  from      ${s(a.sourceDir)}`);
    if (a.accountUrl) out.push(`  URL       ${s(a.accountUrl)}`);
  }
  for (const k of plan.skipped) out.push('', `skipped ${s(k.what)}: ${s(k.reason)}`);
  const { import: n, alreadyManaged, cannotImport } = plan.summary;
  out.push('', `${dryRun ? 'would import' : 'to import'} ${n}, already managed ${alreadyManaged}, cannot import ${cannotImport}`);
  return `${out.join('\n')}\n`;
}

function describeResult(r: ImportResult): string {
  const { certificates, accounts } = r.imported;
  if (!certificates.length && !accounts.length) return 'nothing imported: everything found is already managed or cannot be carried over\n';
  return `imported ${certificates.length} certificate(s)${certificates.length ? ` (${certificates.join(', ')})` : ''} and ${accounts.length} account(s)${accounts.length ? ` (${accounts.join(', ')})` : ''}\n` +
    "certdeck renews them from now on (certdeck issue NAME --if-due); disable the other client's cron job or timer so both do not renew\n";
}

function challengeText(c: NonNullable<ImportPlan['certificates'][number]['request']>['challenge']): string {
  switch (c.method) {
    case 'http-01-webroot':
      return `http-01, webroot ${c.webroot}`;
    case 'http-01-standalone':
      return `http-01, built-in server${c.port ? ` on port ${c.port}` : ''}`;
    case 'tls-alpn-01':
      return `tls-alpn-01${c.port ? ` on port ${c.port}` : ''}`;
    case 'dns-01':
      return `dns-01, ${c.hook ? `hook ${c.hook}` : `auth hook ${c.authHook}, cleanup hook ${c.cleanupHook}`}`;
  }
}
