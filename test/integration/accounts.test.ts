/**
 * Accounts against the real server in team mode (issue #12): every API route and the terminal
 * WebSocket for an anonymous caller (401), another learner (404 for a session that is not
 * theirs), the learner's facilitator (sees it, may not work in it) and the owner; local sign-in,
 * lockout, API tokens and their scopes, sign-out everywhere, a cross-origin POST and a foreign
 * Host with a signed-in cookie, single sign-on against a real OpenID provider on loopback, and a
 * non-loopback bind without team mode. The route table must name every route file in app/api.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, removeInstanceObjects, ROOT, type ServerProcess, startServer, tempDataDir, testInstance, waitFor, wsUpgrade } from './helpers';
import { seedAccounts, signIn } from './accounts-helpers';
import { startOidcProvider, type TestProvider } from './oidc-provider';

const instance = testInstance();
const dataDir = tempDataDir();
const PASSWORD = 'correct horse battery';
let server: ServerProcess;
let provider: TestProvider;
let base = '';
let port = 0;
const cookies: Record<'ada' | 'fay' | 'ann' | 'bob', string> = { ada: '', fay: '', ann: '', bob: '' };
let session: { id: string; terminal: { path: string; token: string } };

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

async function call(method: string, route: string, options: { cookie?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) Object.assign(headers, { cookie: options.cookie, origin: base, 'sec-fetch-site': 'same-origin' });
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, { method, headers, redirect: 'manual', body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const json = <T>(a: Answer) => JSON.parse(a.text) as T;

const upgrade = (route: string, headers: Record<string, string>) => wsUpgrade(port, route, { origin: base, ...headers });

before(async () => {
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({
    clientId: 'sickbay',
    clientSecret: 'test-client-secret',
    redirectUri: `${base}/api/auth/oidc/callback`,
    accounts: {
      'sso-trainer': { email: 'tess@example.com', name: 'Tess Trainer', groups: ['trainers'] },
      'sso-invited': { email: 'ivy@example.com', name: 'Ivy', groups: [] },
    },
  });
  await seedAccounts(
    dataDir,
    [
      { email: 'ada@example.com', role: 'admin', password: PASSWORD },
      { email: 'fay@example.com', role: 'facilitator', password: PASSWORD },
      { email: 'ann@example.com', role: 'learner', password: PASSWORD },
      { email: 'bob@example.com', role: 'learner', password: PASSWORD },
      { email: 'lou@example.com', role: 'learner', password: PASSWORD },
      { email: 'pat@example.com', role: 'learner', password: PASSWORD },
    ],
    (auth, ids) => auth.cohorts.setMember(auth.cohorts.create('week 1', ids['fay@example.com'] as string).id, ids['ann@example.com'] as string, 'learner'),
  );
  server = await startServer({
    SICKBAY_DATA_DIR: dataDir,
    SICKBAY_INSTANCE: instance,
    PORT: String(port),
    SICKBAY_OIDC_ISSUER: provider.issuer,
    SICKBAY_OIDC_CLIENT_ID: 'sickbay',
    SICKBAY_OIDC_CLIENT_SECRET: 'test-client-secret',
    SICKBAY_OIDC_GROUPS_CLAIM: 'groups',
    SICKBAY_OIDC_FACILITATOR_GROUPS: 'trainers',
  });
  for (const who of ['ada', 'fay', 'ann', 'bob'] as const) cookies[who] = await signIn(base, `${who}@example.com`, PASSWORD);
  const created = await call('POST', '/api/sessions', { cookie: cookies.ann, body: { scenario: 'leaky-job', seed: 'accounts' } });
  assert.equal(created.status, 201, created.text);
  const id = json<{ id: string }>(created).id;
  session = await waitFor(
    'the session to be ready',
    async () => {
      const s = json<{ id: string; status: string; statusDetail: string | null; terminal: { path: string; token: string } | null }>(await call('GET', `/api/sessions/${id}`, { cookie: cookies.ann }));
      if (s.status === 'failed') throw new Error(`provisioning failed: ${s.statusDetail}`);
      return s.status === 'ready' && s.terminal ? { id: s.id, terminal: s.terminal } : null;
    },
    180_000,
    500,
  );
});

after(async () => {
  await server?.stop('SIGTERM');
  await provider?.close();
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Every route file and method under app/api, as `METHOD /api/...[param]`. */
function routeFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name === 'route.ts') {
        const route = `/${path.relative(path.join(ROOT, 'app'), dir)}`;
        for (const m of fs.readFileSync(full, 'utf8').matchAll(/export async function (GET|POST|DELETE|PUT|PATCH)\b/g)) out.push(`${m[1]} ${route}`);
      }
    }
  };
  walk(path.join(ROOT, 'app', 'api'));
  return out.sort();
}

