/**
 * The web front door against the real server process (issue #11 items 2 and 3, issue #12 item
 * 4): DNS rebinding (a foreign Host), cross-site requests (a foreign Origin or Sec-Fetch-Site,
 * a text/plain body), terminal tokens in lists, the terminal WebSocket's Origin, and the
 * security headers. Requests are written by hand so Host, Origin and Sec-Fetch-Site are
 * exactly what a browser on another site would send.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { api, labelledObjects, removeInstanceObjects, type ServerProcess, startServer, tempDataDir, testInstance, waitFor, wsUpgrade } from './helpers';
import { seedAccounts, signIn } from './accounts-helpers';

const instance = testInstance();
const dataDir = tempDataDir();
const PUBLIC = 'http://lab.sickbay.test';
let server: ServerProcess;
let port = 0;
let ours = '';
let session: { id: string; terminal: { path: string; token: string } };
// SICKBAY_PUBLIC_URL makes this a team server: every request here is a signed-in admin's page.
let cookie = '';
const me = () => ({ cookie, origin: ours });

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One HTTP request to the server with exactly these headers (Host included). */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, cookie, ...headers }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A WebSocket upgrade as this test's browser: our Host and session cookie, then these headers. */
const upgrade = (path: string, headers: Record<string, string>) => wsUpgrade(port, path, { host: `127.0.0.1:${port}`, cookie, ...headers });

const sessionIds = async () => (await api<{ sessions: { id: string }[] }>(server.url, 'GET', '/api/sessions', undefined, me())).body.sessions.map((s) => s.id).sort();
const events = async (id: string) => (await api<{ events: { kind: string; action?: string }[] }>(server.url, 'GET', `/api/sessions/${id}/events`, undefined, me())).body.events;

before(async () => {
  await seedAccounts(dataDir, [{ email: 'ada@example.com', role: 'admin', password: 'correct horse battery' }]);
  server = await startServer({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance, SICKBAY_PUBLIC_URL: PUBLIC });
  port = Number(new URL(server.url).port);
  ours = `http://127.0.0.1:${port}`;
  cookie = await signIn(server.url, 'ada@example.com', 'correct horse battery');
  // Our own page starts the session the attacks aim at.
  const created = await api<{ id: string }>(server.url, 'POST', '/api/sessions', { scenario: 'leaky-job', seed: 'web-security' }, me());
  assert.equal(created.status, 201, JSON.stringify(created.body));
  session = await waitFor(
    'the session to be ready',
    async () => {
      const s = await api<{ id: string; status: string; statusDetail: string | null; terminal: { path: string; token: string } | null }>(server.url, 'GET', `/api/sessions/${created.body.id}`, undefined, me());
      if (s.body.status === 'failed') throw new Error(`provisioning failed: ${s.body.statusDetail}`);
      return s.body.status === 'ready' && s.body.terminal ? { id: s.body.id, terminal: s.body.terminal } : null;
    },
    150_000,
    500,
  );
});

after(async () => {
  await server?.stop('SIGTERM');
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('DNS rebinding: a Host that is not ours', () => {
  it('is answered 421 on a page, an API route, a static file and a terminal upgrade', async () => {
    const home = await send('GET', '/', {});
    assert.equal(home.status, 200);
    const chunk = /<script src="(\/_next\/static\/[^"]+\.js)"/.exec(home.text)?.[1];
    assert.ok(chunk, 'the home page loads a static chunk');
    assert.equal((await send('GET', chunk, {})).status, 200, 'the static file is there for our own Host');

    const foreign = { host: `rebind.evil.test:${port}`, origin: `http://rebind.evil.test:${port}` };
    for (const path of ['/', '/sessions', '/api/sessions', `/api/sessions/${session.id}`, chunk]) {
      const res = await send('GET', path, foreign);
      assert.equal(res.status, 421, `GET ${path} with Host ${foreign.host}`);
      assert.match(res.text, /misdirected request.*SICKBAY_PUBLIC_URL/);
      assert.equal(res.text.includes(session.terminal.token), false, 'no token in the refusal');
    }
    for (const host of [`127.0.0.1.evil.test:${port}`, `127.0.0.1:${port + 1}`, `localhost`, '0.0.0.0:' + port]) {
      assert.equal((await send('GET', '/api/sessions', { host })).status, 421, host);
    }
    const post = await send('POST', '/api/sessions', { ...foreign, 'content-type': 'application/json' }, JSON.stringify({ scenario: 'leaky-job' }));
    assert.equal(post.status, 421);

    const ws = await upgrade(`${session.terminal.path}?token=${session.terminal.token}`, foreign);
    assert.equal(ws.status, 421, 'the terminal upgrade, even with the right token');
    assert.equal((await events(session.id)).some((e) => e.kind === 'terminal' && e.action === 'open'), false, 'no shell was opened');
  });

  it('accepts every loopback name with the port, and the public URL’s host', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'lab.sickbay.test', 'LAB.sickbay.test:80']) {
      assert.equal((await send('GET', '/api/scenarios', { host })).status, 200, host);
    }
  });
});

