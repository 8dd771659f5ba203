import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFaultSpec } from '../../src/sandbox/fault/preset.js';
import { parseScenarioJson } from '../../src/sandbox/fault/scenario.js';
import { FaultPlan } from '../../src/sandbox/fault/plan.js';

describe('clock-skew fault', () => {
  it('parses from the shorthand (either sign) and from JSON, and the plan exposes the offset', () => {
    assert.deepEqual(parseFaultSpec('clock-skew:3600'), { rules: [{ kind: 'clock-skew', seconds: 3600 }] });
    assert.deepEqual(parseFaultSpec('clock-skew:-90'), { rules: [{ kind: 'clock-skew', seconds: -90 }] });
    assert.throws(() => parseFaultSpec('clock-skew'), /clock-skew needs seconds/);
    const scenario = parseScenarioJson({ rules: [{ kind: 'latency', ms: 5 }, { kind: 'clock-skew', seconds: 7200 }] });
    assert.equal(new FaultPlan(scenario).clockSkewSeconds, 7200);
    assert.equal(new FaultPlan({ rules: [] }).clockSkewSeconds, undefined);
    assert.throws(() => parseScenarioJson({ rules: [{ kind: 'clock-skew' }] }), /seconds is required/);
  });
});