/**
 * What each route is: `session-view`/`session-watch`/`session-work`/`session-end` (a session's, decided by
 * lib/auth/access.ts), `own` (anyone signed in, about themselves), `admin`, `cohorts`, `public`
 * (reachable signed out: sign-in and its kin).
 */
type Kind = 'session-view' | 'session-watch' | 'session-work' | 'session-end' | 'own' | 'admin' | 'cohorts' | 'public';
const ROUTES: Record<string, { kind: Kind; path?: (id: string) => string; body?: unknown }> = {
  'GET /api/scenarios': { kind: 'own' },
  'GET /api/sessions': { kind: 'own' },
  'POST /api/sessions': { kind: 'own', body: { scenario: 'no-such-scenario' } },
  'GET /api/sessions/[id]': { kind: 'session-view' },
  'DELETE /api/sessions/[id]': { kind: 'session-end' },
  'POST /api/sessions/[id]/check': { kind: 'session-work' },
  'POST /api/sessions/[id]/diagnosis': { kind: 'session-work', body: { category: 'x', culprit: 'y', decision: 'restart', reason: 'because' } },
  'GET /api/sessions/[id]/events': { kind: 'session-view' },
  'GET /api/sessions/[id]/customers': { kind: 'session-view' },
  'GET /api/sessions/[id]/hints': { kind: 'session-view' },
  'GET /api/sessions/[id]/mirror': { kind: 'session-watch' },
  'GET /api/sessions/[id]/live': { kind: 'session-watch' },
  'POST /api/sessions/[id]/hints': { kind: 'session-work' },
  'GET /api/sessions/[id]/recording': { kind: 'session-view' },
  'GET /api/sessions/[id]/report': { kind: 'session-view' },
  'POST /api/sessions/[id]/update': { kind: 'session-work', body: { text: 'The API answers again; the cause is being confirmed.' } },
  'GET /api/sessions/[id]/team': { kind: 'session-view' },
  'PUT /api/sessions/[id]/team': { kind: 'session-end', body: { members: [] } },
  'PATCH /api/sessions/[id]/team': { kind: 'session-end', body: { userId: 'nobody', role: 'driver' } },
  'POST /api/sessions/[id]/driver': { kind: 'session-work', body: { to: 'nobody' } },
  'GET /api/progress': { kind: 'own' },
  'GET /api/me': { kind: 'own' },
  'POST /api/me/password': { kind: 'own', body: { current: 'x', password: 'y' } },
  'GET /api/me/tokens': { kind: 'own' },
  'POST /api/me/tokens': { kind: 'own', body: { name: '', scopes: [] } },
  'DELETE /api/me/tokens/[tokenId]': { kind: 'own', path: () => '/api/me/tokens/0123456789abcdef' },
  'GET /api/admin/users': { kind: 'admin' },
  'POST /api/admin/users': { kind: 'admin', body: { email: 'not-an-address', role: 'learner' } },
  'POST /api/admin/users/[userId]': { kind: 'admin', path: () => '/api/admin/users/0123456789abcdef', body: {} },
  'POST /api/admin/users/[userId]/reset-link': { kind: 'admin', path: () => '/api/admin/users/0123456789abcdef/reset-link' },
  'GET /api/admin/sessions': { kind: 'admin' },
  'POST /api/admin/sessions/end-all': { kind: 'admin', path: () => '/api/admin/no-such-route' },
  'GET /api/admin/health': { kind: 'admin' },
  'GET /api/admin/audit': { kind: 'admin' },
  'GET /api/cohorts': { kind: 'cohorts' },
  'POST /api/cohorts': { kind: 'cohorts', body: { name: '' } },
  'GET /api/cohorts/[cohortId]': { kind: 'cohorts', path: () => '/api/cohorts/0123456789abcdef' },
  'DELETE /api/cohorts/[cohortId]': { kind: 'cohorts', path: () => '/api/cohorts/0123456789abcdef' },
  'POST /api/cohorts/[cohortId]/members': { kind: 'cohorts', path: () => '/api/cohorts/0123456789abcdef/members', body: { email: 'x@example.com' } },
  'DELETE /api/cohorts/[cohortId]/members/[userId]': { kind: 'cohorts', path: () => '/api/cohorts/0123456789abcdef/members/0123456789abcdef' },
  'GET /api/interviews': { kind: 'cohorts' },
  'POST /api/interviews': { kind: 'cohorts', body: { scenario: '', candidateName: '' } },
  'GET /api/interviews/[interviewId]': { kind: 'cohorts', path: () => '/api/interviews/0123456789abcdef' },
  'POST /api/interviews/[interviewId]/watchers': { kind: 'cohorts', path: () => '/api/interviews/0123456789abcdef/watchers', body: { email: 'x@example.com' } },
  'GET /api/interviews/[interviewId]/notes': { kind: 'cohorts', path: () => '/api/interviews/0123456789abcdef/notes' },
  'POST /api/interviews/[interviewId]/notes': { kind: 'cohorts', path: () => '/api/interviews/0123456789abcdef/notes', body: { text: 'calm, reads the logs first' } },
  'GET /api/interviews/[interviewId]/rubric': { kind: 'cohorts', path: () => '/api/interviews/0123456789abcdef/rubric' },
  'POST /api/interviews/[interviewId]/rubric/overrides': {
    kind: 'cohorts',
    path: () => '/api/interviews/0123456789abcdef/rubric/overrides',
    body: { item: 'outcome', status: 'met', reason: 'fixed it after the time was up' },
  },
  'POST /api/interviews/[interviewId]/rubric/recommendation': { kind: 'cohorts', path: () => '/api/interviews/0123456789abcdef/rubric/recommendation', body: { value: 'hire', text: '' } },
  'POST /api/interviews/join': { kind: 'public' },
  'GET /api/drills': { kind: 'cohorts' },
  'POST /api/drills': { kind: 'cohorts', body: { name: '', scenario: '' } },
  'GET /api/drills/[drillId]': { kind: 'own', path: () => '/api/drills/0123456789abcdef' },
  'POST /api/drills/[drillId]/prepare': { kind: 'cohorts', path: () => '/api/drills/0123456789abcdef/prepare' },
  'POST /api/drills/[drillId]/start': { kind: 'cohorts', path: () => '/api/drills/0123456789abcdef/start' },
  'POST /api/drills/[drillId]/end': { kind: 'cohorts', path: () => '/api/drills/0123456789abcdef/end' },
  'GET /api/drills/[drillId]/debrief': { kind: 'cohorts', path: () => '/api/drills/0123456789abcdef/debrief' },
  'POST /api/drills/[drillId]/rerun': { kind: 'cohorts', path: () => '/api/drills/0123456789abcdef/rerun' },
  'GET /api/drills/join': { kind: 'own', path: () => '/api/drills/join?code=ABCDEF' },
  'POST /api/drills/join': { kind: 'own', body: { code: 'ABCDEF' } },
  'POST /api/auth/signin': { kind: 'public' },
  'POST /api/auth/signout': { kind: 'public' },
  'POST /api/auth/signout-everywhere': { kind: 'public' },
  'POST /api/auth/setup': { kind: 'public' },
  'POST /api/auth/set-password': { kind: 'public' },
  'GET /api/auth/oidc/start': { kind: 'public' },
  'GET /api/auth/oidc/callback': { kind: 'public' },
};

