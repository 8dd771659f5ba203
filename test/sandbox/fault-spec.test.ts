import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadInputError } from '../../src/engine/core/errors.js';
import { FaultPlan } from '../../src/sandbox/fault/plan.js';
import { parseFaultSpec } from '../../src/sandbox/fault/preset.js';
import { classifyResource, orderKey } from '../../src/sandbox/fault/resource.js';
import { parseScenarioJson } from '../../src/sandbox/fault/scenario.js';
import { retryAfterValue } from '../../src/sandbox/fault/responses.js';
import { FAULT_SYNTAX_HELP } from '../../src/sandbox/help-text.js';

describe('--fault shorthand', () => {
  it('gives each rule its documented defaults', () => {
    assert.deepEqual(parseFaultSpec('hang-processing').rules, [{ kind: 'hang-processing', seconds: null }]);
    assert.deepEqual(parseFaultSpec('order-not-ready').rules, [{ kind: 'order-not-ready-after-finalize', count: 1 }]);
    assert.deepEqual(parseFaultSpec('rate-limit').rules, [
      { kind: 'rate-limit', match: 'new-order', count: 1, retryAfterSeconds: 5, retryAfterFormat: 'seconds' },
    ]);
    assert.deepEqual(parseFaultSpec('bad-nonce').rules, [{ kind: 'bad-nonce', count: 1 }]);
    assert.deepEqual(parseFaultSpec('reset').rules, [{ kind: 'reset', match: 'new-order', count: 1 }]);
  });

  it('reads every field and combines rules with commas', () => {
    const scenario = parseFaultSpec('hang-processing:30:7, unavailable:finalize:*:date+60,bad-nonce:25%,latency:200:authz');
    assert.deepEqual(scenario.rules, [
      { kind: 'hang-processing', seconds: 30, retryAfterSeconds: 7 },
      { kind: 'unavailable', match: 'finalize', retryAfterSeconds: 60, retryAfterFormat: 'http-date' },
      { kind: 'bad-nonce', percent: 25 },
      { kind: 'latency', ms: 200, match: 'authz' },
    ]);
    assert.deepEqual(parseFaultSpec('rate-limit:any:3:none').rules, [{ kind: 'rate-limit', match: 'any', count: 3 }]);
    assert.deepEqual(parseFaultSpec('none').rules, []);
  });

  it('says what is wrong with a bad spec', () => {
    assert.throws(() => parseFaultSpec('hang-procesing'), (err: unknown) => err instanceof BadInputError && /unknown fault "hang-procesing"/.test(err.message));
    assert.throws(() => parseFaultSpec('rate-limit:orders'), /RESOURCE "orders" is not one of/);
    assert.throws(() => parseFaultSpec('reset:any:1.5'), /K "1.5" must be a whole number/);
    assert.throws(() => parseFaultSpec('bad-nonce:150%'), /not a number from 0 to 100/);
    assert.throws(() => parseFaultSpec('latency'), /latency needs milliseconds/);
    assert.throws(() => parseFaultSpec('order-not-ready:1:2'), /too many fields/);
  });

  it('reads a JSON scenario file, and reports an unreadable one', () => {
    const files: Record<string, string> = {
      '/x/ok.json': JSON.stringify({ rules: [{ kind: 'reset', match: 'cert', count: 2 }] }),
      '/x/bad.json': '{"rules": [',
    };
    const read = (f: string): string => {
      const text = files[f];
      if (text === undefined) throw new Error('ENOENT');
      return text;
    };
    assert.deepEqual(parseFaultSpec('/x/ok.json', read).rules, [{ kind: 'reset', match: 'cert', count: 2 }]);
    assert.throws(() => parseFaultSpec('/x/bad.json', read), /Could not read the fault scenario file \/x\/bad.json/);
    assert.throws(() => parseFaultSpec('/x/missing.json', read), /ENOENT/);
  });

  it('accepts every example in the help text', () => {
    const examples = [...FAULT_SYNTAX_HELP.matchAll(/--fault (\S+)/g)].map((m) => m[1]!).filter((e) => e !== 'takes');
    assert.ok(examples.length >= 2);
    for (const example of examples) assert.ok(parseFaultSpec(example).rules.length > 0, example);
  });
});

describe('lost-answer (issue 11: the CA acted, the answer was lost)', () => {
  it('defaults to one reset challenge answer; reads resource, count and mode; refuses another mode', () => {
    assert.deepEqual(parseFaultSpec('lost-answer').rules, [{ kind: 'lost-answer', match: 'challenge', count: 1, mode: 'reset' }]);
    assert.deepEqual(parseFaultSpec('lost-answer:finalize:2:withhold').rules, [{ kind: 'lost-answer', match: 'finalize', count: 2, mode: 'withhold' }]);
    assert.throws(() => parseFaultSpec('lost-answer:challenge:1:drop'), (err: unknown) => err instanceof BadInputError && /MODE "drop"/.test(err.message));
    assert.throws(() => parseScenarioJson({ rules: [{ kind: 'lost-answer', mode: 'drop' }] }), /rules\[0\]\.mode must be "reset" or "withhold"/);
  });

  it('takes only forwarded requests of its resource, as many times as its count', () => {
    const plan = new FaultPlan(parseFaultSpec('lost-answer:challenge:1:withhold'));
    assert.equal(plan.intercept('POST', 'challenge'), undefined, 'never answered in place of Pebble');
    assert.equal(plan.takeLostAnswer('authz'), undefined);
    assert.equal(plan.takeLostAnswer('challenge'), 'withhold');
    assert.equal(plan.takeLostAnswer('challenge'), undefined);
  });
});