describe('cross-site requests', () => {
  it('refuses a POST /api/sessions from another origin and creates nothing', async () => {
    const before = await sessionIds();
    const json = JSON.stringify({ scenario: 'leaky-job' });
    const attempts: Record<string, string>[] = [
      { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://evil.example' },
      { origin: `http://localhost:${port + 1}`, 'sec-fetch-site': 'cross-site' },
      { origin: `http://127.0.0.1:${port + 1}`, 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: `https://127.0.0.1:${port}` },
    ];
    for (const headers of attempts) {
      const res = await send('POST', '/api/sessions', { ...headers, 'content-type': 'application/json' }, json);
      assert.equal(res.status, 403, JSON.stringify(headers));
      const body = JSON.parse(res.text) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'forbidden');
      assert.match(body.error.message, /refused/);
    }
    assert.deepEqual(await sessionIds(), before, 'no session was created');
    assert.equal((await labelledObjects({ instance })).filter((o) => !o.includes(session.id)).length, 0, 'no container or network of another session');
  });

  it('refuses body-less POSTs and DELETE from another site, and changes nothing', async () => {
    const id = session.id;
    const cases: [string, string, Record<string, string>][] = [
      ['POST', `/api/sessions/${id}/hints`, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }],
      ['POST', `/api/sessions/${id}/hints`, { 'sec-fetch-site': 'cross-site' }],
      ['POST', `/api/sessions/${id}/check`, { origin: 'http://evil.example' }],
      ['POST', `/api/sessions/${id}/check`, { origin: `http://localhost:${port + 1}`, 'sec-fetch-site': 'cross-site' }],
      ['DELETE', `/api/sessions/${id}`, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }],
      ['DELETE', `/api/sessions/${id}`, { origin: `http://127.0.0.1:${port + 1}`, 'sec-fetch-site': 'same-site' }],
    ];
    for (const [method, path, headers] of cases) {
      const res = await send(method, path, headers);
      assert.equal(res.status, 403, `${method} ${path} ${JSON.stringify(headers)}: ${res.text}`);
      assert.match(res.headers['content-type'] ?? '', /application\/json/);
    }
    const hints = await api<{ hints: string[] }>(server.url, 'GET', `/api/sessions/${id}/hints`, undefined, me());
    assert.deepEqual(hints.body.hints, [], 'no hint was taken');
    const log = await events(id);
    assert.equal(log.some((e) => e.kind === 'hint' || e.kind === 'goals'), false, 'no hint or goal check was logged');
    const now = await api<{ status: string }>(server.url, 'GET', `/api/sessions/${id}`, undefined, me());
    assert.equal(now.body.status, 'ready', 'the session was not ended');

    // Our own pages (and the public origin) still may: the same request with a same-origin Origin.
    const mine = await send('POST', `/api/sessions/${id}/hints`, { origin: ours, 'sec-fetch-site': 'same-origin' });
    assert.equal(mine.status, 201, mine.text);
    const viaPublic = await send('POST', `/api/sessions/${id}/hints`, { host: 'lab.sickbay.test', origin: PUBLIC, 'sec-fetch-site': 'same-origin' });
    assert.equal(viaPublic.status, 201, viaPublic.text);
  });

  it('refuses a body that is not exactly application/json, with 415 and a message', async () => {
    const before = await sessionIds();
    const json = JSON.stringify({ scenario: 'leaky-job' });
    for (const type of ['text/plain;application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json;text/plain']) {
      const res = await send('POST', '/api/sessions', { origin: ours, 'content-type': type }, json);
      assert.equal(res.status, 415, type);
      const body = JSON.parse(res.text) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'unsupported_media_type');
      assert.match(body.error.message, /content-type: application\/json/);
    }
    assert.deepEqual(await sessionIds(), before, 'no session was created');
  });
});