function concrete(key: string, id: string): { method: string; route: string; body?: unknown } {
  const [method, pattern] = key.split(' ') as [string, string];
  const spec = ROUTES[key];
  return { method, route: spec?.path ? spec.path(id) : pattern.replace('[id]', id), body: spec?.body };
}

describe('every route and the terminal WebSocket in team mode', () => {
  it('the table names every route file (a new route must say who may call it)', () => {
    assert.deepEqual(routeFiles(), Object.keys(ROUTES).sort());
  });

  it('anonymous: 401 on every route that is not the sign-in machinery, a redirect on pages', async () => {
    for (const key of Object.keys(ROUTES)) {
      if (ROUTES[key]?.kind === 'public') continue;
      const { method, route, body } = concrete(key, session.id);
      const res = await call(method, route, { body, headers: { origin: base } });
      assert.equal(res.status, 401, `${key}: ${res.text}`);
      assert.equal(json<{ error: { code: string } }>(res).error.code, 'unauthorized');
    }
    for (const page of ['/', '/sessions', `/sessions/${session.id}`, `/sessions/${session.id}/report`, `/sessions/${session.id}/replay`, '/admin', '/cohorts', '/account']) {
      const res = await call('GET', page);
      assert.equal(res.status, 303, page);
      assert.equal(res.headers.get('location'), `/signin?next=${encodeURIComponent(page)}`);
    }
    assert.equal((await call('GET', '/signin')).status, 200);
    assert.equal((await call('POST', '/api/auth/signout', { headers: { origin: base } })).status, 401);
  });

  it("another learner: every route of the session answers 404 as for an unknown one, and it is not listed", async () => {
    for (const key of Object.keys(ROUTES).filter((k) => ROUTES[k]?.kind.startsWith('session-'))) {
      const { method, route, body } = concrete(key, session.id);
      const res = await call(method, route, { cookie: cookies.bob, body });
      assert.equal(res.status, 404, `${key}: ${res.text}`);
      assert.equal(json<{ error: { message: string } }>(res).error.message, `no session ${session.id}`);
    }
    const list = json<{ sessions: { id: string }[] }>(await call('GET', '/api/sessions', { cookie: cookies.bob }));
    assert.equal(list.sessions.some((s) => s.id === session.id), false);
    const page = await call('GET', `/sessions/${session.id}`, { cookie: cookies.bob });
    assert.equal(page.status, 404);
  });

  it('the learner’s facilitator sees the session (no token) but may not work in it or end it', async () => {
    for (const key of Object.keys(ROUTES).filter((k) => ROUTES[k]?.kind.startsWith('session-'))) {
      const { method, route, body } = concrete(key, session.id);
      const res = await call(method, route, { cookie: cookies.fay, body });
      if (ROUTES[key]?.kind === 'session-view' || ROUTES[key]?.kind === 'session-watch') {
        assert.ok(res.status === 200 || res.status === 409 || (res.status === 404 && !/^.{0,20}no session/.test(res.text)), `${key}: ${res.status} ${res.text}`);
      } else {
        assert.equal(res.status, 403, `${key}: ${res.text}`);
      }
    }
    const view = json<{ id: string; terminal: unknown }>(await call('GET', `/api/sessions/${session.id}`, { cookie: cookies.fay }));
    assert.equal(view.terminal, null, 'a watcher never gets the terminal token');
    assert.ok(json<{ sessions: { id: string }[] }>(await call('GET', '/api/sessions', { cookie: cookies.fay })).sessions.some((s) => s.id === session.id));
    assert.equal((await call('GET', `/sessions/${session.id}`, { cookie: cookies.fay })).status, 200);
  });

  it('the terminal WebSocket: 401 signed out, 404 for another learner, 403 for a watcher, open for the owner', async () => {
    const route = `${session.terminal.path}?token=${session.terminal.token}`;
    assert.equal((await upgrade(route, {})).status, 401);
    const other = await upgrade(route, { cookie: cookies.bob });
    assert.equal(other.status, 404, other.text);
    const watcher = await upgrade(route, { cookie: cookies.fay });
    assert.equal(watcher.status, 403, watcher.text);
    assert.equal((await upgrade(route, { cookie: cookies.ann })).status, 101);
  });

  it('the read-only mirror: the facilitator gets it and opens it; the owner gets 403, another learner 404', async () => {
    const owner = await call('GET', `/api/sessions/${session.id}/mirror`, { cookie: cookies.ann });
    assert.equal(owner.status, 403, owner.text);
    assert.equal((await call('GET', `/api/sessions/${session.id}/mirror`, { cookie: cookies.bob })).status, 404);
    const mirror = json<{ path: string; token: string }>(await call('GET', `/api/sessions/${session.id}/mirror`, { cookie: cookies.fay }));
    assert.notEqual(mirror.token, session.terminal.token, 'the mirror has its own token');
    const route = `${mirror.path}?token=${mirror.token}`;
    assert.equal((await upgrade(route, { cookie: cookies.bob })).status, 404);
    assert.equal((await upgrade(route, { cookie: cookies.ann })).status, 403);
    assert.equal((await upgrade(route, { cookie: cookies.fay })).status, 101);
  });

  it('admin and cohort routes: 403 for a learner, allowed for their roles', async () => {
    for (const key of Object.keys(ROUTES).filter((k) => ROUTES[k]?.kind === 'admin' || ROUTES[k]?.kind === 'cohorts')) {
      const { method, route, body } = concrete(key, session.id);
      if (route === '/api/admin/no-such-route') continue;
      const learner = await call(method, route, { cookie: cookies.bob, body });
      assert.equal(learner.status, 403, `${key} as a learner: ${learner.text}`);
      const allowed = await call(method, route, { cookie: ROUTES[key]?.kind === 'admin' ? cookies.ada : cookies.fay, body });
      assert.ok(![401, 403].includes(allowed.status), `${key}: ${allowed.status} ${allowed.text}`);
    }
    const ada = json<{ sessions: { id: string; owner: string }[] }>(await call('GET', '/api/admin/sessions', { cookie: cookies.ada }));
    assert.equal(ada.sessions.find((s) => s.id === session.id)?.owner, 'ann@example.com');
    const health = json<{ live: number; limit: number; memory: { totalBytes: number } }>(await call('GET', '/api/admin/health', { cookie: cookies.ada }));
    assert.ok(health.live >= 1 && health.limit >= health.live && health.memory.totalBytes > 0);
  });
});

