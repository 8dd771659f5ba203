/**
 * `certdeck renew` without a CA: --jitter sleeps a random share of its duration on the injected clock before
 * anything else (off by default, so a manual run starts at once), a bad duration is bad input, and the exit code
 * aggregates per-certificate results as 0 / 3 / 10.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exitCodeForRenew, runRenewCommand } from '../../../src/commands/renew.js';
import { ManualClock } from '../../../src/engine/core/clock.js';
import type { RenewResult } from '../../../src/engine/api.js';

function capture(env: NodeJS.ProcessEnv) {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => ((out += s), true) } as NodeJS.WritableStream, stderr: { write: (s: string) => ((err += s), true) } as NodeJS.WritableStream, env },
    out: () => out,
    err: () => err,
  };
}

describe('certdeck renew (command)', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'certdeck-renew-cmd-'));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  it('--jitter 1h sleeps a random time up to an hour on the clock first', async () => {
    const clock = new ManualClock();
    const c = capture({ CERTDECK_HOME: home });
    let done = false;
    const run = runRenewCommand([], { jitter: '1h' }, c.io, { clock, random: () => 0.5 }).finally(() => (done = true));
    await clock.untilSleeping(1);
    await clock.advance(30 * 60_000 - 1);
    assert.equal(done, false, 'still sleeping just before 30 minutes');
    await clock.advance(1);
    assert.equal(await run, 0);
    assert.match(c.out(), /^Waiting 1800s first \(--jitter 1h\)\.$/m);
    assert.match(c.out(), /No certificates to renew yet/);
  });

  it('without --jitter it does not sleep at all', async () => {
    const clock = new ManualClock();
    const c = capture({ CERTDECK_HOME: home });
    assert.equal(await runRenewCommand([], {}, c.io, { clock }), 0);
    assert.equal(clock.pendingSleeps, 0);
  });

  it('a bad --jitter is bad input (2), and an unknown name too', async () => {
    const c = capture({ CERTDECK_HOME: home });
    assert.equal(await runRenewCommand([], { jitter: 'soon' }, c.io), 2);
    assert.match(c.err(), /--jitter "soon" is not a duration/);
    const u = capture({ CERTDECK_HOME: home });
    assert.equal(await runRenewCommand(['nope.test'], {}, u.io), 2);
    assert.match(u.err(), /no certificate named nope\.test/);
  });

  it('exit codes: 0 fine, 10 every problem still valid, 3 otherwise, 130 cancelled', () => {
    const r = (action: RenewResult['action'], extra: Partial<RenewResult> = {}): RenewResult => ({ certName: 'x', action, ...extra });
    const err = { kind: 'ca-problem' as const, code: 'x', message: 'x', retryable: false };
    assert.equal(exitCodeForRenew([r('renewed'), r('not-due')]), 0);
    assert.equal(exitCodeForRenew([r('renewed'), r('failed', { error: err, certificateStillValid: true, issue: { certName: 'x', ok: false, orderId: '', orderIds: [] } }), r('backoff', { certificateStillValid: true })]), 10);
    assert.equal(exitCodeForRenew([r('failed', { error: err, certificateStillValid: false, issue: { certName: 'x', ok: false, orderId: '', orderIds: [] } }), r('renewed')]), 3);
    assert.equal(exitCodeForRenew([r('failed', { error: { ...err, kind: 'cancelled' } })]), 130);
  });
});
