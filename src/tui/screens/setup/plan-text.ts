import type { IssueOutcome } from '../../../engine/api.js';
import type { Snapshot } from '../../../engine/state.js';
import { SYMBOLS } from '../../theme.js';
import type { TargetTextField } from '../../view-model/deploy-target-form.js';
import { CUSTOM_CA, displayName, equivalentCommands, type SetupPlan } from '../../view-model/setup-plan.js';
import type { TextBlock } from './ScrollText.js';

/** The texts of the setup's review and done steps, and the deploy fields' labels: what the plan reads like. */

export type RunState =
  | { phase: 'idle' }
  | { phase: 'working'; status: string; orderId?: string }
  | { phase: 'failed'; status: string; orderId?: string; error: string }
  | { phase: 'ok'; orderId?: string; outcome: IssueOutcome; warnings: string[]; timer?: { ok: boolean; lines: string[] } };

export const TARGET_LABEL: Record<TargetTextField, string> = { dir: 'Directory', program: 'Program', args: 'Arguments', out: 'Output file', passwordEnv: 'Password env', hosts: 'Hosts', id: 'Id' };
export const TARGET_PLACEHOLDER: Record<TargetTextField, string> = {
  dir: '/etc/ssl/example.com',
  program: '/usr/sbin/nginx, or systemctl',
  args: '-s reload',
  out: '/srv/app/example.pfx',
  passwordEnv: 'PFX_PASSWORD (the variable name)',
  hosts: 'empty: every name, port 443',
  id: 'optional',
};

export function targetSummary(t: SetupPlan['deploy'][number]): string {
  switch (t.kind) {
    case 'files':
      return `copy the files to ${t.dir}`;
    case 'command':
      return `run ${t.argv.join(' ')}`;
    case 'pfx':
      return `write ${t.out} (password from $${t.passwordEnv})`;
    case 'verify':
      return `verify ${t.hosts.length ? t.hosts.join(', ') : 'every name on :443'}`;
  }
}

export function reviewBlocks(plan: SetupPlan): TextBlock[] {
  const challenge =
    plan.challenge.method === 'http-01-webroot'
      ? `HTTP-01 through the web server's root ${plan.challenge.webroot}`
      : plan.challenge.method === 'dns-01'
        ? `DNS-01, TXT records published by the hook ${plan.challenge.hook ?? '(none)'}`
        : `HTTP-01 with certdeck's own server${plan.challenge.method === 'http-01-standalone' && plan.challenge.port ? ` on port ${plan.challenge.port}` : ''}`;
  const account = plan.account.kind === 'existing' ? `existing account ${plan.account.id}` : `new account${plan.account.email.trim() ? ` for ${plan.account.email.trim()}` : ' (no e-mail)'}, terms agreed: ${plan.termsOfService ?? 'none published'}`;
  const blocks: TextBlock[] = [
    { text: `Names: ${plan.domains.map(displayName).join(', ')}` },
    { text: `CA: ${plan.ca.name}${plan.ca.id === CUSTOM_CA ? ` (${plan.ca.directoryUrl})` : ''}${plan.eab ? ', with EAB (HMAC key hidden)' : ''}` },
    { text: `Account: ${account}` },
    { text: `Challenge: ${challenge}` },
    { text: `Key type: ${plan.keyType}` },
    { text: `Deploy: ${plan.deploy.length ? plan.deploy.map((t) => targetSummary(t)).join('; ') : 'none'}` },
    { text: `Renewal: ${plan.schedule === 'timer' ? 'the systemd timer certdeck-renew.timer, installed after the certificate is issued' : plan.schedule === 'cron' ? 'the cron line shown at the end' : 'by hand'}` },
  ];
  if (plan.rehearseOn) blocks.push({ text: `Rehearsal: on ${plan.rehearseOn.name} first, then asks before ${plan.ca.name}` });
  blocks.push({ text: '' }, { text: 'The same as headless commands (for scripts, or another machine):', tone: 'muted' });
  for (const l of equivalentCommands(plan)) blocks.push({ text: l, tone: 'accent' });
  blocks.push({ text: '' }, { text: 'Press enter to run it. Nothing has been written yet; q or esc leaves without a trace.', tone: 'info' });
  return blocks;
}

export function doneBlocks(plan: SetupPlan, run: Extract<RunState, { phase: 'ok' }>, snapshot: Snapshot, cron: string): TextBlock[] {
  const dir = run.outcome.certificateDir ?? '';
  const cert = snapshot.certificates[plan.certName];
  const blocks: TextBlock[] = [
    { text: `${SYMBOLS.ok} ${plan.domains.map(displayName).join(', ')} issued by ${plan.ca.name}.`, tone: 'ok' },
    { text: `Files: ${dir}/fullchain.pem (certificate + chain), ${dir}/privkey.pem (key, 0600), cert.pem, chain.pem.` },
  ];
  const runId = snapshot.latestDeploy[plan.certName];
  const deploy = runId ? snapshot.deploys[runId] : undefined;
  if (plan.deploy.length === 0) blocks.push({ text: 'Deploy: none configured (add targets later with d on the dashboard, or certdeck deploy add).' });
  else if (deploy?.outcome) blocks.push({ text: `Deploy: ${deploy.outcome} (${deploy.summary?.succeeded ?? 0} succeeded, ${deploy.summary?.failed ?? 0} failed).`, tone: deploy.outcome === 'succeeded' ? 'ok' : 'warn' });
  else blocks.push({ text: 'Deploy: running; see d on the dashboard.' });
  for (const w of run.warnings) blocks.push({ text: `${SYMBOLS.warn} ${w}`, tone: 'warn' });
  if (cert) {
    const due = cert.notAfter - (cert.notAfter - cert.notBefore) / 3;
    blocks.push({ text: `Valid until ${new Date(cert.notAfter).toISOString().slice(0, 16).replace('T', ' ')} UTC; renewal is due from ${new Date(due).toISOString().slice(0, 16).replace('T', ' ')} UTC.` });
  }
  if (run.timer) {
    blocks.push({ text: run.timer.ok ? `${SYMBOLS.ok} Renewal: the systemd timer is installed (certdeck renew twice a day).` : `${SYMBOLS.warn} Renewal: installing the systemd timer failed; add the cron line below instead.`, tone: run.timer.ok ? 'ok' : 'warn' });
    for (const l of run.timer.lines) blocks.push({ text: l, tone: 'muted', indent: 2 });
  }
  if (!run.timer?.ok) {
    blocks.push(
      plan.schedule === 'none' ? { text: 'To renew it, run this when it is due (or add it to cron):' } : { text: 'To renew it automatically, add this line to the crontab (crontab -e):' },
      { text: cron, tone: 'accent' },
    );
  }
  blocks.push(
    { text: `Next: point your server at fullchain.pem and privkey.pem; certdeck doctor ${plan.certName} checks everything again. Press enter for the dashboard.`, tone: 'info' },
  );
  return blocks;
}
