import { resourceMatches, type ResourceKind } from './resource.js';
import type { BadNonceRule, FaultRule, FaultScenario, HangProcessingRule, RejectRule, ResetRule } from './scenario.js';

/** What to do with a request before (instead of) forwarding it. */
export type Interception =
  | { type: 'reset'; rule: ResetRule }
  | { type: 'reject'; rule: RejectRule }
  | { type: 'bad-nonce'; rule: BadNonceRule };

/**
 * A scenario plus the state its rules need while it runs: how often each rule has fired, and when each order was
 * first seen processing. Replaced wholesale when the scenario changes, so every scenario starts fresh.
 */
export class FaultPlan {
  private readonly fired: number[];
  private readonly processingSince = new Map<string, number>();

  constructor(
    readonly scenario: FaultScenario,
    private readonly random: () => number = Math.random,
  ) {
    this.fired = scenario.rules.map(() => 0);
  }

  /** Total added delay for this request: the latency rules that match it. */
  latencyFor(kind: ResourceKind): number {
    return this.scenario.rules.reduce(
      (sum, rule) => (rule.kind === 'latency' && resourceMatches(rule.match, kind) ? sum + rule.ms : sum),
      0,
    );
  }

  /** The first rule (in scenario order) that answers this request itself; counts it as fired. */
  intercept(method: string, kind: ResourceKind): Interception | undefined {
    for (const [i, rule] of this.scenario.rules.entries()) {
      const interception = this.interceptionBy(rule, method, kind);
      if (interception && this.take(i, rule)) return interception;
    }
    return undefined;
  }

  /** Whether this finalize, once forwarded, should be answered 403 orderNotReady; counts it as fired. */
  takeOrderNotReady(): boolean {
    for (const [i, rule] of this.scenario.rules.entries()) {
      if (rule.kind === 'order-not-ready-after-finalize' && this.take(i, rule)) return true;
    }
    return false;
  }

  /** The Date offset of a clock-skew rule, if the scenario has one. */
  get clockSkewSeconds(): number | undefined {
    for (const rule of this.scenario.rules) if (rule.kind === 'clock-skew') return rule.seconds;
    return undefined;
  }

  get hangRule(): HangProcessingRule | undefined {
    return this.scenario.rules.find((rule): rule is HangProcessingRule => rule.kind === 'hang-processing');
  }

  /**
   * Records that `order` is (at least) processing at `now` and says whether a "valid" answer must still be shown as
   * "processing": until `seconds` after the proxy first saw it processing, or forever.
   */
  holdsProcessing(order: string, now: number): boolean {
    const rule = this.hangRule;
    if (!rule) return false;
    const since = this.processingSince.get(order) ?? now;
    this.processingSince.set(order, since);
    return rule.seconds === undefined || rule.seconds === null || now - since < rule.seconds * 1000;
  }

  private interceptionBy(rule: FaultRule, method: string, kind: ResourceKind): Interception | undefined {
    switch (rule.kind) {
      case 'reset':
        return resourceMatches(rule.match, kind) ? { type: 'reset', rule } : undefined;
      case 'rate-limit':
      case 'unavailable':
        return resourceMatches(rule.match, kind) ? { type: 'reject', rule } : undefined;
      case 'bad-nonce':
        // Only signed requests carry a nonce to reject: every ACME POST is one.
        if (method !== 'POST' || !resourceMatches(rule.match, kind)) return undefined;
        if (rule.percent !== undefined) return this.random() * 100 < rule.percent ? { type: 'bad-nonce', rule } : undefined;
        return { type: 'bad-nonce', rule };
      default:
        return undefined;
    }
  }

  /** Uses one of the rule's `count` firings; a rule without a count fires every time. */
  private take(index: number, rule: FaultRule): boolean {
    const count = 'count' in rule ? rule.count : undefined;
    const fired = this.fired[index] ?? 0;
    if (count !== undefined && fired >= count) return false;
    this.fired[index] = fired + 1;
    return true;
  }
}