describe('the web front door with accounts on', () => {
  it('refuses a cross-origin POST and a cookie-only POST without Origin, and creates nothing', async () => {
    const count = async () => json<{ sessions: unknown[] }>(await call('GET', '/api/sessions', { cookie: cookies.ann })).sessions.length;
    const before = await count();
    for (const headers of [{ origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, {}] as Record<string, string>[]) {
      const res = await fetch(`${base}/api/sessions`, { method: 'POST', headers: { cookie: cookies.ann, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ scenario: 'leaky-job' }) });
      assert.equal(res.status, 403, JSON.stringify(headers));
    }
    assert.equal(await count(), before);
  });

  it('answers a foreign Host 421 even with a valid cookie', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/api/sessions', headers: { host: `evil.example:${port}`, cookie: cookies.ann } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(res, 421);
  });
});

describe('local sign-in, lockout and sign-out', () => {
  it('locks an account after 5 wrong passwords: the right one is refused with 429 and a message', async () => {
    const attempt = (password: string) => call('POST', '/api/auth/signin', { headers: { origin: base }, body: { email: 'lou@example.com', password } });
    for (let i = 0; i < 5; i++) assert.equal((await attempt(`wrong password ${i}`)).status, 401);
    const locked = await attempt(PASSWORD);
    assert.equal(locked.status, 429, locked.text);
    assert.match(json<{ error: { message: string } }>(locked).error.message, /too many failed sign-ins for this account: try again in 15 min/);
  });

  it('sign-out everywhere ends every browser of the user', async () => {
    const a = await signIn(base, 'bob@example.com', PASSWORD);
    const b = await signIn(base, 'bob@example.com', PASSWORD);
    assert.equal((await call('GET', '/api/me', { cookie: a })).status, 200);
    const out = await call('POST', '/api/auth/signout-everywhere', { cookie: a });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /sickbay=;.*Max-Age=0/);
    for (const c of [a, b, cookies.bob]) assert.equal((await call('GET', '/api/me', { cookie: c })).status, 401);
    cookies.bob = await signIn(base, 'bob@example.com', PASSWORD);
  });
});

