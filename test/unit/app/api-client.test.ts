import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiError, api, apiFetch } from '@/app/_lib/api';

// A real HTTP server on loopback answering like the app does: JSON bodies, errors as
// {"error":{code,message}}. The client is called with absolute URLs here (in the browser, paths).
describe('the browser API client', () => {
  let server: http.Server;
  let base = '';
  const seen: { method?: string; type?: string; body: string }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, type: req.headers['content-type'], body });
        if (req.url === '/ok') {
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'abc' }));
        } else if (req.url === '/conflict') {
          res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'conflict', message: 'the session is ended, not ready' } }));
        } else {
          res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a JSON body and returns the JSON answer', async () => {
    assert.deepEqual(await api<{ id: string }>(`${base}/ok`, { method: 'POST', body: { scenario: 'leaky-job' } }), { id: 'abc' });
    assert.deepEqual(seen.at(-1), { method: 'POST', type: 'application/json', body: '{"scenario":"leaky-job"}' });
  });

  it('throws the server\'s message, status and code', async () => {
    const err = await api(`${base}/conflict`, { method: 'DELETE' }).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.message, 'the session is ended, not ready');
    assert.equal(err.status, 409);
    assert.equal(err.code, 'conflict');
    assert.equal(seen.at(-1)?.type, undefined, 'no body, no content type');
  });

  it('falls back to the status when the error is not ours', async () => {
    const err = await apiFetch(`${base}/elsewhere`).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.message, 'HTTP 502');
  });
});