describe('scenario JSON', () => {
  it('names the field that is wrong', () => {
    assert.throws(() => parseScenarioJson({ rules: [{ kind: 'latency' }] }), /rules\[0\]\.ms is required/);
    assert.throws(() => parseScenarioJson({ rules: [{ kind: 'reset', count: -1 }] }), /rules\[0\]\.count must be at least 0/);
    assert.throws(() => parseScenarioJson({ rules: [{ kind: 'rate-limit', retryAfterFormat: 'date' }] }), /retryAfterFormat/);
    assert.throws(() => parseScenarioJson({ rules: [{}, { kind: 'nope' }] }), /rules\[0\]\.kind undefined is not one of/);
    assert.throws(() => parseScenarioJson([]), /expected an object with a "rules" array/);
  });

  it('round-trips a valid scenario unchanged', () => {
    const scenario = { rules: [{ kind: 'hang-processing', seconds: null }, { kind: 'bad-nonce', match: 'finalize', percent: 10, count: 4 }] };
    assert.deepEqual(parseScenarioJson(JSON.parse(JSON.stringify(scenario))), scenario);
  });
});

describe('FaultPlan', () => {
  it('fires a counted rule for the first K matching requests only', () => {
    const plan = new FaultPlan(parseFaultSpec('rate-limit:new-order:2'));
    assert.equal(plan.intercept('POST', 'new-account'), undefined);
    assert.equal(plan.intercept('POST', 'new-order')?.type, 'reject');
    assert.equal(plan.intercept('POST', 'new-order')?.type, 'reject');
    assert.equal(plan.intercept('POST', 'new-order'), undefined);
  });

  it('takes rules in order and lets a spent rule pass the request to the next', () => {
    const plan = new FaultPlan(parseFaultSpec('reset:any:1,unavailable:any:*'));
    assert.equal(plan.intercept('GET', 'directory')?.type, 'reset');
    assert.equal(plan.intercept('GET', 'directory')?.type, 'reject');
    assert.equal(plan.intercept('GET', 'directory')?.type, 'reject');
  });

  it('rejects nonces only on POSTs, by count or by share', () => {
    const byCount = new FaultPlan(parseFaultSpec('bad-nonce:1'));
    assert.equal(byCount.intercept('HEAD', 'new-nonce'), undefined);
    assert.equal(byCount.intercept('POST', 'order')?.type, 'bad-nonce');
    assert.equal(byCount.intercept('POST', 'order'), undefined);
    const rolls = [0.1, 0.5, 0.29];
    const byShare = new FaultPlan(parseFaultSpec('bad-nonce:30%'), () => rolls.shift() ?? 1);
    assert.deepEqual([0, 1, 2].map(() => byShare.intercept('POST', 'order')?.type), ['bad-nonce', undefined, 'bad-nonce']);
  });

  it('adds up matching latencies', () => {
    const plan = new FaultPlan(parseFaultSpec('latency:100,latency:50:cert'));
    assert.equal(plan.latencyFor('cert'), 150);
    assert.equal(plan.latencyFor('directory'), 100);
  });

  it('holds an order in processing for the given seconds from when it was first seen', () => {
    const plan = new FaultPlan(parseFaultSpec('hang-processing:30'));
    assert.equal(plan.holdsProcessing('o1', 1_000), true);
    assert.equal(plan.holdsProcessing('o1', 30_999), true);
    assert.equal(plan.holdsProcessing('o1', 31_000), false);
    assert.equal(plan.holdsProcessing('o2', 31_000), true, 'each order has its own timer');
    const forever = new FaultPlan(parseFaultSpec('hang-processing'));
    assert.equal(forever.holdsProcessing('o1', 0), true);
    assert.equal(forever.holdsProcessing('o1', 10 ** 12), true);
    assert.equal(new FaultPlan({ rules: [] }).holdsProcessing('o1', 0), false);
  });

  it('counts orderNotReady answers', () => {
    const plan = new FaultPlan(parseFaultSpec('order-not-ready:2'));
    assert.deepEqual([plan.takeOrderNotReady(), plan.takeOrderNotReady(), plan.takeOrderNotReady()], [true, true, false]);
  });
});

describe('resources and headers', () => {
  it("classifies Pebble's paths", () => {
    assert.equal(classifyResource('/dir'), 'directory');
    assert.equal(classifyResource('/nonce-plz'), 'new-nonce');
    assert.equal(classifyResource('/order-plz'), 'new-order');
    assert.equal(classifyResource('/my-order/abc'), 'order');
    assert.equal(classifyResource('/finalize-order/abc'), 'finalize');
    assert.equal(classifyResource('/authZ/x'), 'authz');
    assert.equal(classifyResource('/chalZ/x'), 'challenge');
    assert.equal(classifyResource('/certZ/x'), 'cert');
    assert.equal(classifyResource('/directory'), 'other');
    assert.equal(orderKey('/finalize-order/abc'), orderKey('/my-order/abc'));
  });

  it('writes Retry-After as seconds or as an HTTP-date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    assert.equal(retryAfterValue(30, 'seconds', now), '30');
    assert.equal(retryAfterValue(30, 'http-date', now), 'Thu, 01 Jan 2026 12:00:30 GMT');
  });
});
