import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../engine/core/errors.js';
import { sandboxStatePath, type SandboxCaState, type SandboxState } from '../engine/ca/sandbox-state.js';
import { parseFaultSpec } from './fault/preset.js';
import type { FaultScenario } from './fault/scenario.js';
import { writeFileAtomic } from '../engine/store/atomic.js';
import { simpleRequest } from './https-request.js';
import { sandboxStatus } from './sandbox-status.js';

/**
 * Changing the fault scenario of a running (detached) sandbox through its proxy's control endpoint, so
 * `certdeck sandbox fault SPEC` and `sandbox start --fault SPEC` on a running sandbox do what they say instead of
 * leaving the old fault in place; state.json records the new one so `sandbox status` shows it.
 */

function proxiedCa(state: SandboxState): (SandboxCaState & { faultProxy: NonNullable<SandboxCaState['faultProxy']> }) | undefined {
  const ca = state.cas.find((c) => c.faultProxy);
  return ca?.faultProxy ? { ...ca, faultProxy: ca.faultProxy } : undefined;
}

/** Sets the running sandbox's fault scenario; returns the updated state. The spec is checked before anything changes. */
export async function applySandboxFault(dir: string, spec: string): Promise<SandboxState> {
  const scenario = parseFaultSpec(spec);
  const found = await sandboxStatus(dir);
  if (!found?.alive) {
    throw new ConfigError('sandbox-not-running', `No sandbox is running from ${dir}, so there is no fault to change.`, `Start one with the fault: certdeck sandbox start --fault ${spec}`);
  }
  const ca = proxiedCa(found.state);
  if (!ca) {
    throw new ConfigError(
      'sandbox-no-fault-proxy',
      `The sandbox running from ${dir} was started without the fault proxy, so its faults cannot be changed while it runs.`,
      `Restart it with the proxy: certdeck sandbox stop && certdeck sandbox start --fault ${spec}`,
    );
  }
  let res;
  try {
    res = await simpleRequest(`${ca.faultProxy.controlUrl}/scenario`, { method: 'PUT', body: JSON.stringify(scenario), headers: { 'Content-Type': 'application/json' } });
  } catch (err) {
    throw new ConfigError('sandbox-fault-control', `The fault proxy's control endpoint ${ca.faultProxy.controlUrl} did not answer: ${(err as Error).message}`, 'Restart the sandbox: certdeck sandbox stop && certdeck sandbox start --fault ' + spec);
  }
  if (res.status !== 200) {
    throw new ConfigError('sandbox-fault-control', `The fault proxy refused the scenario (HTTP ${res.status}): ${res.body.trim()}`);
  }
  const label = spec.trim() === '' ? 'none' : spec.trim();
  const state: SandboxState = {
    ...found.state,
    cas: found.state.cas.map((c) => (c.faultProxy ? { ...c, faultProxy: { ...c.faultProxy, scenario: label } } : c)),
  };
  await writeFileAtomic(sandboxStatePath(dir), JSON.stringify(state, null, 2) + '\n', { mode: 0o644, dirMode: 0o755 });
  return state;
}

/**
 * The scenario the proxy is really running, when it differs from what state.json says (someone PUT one with curl):
 * undefined when they agree or the proxy cannot be asked.
 */
export async function liveFaultIfChanged(state: SandboxState): Promise<FaultScenario | undefined> {
  const ca = proxiedCa(state);
  if (!ca) return undefined;
  try {
    const res = await simpleRequest(`${ca.faultProxy.controlUrl}/scenario`, { timeoutMs: 2000 });
    if (res.status !== 200) return undefined;
    const live = JSON.parse(res.body) as FaultScenario;
    let recorded: FaultScenario | undefined;
    try {
      recorded = parseFaultSpec(ca.faultProxy.scenario);
    } catch {
      recorded = undefined;
    }
    return recorded && isDeepStrictEqual(JSON.parse(JSON.stringify(recorded)), live) ? undefined : live;
  } catch {
    return undefined;
  }
}
