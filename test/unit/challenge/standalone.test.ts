import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import { StandaloneHttp01 } from '../../../src/engine/challenge/standalone.js';

function get(port: number, token: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: `/.well-known/acme-challenge/${token}` }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const settledWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('standalone HTTP-01 server', () => {
  it('serves each answer, and tells when the validator fetched it (GET with the answer, nothing else)', async (t) => {
    const solver = await StandaloneHttp01.listen('127.0.0.1', 0);
    t.after(() => solver.close());
    const remove = await solver.present('tok_A-1', 'tok_A-1.thumb');
    const answered = solver.answered('tok_A-1');

    assert.equal((await get(solver.port, 'other')).status, 404);
    assert.equal((await get(solver.port, 'tok_A-1', 'HEAD')).status, 200);
    assert.equal(await settledWithin(answered, 50), false, 'a 404 for another token or a HEAD is not the validation');

    assert.deepEqual(await get(solver.port, 'tok_A-1'), { status: 200, body: 'tok_A-1.thumb' });
    assert.equal(await settledWithin(answered, 1000), true);
    assert.equal(await settledWithin(solver.answered('tok_A-1'), 50), true, 'asking after the fetch resolves at once');

    await remove();
    assert.equal((await get(solver.port, 'tok_A-1')).status, 404, 'the answer is gone once removed');
    assert.equal(await settledWithin(solver.answered('tok_A-1'), 50), false, 'and so is the memory of its fetch');
  });
});
