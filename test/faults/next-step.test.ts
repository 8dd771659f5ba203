/**
 * Fault 4 of issue 11: a failure carries a next step. An order that Pebble marks invalid (the validator finds no
 * challenge server: the webroot is not served by anything) says per name what failed and what to do, in the outcome,
 * the events the TUI folds, and the headless lines; the table of problem types has a step for each common one.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { hintForProblem, hintForProblems } from '../../src/engine/acme/problem-hints.js';
import { humanReporter } from '../../src/headless/reporters.js';
import { engineHarness, requestsOf, type EngineHarness } from '../support/engine-harness.js';
import { pebbleAvailable, startTestSandbox, type TestSandbox } from '../support/sandbox-harness.js';

const skip = pebbleAvailable() ? false : 'pebble is not installed';

describe('every failure carries a next step', () => {
  it('the common problem types each map to a concrete step', () => {
    const types = [
      'connection', 'dns', 'unauthorized', 'caa', 'rejectedIdentifier', 'rateLimited', 'badCSR', 'serverInternal', 'orderNotReady',
      'accountDoesNotExist', 'incorrectResponse', 'tls', 'badNonce', 'userActionRequired', 'externalAccountRequired',
    ];
    for (const t of types) {
      const hint = hintForProblem(`urn:ietf:params:acme:error:${t}`);
      assert.ok(hint && hint.length > 40, `${t} has a step`);
    }
    assert.equal(hintForProblem('urn:ietf:params:acme:error:somethingNew'), undefined);
    // Two names failing for two reasons get both steps, each naming its name.
    const both = hintForProblems('urn:ietf:params:acme:error:compound', [
      { type: 'urn:ietf:params:acme:error:dns', identifier: 'a.test' },
      { type: 'urn:ietf:params:acme:error:caa', identifier: 'b.test' },
    ]);
    assert.match(both ?? '', /^a\.test: The CA could not resolve.* b\.test: A CAA record forbids/);
  });

  describe('an invalid order (Pebble behind the fault proxy)', { skip }, () => {
    let sb: TestSandbox;
    let h: EngineHarness;
    let webroot: string;

    before(async () => {
      sb = await startTestSandbox({ fault: 'none', nonceRejectPercent: 0, authzReusePercent: 0 });
      webroot = await mkdtemp(path.join(os.tmpdir(), 'certdeck-unserved-'));
    });
    after(async () => {
      await sb?.stop();
      await rm(webroot, { recursive: true, force: true });
    });
    beforeEach(() => {
      sb.proxy!.clearLog();
      h = engineHarness(sb);
    });
    afterEach(() => h.close());

    it('names the failing identifier, the problem type and what to do, in the outcome, the snapshot and the headless lines', async () => {
      const lines: string[] = [];
      const stop = h.engine.onEvent(humanReporter((l) => void lines.push(l)));
      const certName = 'unserved.example.test';
      const outcome = await h.issue({ domains: [certName], challenge: { method: 'http-01-webroot', webroot } });
      stop();
      assert.equal(outcome.ok, false);
      assert.equal(outcome.error?.kind, 'ca-problem');
      assert.match(outcome.error!.message, /Order is invalid: unserved\.example\.test: connection: /);
      assert.deepEqual(outcome.error?.subproblems?.map((s) => [s.identifier, s.type]), [[certName, 'urn:ietf:params:acme:error:connection']]);
      assert.match(outcome.error?.hint ?? '', /port 80 is open/);

      const order = h.engine.getSnapshot().orders[outcome.orderId]!;
      assert.equal(order.error?.hint, outcome.error?.hint, 'the TUI shows the same step');
      assert.match(order.authorizations.find((a) => a.domain === certName)?.error ?? '', /^connection: /);
      const text = lines.join('');
      assert.match(text, /validation failed: connection: /);
      assert.match(text, /what to do: The CA could not connect/);
      assert.equal(requestsOf(sb.proxy!.log(), 'new-order').length, 1, 'one order at the CA');
      assert.equal(requestsOf(sb.proxy!.log(), 'finalize').length, 0, 'no certificate');
    });
  });
});
