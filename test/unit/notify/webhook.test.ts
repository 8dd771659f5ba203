import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Clock } from '../../../src/engine/core/clock.js';
import type { Notification, WebhookNotifierConfig } from '../../../src/engine/notify/types.js';
import { BACKOFF, WebhookNotifier, parseRetryAfter } from '../../../src/engine/notify/webhook.js';
import { closedPort, startWebhookServer, type WebhookServer } from '../../support/webhook-server.js';

/** Sleeps return at once but are recorded: the test sees every backoff the notifier chose, without waiting for it. */
function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => Date.now(), sleep: async (ms) => void sleeps.push(ms) };
}

const notification: Notification = {
  event: 'renewal-failed-still-valid',
  certName: 'shop.example.test',
  domains: ['shop.example.test', 'www.shop.example.test'],
  message: 'shop.example.test: renewal failed (CA said no); the current certificate is still valid for 9 days',
  at: '2026-01-01T00:00:00.000Z',
  daysLeft: 9,
};

function notifier(config: Omit<WebhookNotifierConfig, 'kind' | 'id'>, clock = recordingClock(), env: NodeJS.ProcessEnv = {}) {
  return { clock, n: new WebhookNotifier({ id: 'hook', kind: 'webhook', ...config }, { clock, random: () => 0.5, env, userAgent: 'certdeck/test' }) };
}

const never = new AbortController().signal;

