import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/engine/core/clock.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { makeFixture, type DeployFixture } from './support/fixture.js';

/**
 * What the deploy view relies on: the stored results come back into the snapshot after a restart, and a running
 * deploy can be cancelled by certificate name (the hook's process is killed, the target marked cancelled).
 */
describe('engine: stored deploy results and cancelling a deploy', () => {
  let fx: DeployFixture;
  const engines: Engine[] = [];
  const engineOn = () => {
    const engine = new Engine({ paths: fx.paths, clock: systemClock, userAgent: 'certdeck-test', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    engines.push(engine);
    return engine;
  };
  before(async () => {
    fx = await makeFixture();
  });
  after(async () => {
    for (const e of engines) await e.close();
    await fx.cleanup();
  });

  it('a new engine (a restart) lists each target with its latest result and when', async () => {
    const first = engineOn();
    await first.addDeployTarget(fx.certName, { id: 'ok', kind: 'command', argv: ['/bin/true'] });
    await first.addDeployTarget(fx.certName, { id: 'bad', kind: 'command', argv: ['/bin/false'] });
    const outcome = await first.deploy(fx.certName);
    assert.equal(outcome.outcome, 'partial');
    // The view that asked for the list gets the results as soon as the run ends.
    assert.equal(first.getSnapshot().deployTargets[fx.certName]?.find((t) => t.id === 'bad')?.last?.status, 'failed');

    const restarted = engineOn();
    const targets = await restarted.listDeployTargets(fx.certName);
    const byId = Object.fromEntries(targets.map((t) => [t.id, t]));
    assert.equal(byId.ok?.last?.status, 'succeeded');
    assert.equal(byId.bad?.last?.status, 'failed');
    assert.match(byId.bad?.last?.reason ?? '', /exit/);
    assert.ok((byId.ok?.last?.endedAt ?? 0) > 0, 'when it happened');
    assert.equal(byId.ok?.last?.runId, outcome.runId);
  });

  it('cancelDeploy kills the running hook and marks the target cancelled', async () => {
    const engine = engineOn();
    const script = path.join(path.dirname(fx.paths.liveDir), 'hang.sh');
    await writeFile(script, '#!/bin/sh\necho started\nexec sleep 60\n', { mode: 0o755 });
    await engine.removeDeployTarget(fx.certName, 'ok');
    await engine.removeDeployTarget(fx.certName, 'bad');
    await engine.addDeployTarget(fx.certName, { id: 'hang', kind: 'command', argv: [script] });
    await engine.addDeployTarget(fx.certName, { id: 'later', kind: 'command', argv: ['/bin/true'] });
    assert.equal(engine.cancelDeploy(fx.certName), false, 'nothing running yet');
    const events: EngineEvent[] = [];
    const started = new Promise<void>((resolve) =>
      engine.onEvent((e) => {
        events.push(e);
        if (e.type === 'deploy:log' && e.line === 'started') resolve();
      }),
    );
    const run = engine.deploy(fx.certName);
    await started;
    assert.equal(engine.cancelDeploy(fx.certName, 'operator pressed c'), true);
    const outcome = await run;
    assert.equal(outcome.outcome, 'cancelled');
    assert.deepEqual(outcome.targets.map((t) => `${t.id}=${t.status}`), ['hang=cancelled', 'later=cancelled']);
    assert.match(outcome.targets[0]?.reason ?? '', /operator pressed c/);
  });
});
