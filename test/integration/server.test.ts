/**
 * The real server process: the HTTP API's answers (good and bad input), and recovery after
 * kill -9 — the containers of a session that was live when the server died are swept at the
 * next start, and the session is closed with a reason.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { api, labelledObjects, removeInstanceObjects, startServer, tempDataDir, testInstance, waitFor, type ServerProcess } from './helpers';

const instance = testInstance();
const dataDir = tempDataDir();
const env = { SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance };
let server: ServerProcess;

interface Session {
  id: string;
  status: string;
  statusDetail: string | null;
  services: { name: string; container: string }[];
}

before(async () => {
  server = await startServer(env);
});

after(async () => {
  await server?.stop('SIGKILL');
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('HTTP API', () => {
  it('lists the scenarios', async () => {
    const res = await api<{ scenarios: { slug: string; title: string; difficulty: string; minutes: number }[] }>(server.url, 'GET', '/api/scenarios');
    assert.equal(res.status, 200);
    const leaky = res.body.scenarios.find((s) => s.slug === 'leaky-job');
    assert.ok(leaky, 'leaky-job is listed');
    assert.equal(leaky.difficulty, 'beginner');
    assert.ok(leaky.minutes > 0);
  });

  it('answers bad input with a 4xx and a message', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/api/sessions', '{not json', 400, /not valid JSON/],
      ['POST', '/api/sessions', {}, 400, /scenario/],
      ['POST', '/api/sessions', { scenario: 'leaky-job', seed: 'bad seed!' }, 400, /seed/],
      ['POST', '/api/sessions', { scenario: 'leaky-job', privileged: true }, 400, /privileged/],
      ['POST', '/api/sessions', { scenario: 'no-such-scenario' }, 404, /unknown scenario/],
      ['GET', '/api/sessions/000000000000', undefined, 404, /no session/],
      ['GET', '/api/sessions/..%2f..%2fetc', undefined, 404, /no session/],
      ['DELETE', '/api/sessions/ffffffffffff', undefined, 404, /no session/],
      ['POST', '/api/sessions/ffffffffffff/check', undefined, 404, /no session/],
      ['GET', '/api/sessions/ffffffffffff/events?after=x', undefined, 400, /after/],
    ];
    for (const [method, route, body, status, message] of cases) {
      const res = await api<{ error: { code: string; message: string } }>(server.url, method, route, body);
      assert.equal(res.status, status, `${method} ${route} ${JSON.stringify(body)} -> ${res.status} ${JSON.stringify(res.body)}`);
      assert.match(res.body.error.message, message, `${method} ${route}`);
    }
    const wrongType = await api<{ error: { message: string } }>(server.url, 'POST', '/api/sessions', 'scenario=leaky-job', { 'content-type': 'text/plain' });
    assert.equal(wrongType.status, 415);
    assert.match(wrongType.body.error.message, /application\/json/);
  });

  it('serves the catalogue page and a 404 page for an unknown session', async () => {
    const home = await fetch(server.url);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /Orders API failing at peak/);
    const missing = await fetch(`${server.url}/sessions/000000000000`);
    assert.equal(missing.status, 404);
  });
});

describe('crash recovery', () => {
  it('sweeps a live session’s containers after kill -9 and a restart', async () => {
    const created = await api<Session>(server.url, 'POST', '/api/sessions', { scenario: 'leaky-job' });
    assert.equal(created.status, 201);
    const id = created.body.id;
    assert.match(id, /^[0-9a-f]{12}$/);
    const ready = await waitFor('the session to be ready', async () => {
      const s = await api<Session>(server.url, 'GET', `/api/sessions/${id}`);
      if (s.body.status === 'failed') throw new Error(`provisioning failed: ${s.body.statusDetail}`);
      return s.body.status === 'ready' ? s.body : null;
    }, 120_000, 500);
    // The customers (traffic) are the lab's own container: never listed to the learner.
    assert.deepEqual(ready.services.map((s) => s.name).sort(), ['api']);
    assert.ok((await labelledObjects({ session: id })).length >= 3, 'containers and network exist');

    await server.stop('SIGKILL');
    assert.ok((await labelledObjects({ session: id })).length >= 3, 'kill -9 leaves the containers running');

    server = await startServer(env);
    assert.deepEqual(await labelledObjects({ session: id }), [], 'the restart swept them');
    const after = await api<Session>(server.url, 'GET', `/api/sessions/${id}`);
    assert.equal(after.status, 200, 'the session record survived the crash');
    assert.equal(after.body.status, 'ended');
    assert.match(after.body.statusDetail ?? '', /interrupted by a server restart/);
    const events = await api<{ events: { kind: string }[] }>(server.url, 'GET', `/api/sessions/${id}/events`);
    assert.ok(events.body.events.some((e) => e.kind === 'fault'), 'events committed before the crash are kept');
  });

  it('creates, reads and deletes a session over HTTP', async () => {
    const created = await api<Session>(server.url, 'POST', '/api/sessions', { scenario: 'leaky-job', seed: 'http-delete' });
    assert.equal(created.status, 201);
    const id = created.body.id;
    await waitFor('ready', async () => (await api<Session>(server.url, 'GET', `/api/sessions/${id}`)).body.status === 'ready', 120_000, 500);
    const del = await api<Session>(server.url, 'DELETE', `/api/sessions/${id}`);
    assert.equal(del.status, 200);
    assert.equal(del.body.status, 'ended');
    assert.deepEqual(await labelledObjects({ session: id }), []);
    const again = await api<Session>(server.url, 'DELETE', `/api/sessions/${id}`);
    assert.equal(again.status, 200, 'deleting twice is harmless');
  });
});