describe('terminal tokens and the terminal WebSocket', () => {
  it('lists sessions without terminal tokens; only the session’s own view carries its token', async () => {
    const list = await send('GET', '/api/sessions', {});
    assert.equal(list.status, 200);
    assert.equal(list.text.includes(session.terminal.token), false, 'GET /api/sessions leaks no token');
    assert.doesNotMatch(list.text, /"token"/);
    const listed = (JSON.parse(list.text) as { sessions: { id: string; terminal: unknown }[] }).sessions.find((s) => s.id === session.id);
    assert.deepEqual(listed?.terminal, { path: session.terminal.path });
    const page = await send('GET', '/sessions', {});
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(session.id), 'the sessions page lists the session');
    assert.equal(page.text.includes(session.terminal.token), false, 'the sessions page leaks no token');
    const own = await send('GET', `/api/sessions/${session.id}`, {});
    assert.ok(own.text.includes(session.terminal.token), 'the session’s own view has it');
  });

  it('refuses a foreign Origin even when the Host is ours, and opens a shell for our own', async () => {
    const path = `${session.terminal.path}?token=${session.terminal.token}`;
    for (const origin of ['http://evil.example', `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`, 'null', `http://lab.sickbay.test:${port}`]) {
      const res = await upgrade(path, { origin });
      assert.equal(res.status, 403, origin);
      assert.match(res.text, /origin not allowed/);
    }
    assert.equal((await events(session.id)).some((e) => e.kind === 'terminal' && e.action === 'open'), false, 'no refused attempt opened a shell');
    assert.equal((await upgrade(path, { origin: ours })).status, 101, 'our own page connects');
    await waitFor('the terminal open event', async () => (await events(session.id)).some((e) => e.kind === 'terminal' && e.action === 'open'), 30_000, 250);
  });
});

describe('security headers', () => {
  it('sends a CSP whose nonce is on every script of the page, and the other headers, on pages and the API', async () => {
    for (const path of ['/', `/sessions/${session.id}`, '/no-such-page']) {
      const res = await send('GET', path, {});
      const csp = String(res.headers['content-security-policy'] ?? '');
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      assert.ok(nonce, `${path}: a CSP with a nonce`);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/);
      const scripts = [...res.text.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      assert.ok(scripts.length > 0, `${path} has scripts`);
      for (const tag of scripts) assert.ok(tag.includes(`nonce="${nonce}"`), `${path}: ${tag} carries this response's nonce`);
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'same-origin');
    }
    const a = await send('GET', '/', {});
    const b = await send('GET', '/', {});
    assert.notEqual(a.headers['content-security-policy'], b.headers['content-security-policy'], 'a fresh nonce per response');
    // A nonce the client names in its own request header is never used.
    const forged = await send('GET', '/', { 'content-security-policy': "script-src 'nonce-forged'" });
    assert.equal(forged.text.includes('nonce="forged"'), false);

    for (const path of ['/api/scenarios', `/api/sessions/${session.id}`, '/api/sessions/000000000000']) {
      const res = await send('GET', path, {});
      assert.equal(res.headers['cache-control'], 'no-store', path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
      assert.ok(res.headers['content-security-policy'], path);
      assert.equal(res.headers['access-control-allow-origin'], undefined, path);
    }
  });
});