describe('webhook notifier (against a local HTTP server)', () => {
  let server: WebhookServer;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-webhook-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => server?.close());

  it('POSTs the notification as JSON with the event in a header', async () => {
    server = await startWebhookServer([{ status: 204 }]);
    const { n } = notifier({ url: server.url });
    const r = await n.send(notification, never);
    assert.equal(r.ok, true, r.detail);
    assert.equal(r.attempts, 1);
    assert.equal(server.received.length, 1);
    const req = server.received[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-certdeck-event'], 'renewal-failed-still-valid');
    assert.deepEqual(JSON.parse(req.body), notification);
    assert.equal(req.headers['x-certdeck-signature'], undefined, 'unsigned without a secret');
  });

  it('signs the exact body with HMAC-SHA256 from a secret file; the receiver can verify it', async () => {
    server = await startWebhookServer();
    const secretFile = path.join(dir, 'hook.key');
    await writeFile(secretFile, 'correct horse battery staple\n', { mode: 0o600 });
    const { n } = notifier({ url: server.url, secretFile });
    assert.equal((await n.send(notification, never)).ok, true);
    const req = server.received[0]!;
    const sent = String(req.headers['x-certdeck-signature']);
    assert.match(sent, /^sha256=[0-9a-f]{64}$/);
    // What a receiver does: HMAC over the raw body with the shared secret (no trailing newline), constant-time compare.
    const expected = `sha256=${createHmac('sha256', 'correct horse battery staple').update(req.body).digest('hex')}`;
    assert.ok(timingSafeEqual(Buffer.from(sent), Buffer.from(expected)), 'signature verifies');
    const forged = `sha256=${createHmac('sha256', 'another secret').update(req.body).digest('hex')}`;
    assert.notEqual(sent, forged);
  });

  it('signs with a secret from a named environment variable; a missing variable means not sent, not sent unsigned', async () => {
    server = await startWebhookServer();
    const { n } = notifier({ url: server.url, secretEnv: 'HOOK_SECRET' }, recordingClock(), { HOOK_SECRET: 's3' });
    assert.equal((await n.send(notification, never)).ok, true);
    assert.equal(server.received[0]!.headers['x-certdeck-signature'], `sha256=${createHmac('sha256', 's3').update(server.received[0]!.body).digest('hex')}`);
    const { n: unset } = notifier({ url: server.url, secretEnv: 'HOOK_SECRET' });
    const r = await unset.send(notification, never);
    assert.equal(r.ok, false);
    assert.match(r.detail, /HOOK_SECRET is not set/);
    assert.equal(server.received.length, 1, 'nothing sent without its secret');
  });

  it('retries a 500 with growing backoff, then succeeds; every attempt is the same delivery', async () => {
    server = await startWebhookServer([{ status: 500 }, { status: 503 }, { status: 200 }]);
    const { n, clock } = notifier({ url: server.url });
    const r = await n.send(notification, never);
    assert.equal(r.ok, true, r.detail);
    assert.equal(r.attempts, 3);
    assert.equal(server.received.length, 3);
    assert.equal(new Set(server.received.map((q) => q.headers['x-certdeck-delivery'])).size, 1, 'one delivery id');
    assert.equal(new Set(server.received.map((q) => q.body)).size, 1, 'same body');
    assert.equal(clock.sleeps.length, 2);
    assert.ok(clock.sleeps[1]! > clock.sleeps[0]!, `backoff grows: ${clock.sleeps.join(', ')}`);
  });

  it('no retry storm: a receiver that always answers 500 gets exactly maxAttempts requests', async () => {
    server = await startWebhookServer([{ status: 500 }]);
    const { n: byDefault } = notifier({ url: server.url });
    const r = await byDefault.send(notification, never);
    assert.equal(r.ok, false);
    assert.equal(r.attempts, 4);
    assert.equal(server.received.length, 4, 'the default bound: 4 attempts');
    assert.match(r.detail, /HTTP 500.*gave up after 4 attempts/);
    const { n: two, clock } = notifier({ url: server.url, maxAttempts: 2 });
    await two.send(notification, never);
    assert.equal(server.received.length, 6, '2 more with maxAttempts 2');
    assert.ok(clock.sleeps.every((ms) => ms <= BACKOFF.capMs));
  });

  it('a 400 is not retried (nor a redirect)', async () => {
    server = await startWebhookServer([{ status: 400 }]);
    const { n, clock } = notifier({ url: server.url });
    const r = await n.send(notification, never);
    assert.equal(r.ok, false);
    assert.equal(r.attempts, 1);
    assert.equal(server.received.length, 1);
    assert.deepEqual(clock.sleeps, []);
    server.answers = [{ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }];
    const moved = await n.send(notification, never);
    assert.equal(server.received.length, 2);
    assert.match(moved.detail, /HTTP 302.*redirects are not followed/);
  });

  it('429 is retried after the Retry-After the receiver asked for', async () => {
    server = await startWebhookServer([{ status: 429, headers: { 'retry-after': '7' } }, { status: 200 }]);
    const { n, clock } = notifier({ url: server.url });
    const r = await n.send(notification, never);
    assert.equal(r.ok, true);
    assert.equal(server.received.length, 2);
    assert.ok(clock.sleeps[0]! >= 7_000, `waited ${clock.sleeps[0]} ms`);
  });

  it('a Retry-After longer than certdeck waits ends the delivery instead of hammering early', async () => {
    server = await startWebhookServer([{ status: 503, headers: { 'retry-after': '3600' } }]);
    const { n } = notifier({ url: server.url });
    const r = await n.send(notification, never);
    assert.equal(r.ok, false);
    assert.equal(server.received.length, 1);
    assert.match(r.detail, /retry after 3600s/);
  });

  it('connection refused is retried up to the bound; a receiver that never answers times out per attempt', async () => {
    const port = await closedPort();
    const { n } = notifier({ url: `http://127.0.0.1:${port}/hook`, maxAttempts: 3 });
    const refused = await n.send(notification, never);
    assert.equal(refused.ok, false);
    assert.equal(refused.attempts, 3);
    assert.match(refused.detail, /ECONNREFUSED/);

    server = await startWebhookServer(['hang']);
    const { n: slow } = notifier({ url: server.url, maxAttempts: 2, timeoutMs: 300 });
    const r = await slow.send(notification, never);
    assert.equal(r.ok, false);
    assert.equal(server.received.length, 2);
    assert.match(r.detail, /no answer within 300 ms/);
  });

  it('credentials in the URL go as HTTP Basic and never appear in the result', async () => {
    server = await startWebhookServer([{ status: 401 }]);
    const url = server.url.replace('http://', 'http://bot:hunter2@') + '?token=tok-ABCDEF';
    const { n } = notifier({ url });
    const r = await n.send(notification, never);
    assert.equal(server.received[0]!.headers.authorization, `Basic ${Buffer.from('bot:hunter2').toString('base64')}`);
    assert.equal(server.received[0]!.url, '/hook?token=tok-ABCDEF', 'the query reaches the receiver');
    assert.equal(r.ok, false);
    assert.doesNotMatch(JSON.stringify(r), /hunter2|tok-ABCDEF/);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});
