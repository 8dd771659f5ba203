import type { CaInfo, EngineApi, IssueOutcome } from '../../../engine/api.js';
import { planRequest, type SetupPlan } from '../../view-model/setup-plan.js';

/**
 * Carries out the plan through the engine, in the order that leaves nothing half-done: the account (only now, after
 * the operator agreed and reviewed), then the deploy targets (each checked as `deploy add` checks it), then the
 * order. The rehearsal on the staging CA creates the staging account and orders a separately named certificate.
 */

export interface RunCallbacks {
  onStatus(text: string): void;
  /** The order this run follows (the engine's order:queued for the certificate). */
  onOrder(orderId: string): void;
}

export async function ensureAccount(engine: EngineApi, plan: SetupPlan, ca: CaInfo, cb: RunCallbacks): Promise<void> {
  const existing = plan.account.kind === 'existing' && ca === plan.ca;
  if (existing) return;
  const email = plan.account.kind === 'new' ? plan.account.email.trim() : plan.account.email;
  cb.onStatus(`Creating the account at ${ca.name}${email ? ` for ${email}` : ''} (terms of service agreed)…`);
  await engine.addAccount({
    ca: ca.id === 'custom' ? ca.directoryUrl : ca.id,
    ...(plan.caBundlePath && ca === plan.ca ? { caBundlePath: plan.caBundlePath } : {}),
    ...(email ? { email } : {}),
    agreeTos: true,
    ...(plan.eab && ca === plan.ca ? { eab: plan.eab } : {}),
  });
}

/** Follows the order the engine queues for `certName` while `work` runs. */
export async function issueFollowing(engine: EngineApi, plan: SetupPlan, ca: CaInfo, cb: RunCallbacks): Promise<IssueOutcome> {
  const request = planRequest(plan, ca);
  const off = engine.onEvent((e) => {
    if (e.type === 'order:queued' && e.certName === request.certName) cb.onOrder(e.orderId);
  });
  try {
    cb.onStatus(`Ordering ${request.domains.join(', ')} from ${ca.name}…`);
    return await engine.issue(request);
  } finally {
    off();
  }
}

export async function addTargets(engine: EngineApi, plan: SetupPlan, cb: RunCallbacks): Promise<string[]> {
  const warnings: string[] = [];
  const existing = new Set((await engine.listDeployTargets(plan.certName)).map((t) => t.id));
  for (const input of plan.deploy) {
    if (input.id && existing.has(input.id)) continue; // a retried run already saved it
    cb.onStatus(`Saving deploy target ${input.kind}…`);
    const added = await engine.addDeployTarget(plan.certName, input);
    existing.add(added.target.id);
    warnings.push(...added.warnings);
  }
  return warnings;
}