describe('changing one’s own password', () => {
  it('needs the current password, ends the other sign-ins and keeps this browser signed in', async () => {
    const other = await signIn(base, 'pat@example.com', PASSWORD);
    const here = await signIn(base, 'pat@example.com', PASSWORD);
    const change = (cookie: string, current: string, password: string) => call('POST', '/api/me/password', { cookie, body: { current, password } });
    const wrong = await change(here, 'not the password', 'a brand new passphrase 42');
    assert.equal(wrong.status, 403, wrong.text);
    assert.match(wrong.text, /the current password is wrong/);
    const weak = await change(here, PASSWORD, 'short');
    assert.equal(weak.status, 400, weak.text);
    const done = await change(here, PASSWORD, 'a brand new passphrase 42');
    assert.equal(done.status, 200, done.text);
    const fresh = (done.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(fresh, /^sickbay=./);
    for (const c of [here, other]) assert.equal((await call('GET', '/api/me', { cookie: c })).status, 401, 'older sign-ins end');
    assert.equal((await call('GET', '/api/me', { cookie: fresh })).status, 200);
    const oldPassword = await call('POST', '/api/auth/signin', { headers: { origin: base }, body: { email: 'pat@example.com', password: PASSWORD } });
    assert.equal(oldPassword.status, 401);
    await signIn(base, 'pat@example.com', 'a brand new passphrase 42');
  });

  it('is refused to an API token', async () => {
    const made = json<{ token: string }>(await call('POST', '/api/me/tokens', { cookie: cookies.bob, body: { name: 'pw', scopes: ['sessions:read'] } }));
    const res = await call('POST', '/api/me/password', { token: made.token, body: { current: PASSWORD, password: 'another passphrase 43' } });
    assert.equal(res.status, 403, res.text);
  });
});

describe('API tokens', () => {
  it('authenticate within their scopes, only on the API, until revoked', async () => {
    const made = await call('POST', '/api/me/tokens', { cookie: cookies.ann, body: { name: 'reader', scopes: ['sessions:read'] } });
    assert.equal(made.status, 201, made.text);
    const { token, id } = json<{ token: string; id: string }>(made);
    const list = await call('GET', '/api/sessions', { token });
    assert.equal(list.status, 200);
    assert.ok(json<{ sessions: { id: string }[] }>(list).sessions.some((s) => s.id === session.id));
    const write = await call('POST', `/api/sessions/${session.id}/hints`, { token });
    assert.equal(write.status, 403);
    assert.match(write.text, /sessions:write/);
    assert.equal((await call('GET', '/api/admin/users', { token })).status, 403);
    assert.equal((await call('GET', '/sessions', { token })).status, 403, 'pages are for browsers');
    assert.equal((await call('GET', '/api/me/tokens', { token })).status, 403, 'a token does not manage tokens');
    const ws = await upgrade(`${session.terminal.path}?token=${session.terminal.token}`, { authorization: `Bearer ${token}` });
    assert.equal(ws.status, 403, 'typing needs sessions:write');
    assert.equal((await call('GET', '/api/me/tokens', { cookie: cookies.ann })).text.includes(token), false, 'shown once');
    assert.equal((await call('DELETE', `/api/me/tokens/${id}`, { cookie: cookies.ann })).status, 200);
    assert.equal((await call('GET', '/api/sessions', { token })).status, 401);
    assert.equal((await call('GET', '/api/sessions', { token: 'sbt_nonsense' })).status, 401);
  });

  it("a learner's token cannot carry the admin scope", async () => {
    const res = await call('POST', '/api/me/tokens', { cookie: cookies.ann, body: { name: 'x', scopes: ['admin'] } });
    assert.equal(res.status, 403);
  });
});

describe('single sign-on against a real OpenID provider', () => {
  /** Follows the authorization code flow over HTTP, keeping each side's cookies; returns Sickbay's sign-in cookie. */
  async function ssoSignIn(accountId: string): Promise<{ cookie: string | null; location: string }> {
    provider.loginAs(accountId);
    const jar = new Map<string, string>();
    const keep = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = (pair as string).indexOf('=');
        jar.set((pair as string).slice(0, eq), (pair as string).slice(eq + 1));
      }
    };
    const cookieFor = (url: string) => {
      const mine = url.startsWith(base);
      return [...jar].filter(([k]) => (mine ? k.startsWith('sickbay') : !k.startsWith('sickbay'))).map(([k, v]) => `${k}=${v}`).join('; ');
    };
    let url = `${base}/api/auth/oidc/start?next=%2Fsessions`;
    for (let hop = 0; hop < 12; hop++) {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookieFor(url) } });
      keep(res);
      const location = res.headers.get('location');
      assert.ok(res.status >= 300 && res.status < 400 && location, `hop ${hop} to ${url}: ${res.status} ${await res.text()}`);
      if (url.startsWith(`${base}/api/auth/oidc/callback`)) {
        const signin = jar.get('sickbay');
        return { cookie: signin ? `sickbay=${signin}` : null, location };
      }
      url = new URL(location, url).href;
    }
    throw new Error('the flow did not come back to Sickbay');
  }

  it('creates the user on first sign-in with the role its groups give, and signs them in', async () => {
    const { cookie, location } = await ssoSignIn('sso-trainer');
    assert.equal(location, '/sessions');
    assert.ok(cookie);
    const me = json<{ user: { email: string; name: string; role: string }; via: string }>(await call('GET', '/api/me', { cookie }));
    assert.deepEqual(me.user, { ...me.user, email: 'tess@example.com', name: 'Tess Trainer', role: 'facilitator' });
    assert.equal(me.via, 'cookie');
  });

  it('links an invited account by its verified e-mail, and an admin sees both in the user list', async () => {
    const invite = await call('POST', '/api/admin/users', { cookie: cookies.ada, body: { email: 'ivy@example.com', role: 'learner' } });
    assert.equal(invite.status, 201, invite.text);
    const { cookie } = await ssoSignIn('sso-invited');
    assert.ok(cookie);
    const me = json<{ user: { id: string; email: string; role: string } }>(await call('GET', '/api/me', { cookie }));
    assert.equal(me.user.id, json<{ user: { id: string } }>(invite).user.id, 'the invited account, not a new one');
    const users = json<{ users: { email: string; oidc: unknown }[] }>(await call('GET', '/api/admin/users', { cookie: cookies.ada })).users;
    assert.ok(users.find((u) => u.email === 'ivy@example.com')?.oidc);
    assert.ok(users.find((u) => u.email === 'tess@example.com'));
  });

  it('refuses a callback without the browser that started it (state and flow cookie)', async () => {
    const res = await fetch(`${base}/api/auth/oidc/callback?code=forged&state=forged`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location') ?? '', /^\/signin\?error=.*start%20again/);
    assert.equal(res.headers.getSetCookie().some((c) => /^sickbay=[^;]/.test(c)), false);
  });
});

describe('where the server may listen', () => {
  it('refuses to start on a non-loopback address without team mode, and says why', async () => {
    const empty = tempDataDir();
    try {
      const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server.ts')], {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'production', SICKBAY_DATA_DIR: empty, SICKBAY_HOST: '0.0.0.0', PORT: '0', SICKBAY_PUBLIC_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
      proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
      assert.equal(code, 1, out);
      assert.match(out, /refusing to listen on 0\.0\.0\.0.*SICKBAY_PUBLIC_URL/s);
      assert.doesNotMatch(out, /ready on/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the owner', () => {
  it('works in the session on every route (the watchers’ mirror aside), and ends it last', async () => {
    const keys = Object.keys(ROUTES).filter((k) => ROUTES[k]?.kind.startsWith('session-') && ROUTES[k]?.kind !== 'session-watch');
    for (const key of [...keys.filter((k) => !k.startsWith('DELETE')), ...keys.filter((k) => k.startsWith('DELETE'))]) {
      const { method, route, body } = concrete(key, session.id);
      const res = await call(method, route, { cookie: cookies.ann, body });
      assert.ok(![401, 403].includes(res.status), `${key}: ${res.status} ${res.text}`);
      if (res.status === 404) assert.doesNotMatch(res.text, /no session/, key);
    }
    const ended = json<{ status: string }>(await call('GET', `/api/sessions/${session.id}`, { cookie: cookies.ann }));
    assert.equal(ended.status, 'ended');
  });
});
