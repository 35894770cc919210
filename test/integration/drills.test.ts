/**
 * Team drills against the real server and Docker in team mode (issue #14): a facilitator sets
 * one up with two teams; four learners join by code (one picks nothing and is placed); each
 * team's session is provisioned and held (faults in, terminal closed, no clock); Start releases
 * both at one instant; teammates watch, never type; another team sees nothing; the facilitator
 * views, watches and ends a team's session; End writes the reports.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { freePort, labelledObjects, removeInstanceObjects, type ServerProcess, startServer, tempDataDir, testInstance, waitFor, wsUpgrade } from './helpers';
import { seedAccounts, signIn } from './accounts-helpers';

const instance = testInstance();
const dataDir = tempDataDir();
const PASSWORD = 'correct horse battery';
const PEOPLE = ['ada', 'fay', 'ann', 'bob', 'cat', 'dan'] as const;
type Who = (typeof PEOPLE)[number];
let server: ServerProcess;
let base = '';
let port = 0;
const cookies = {} as Record<Who, string>;

interface Answer {
  status: number;
  text: string;
}

async function call(method: string, route: string, who?: Who, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { origin: base, 'sec-fetch-site': 'same-origin' };
  if (who) headers.cookie = cookies[who];
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, { method, headers, redirect: 'manual', body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

const json = <T>(a: Answer) => JSON.parse(a.text) as T;

interface TeamJson {
  id: string;
  name: string;
  sessionId: string | null;
  readiness: string;
  members: { email: string | null }[];
}
interface DrillJson {
  id: string;
  code: string;
  phase: string;
  seed: string;
  startedAt: string | null;
  startBlocked: string | null;
  teams: TeamJson[];
}
interface BoardJson {
  nextInject: { id: string } | null;
  teams: { name: string; figures: { updates: number; goals: { passed: number; total: number } | null; provisional: boolean; score: number } | null }[];
}
interface SessionJson {
  id: string;
  status: string;
  readyAt: string | null;
  seed: string;
  coach: boolean;
  terminal: { path: string; token: string } | null;
  hasReport: boolean;
}

before(async () => {
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await seedAccounts(
    dataDir,
    PEOPLE.map((who) => ({ email: `${who}@example.com`, role: who === 'ada' ? 'admin' : who === 'fay' ? 'facilitator' : 'learner', password: PASSWORD })),
  );
  server = await startServer({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance, PORT: String(port) });
  for (const who of PEOPLE) cookies[who] = await signIn(base, `${who}@example.com`, PASSWORD);
});

after(async () => {
  await server?.stop('SIGTERM');
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a team drill on the real engine', { timeout: 600_000 }, () => {
  let drill: DrillJson;
  const facilitator = async () => json<{ role: string; drill: DrillJson }>(await call('GET', `/api/drills/${drill.id}`, 'fay')).drill;

  it('a facilitator sets it up; a learner may not; bad input is a 400 naming the field', async () => {
    assert.equal((await call('POST', '/api/drills', 'ann', { name: 'x', scenario: 'leaky-job' })).status, 403);
    const twice = await call('POST', '/api/drills', 'fay', { name: 'Friday', scenario: 'leaky-job', teams: ['Red', 'red'] });
    assert.equal(twice.status, 400, twice.text);
    assert.match(twice.text, /teams: two teams are called/);
    const made = await call('POST', '/api/drills', 'fay', { name: 'Friday', scenario: 'leaky-job', teams: ['Red', 'Blue'], timeLimitMin: 20 });
    assert.equal(made.status, 201, made.text);
    drill = json<DrillJson>(made);
    assert.equal(drill.phase, 'lobby');
    assert.match(drill.code, /^[A-Z2-9]{6}$/);
    assert.equal((await call('GET', `/api/drills/${drill.id}`, 'ann')).status, 404, 'not joined: nothing to see');
  });

  it('participants join by code (typed any way), pick a team or are placed; a wrong code is a 404', async () => {
    const typed = drill.code.toLowerCase().replace(/(...)/, '$1 ');
    const preview = await call('GET', `/api/drills/join?code=${encodeURIComponent(typed)}`, 'ann');
    assert.equal(preview.status, 200, preview.text);
    const red = json<{ teams: { id: string; name: string }[] }>(preview).teams.find((t) => t.name === 'Red')!;
    assert.equal((await call('POST', '/api/drills/join', 'ann', { code: 'ZZZZZZ' })).status, 404);
    assert.equal((await call('POST', '/api/drills/join', 'ann', { code: 'short' })).status, 400);
    for (const [who, teamId] of [['ann', red.id], ['bob', red.id], ['cat', undefined], ['dan', undefined]] as const) {
      const joined = await call('POST', '/api/drills/join', who, { code: typed, ...(teamId ? { teamId } : {}) });
      assert.equal(joined.status, 200, `${who}: ${joined.text}`);
    }
    const state = await facilitator();
    assert.deepEqual(
      state.teams.map((t) => [t.name, t.members.map((m) => m.email)]),
      [
        ['Red', ['ann@example.com', 'bob@example.com']],
        ['Blue', ['cat@example.com', 'dan@example.com']],
      ],
    );
    assert.ok(state.teams.every((t) => t.sessionId), 'each team’s first member started its session');
  });

  it('holds both sessions fully provisioned: faults in, terminal closed, no clock', async () => {
    const ready = await waitFor(
      'both teams ready (held)',
      async () => {
        const s = await facilitator();
        if (s.teams.some((t) => t.readiness === 'failed')) throw new Error(`a session failed: ${JSON.stringify(s.teams)}`);
        return s.teams.every((t) => t.readiness === 'ready') ? s : null;
      },
      360_000,
      1000,
    );
    assert.equal(ready.startBlocked, null);
    const [red, blue] = ready.teams as [TeamJson, TeamJson];
    const held = json<SessionJson>(await call('GET', `/api/sessions/${red.sessionId}`, 'ann'));
    assert.equal(held.status, 'held');
    assert.equal(held.readyAt, null);
    assert.equal(held.terminal, null, 'no terminal while held');
    assert.equal(held.coach, false, 'exam mode');
    assert.equal(json<SessionJson>(await call('GET', `/api/sessions/${blue.sessionId}`, 'cat')).seed, held.seed, 'one seed for both teams');
    const events = json<{ events: { kind: string }[] }>(await call('GET', `/api/sessions/${red.sessionId}/events`, 'ann')).events;
    assert.ok(events.some((e) => e.kind === 'fault'), 'the fault was injected before the start');
    assert.ok((await labelledObjects({ instance, session: red.sessionId! })).length >= 2, 'its containers run');
    assert.equal((await wsUpgrade(port, `/ws/terminal/${red.sessionId}?token=x`, { origin: base, cookie: cookies.ann })).status, 404, 'the terminal is closed');
    assert.equal((await call('POST', `/api/sessions/${red.sessionId}/check`, 'ann')).status, 409);
  });

  it('Start releases both at one instant; Red works as a seated team (driver, commander), another team sees nothing', async () => {
    assert.equal((await call('POST', `/api/drills/${drill.id}/start`, 'ann')).status, 403);
    const started = await call('POST', `/api/drills/${drill.id}/start`, 'fay');
    assert.equal(started.status, 200, started.text);
    const state = json<DrillJson>(started);
    assert.equal(state.phase, 'running');
    const sessions = await Promise.all(state.teams.map(async (t, i) => json<SessionJson>(await call('GET', `/api/sessions/${t.sessionId}`, i === 0 ? 'ann' : 'cat'))));
    assert.deepEqual(sessions.map((s) => s.status), ['ready', 'ready']);
    assert.equal(sessions[0]!.readyAt, sessions[1]!.readyAt, 'one ready time for both teams');
    assert.equal(sessions[0]!.readyAt, state.startedAt);
    const [red] = sessions as [SessionJson];
    assert.ok(red.terminal, 'the owner gets the terminal');
    assert.equal((await wsUpgrade(port, `${red.terminal.path}?token=${red.terminal.token}`, { origin: base, cookie: cookies.ann })).status, 101);
    // Seats by order of joining: ann drives, bob commands. bob's terminal connection is a member's
    // (input goes nowhere while ann drives: team-session.test.ts sends the frames).
    const team = json<{ members: { userId: string; role: string }[] }>(await call('GET', `/api/sessions/${red.id}/team`, 'fay'));
    assert.deepEqual(team.members.map((m) => m.role).sort(), ['commander', 'driver']);
    assert.equal((await wsUpgrade(port, `${red.terminal.path}?token=${red.terminal.token}`, { origin: base, cookie: cookies.bob })).status, 101, 'a member connects');
    assert.equal((await call('GET', `/api/sessions/${red.id}/mirror`, 'bob')).status, 200, 'a teammate watches the mirror');
    assert.equal((await call('GET', `/api/sessions/${red.id}/mirror`, 'fay')).status, 200, 'so does the facilitator');
    const byDriver = await call('POST', `/api/sessions/${red.id}/diagnosis`, 'ann', { category: 'x', culprit: 'y', decision: 'restart', reason: 'because' });
    assert.equal(byDriver.status, 403, 'the commander submits the diagnosis, not the driver');
    assert.match(byDriver.text, /commander/);
    assert.equal((await call('GET', `/api/sessions/${red.id}`, 'cat')).status, 404, 'another team sees nothing');
    assert.equal((await call('POST', `/api/drills/${drill.id}/start`, 'fay')).status, 409, 'Start goes once');
    assert.equal((await call('POST', '/api/drills/join', 'ada', { code: drill.code })).status, 409, 'no joining once started');
  });

  it('the board shows each team’s figures live: an update and a goal check by Red, nothing by Blue', async () => {
    const red = (await facilitator()).teams[0]!.sessionId!;
    // No scribe in Red: the commander (bob) writes the updates; the driver (ann) checks the goals.
    const update = await call('POST', `/api/sessions/${red}/update`, 'bob', { text: 'Customers see slow answers from the API; we are looking into its memory use.' });
    assert.equal(update.status, 201, update.text);
    assert.equal((await call('POST', `/api/sessions/${red}/check`, 'ann')).status, 200);
    const answer = json<{ role: string; board: BoardJson }>(await call('GET', `/api/drills/${drill.id}`, 'fay'));
    assert.equal(answer.role, 'facilitator');
    const [r, b] = answer.board.teams;
    assert.equal(r?.name, 'Red');
    assert.equal(r?.figures?.updates, 1);
    assert.ok(r?.figures?.goals && r.figures.goals.total >= 1, 'the goal check shows');
    assert.equal(b?.figures?.updates, 0);
    assert.equal(b?.figures?.goals, null);
    for (const t of [r, b]) {
      assert.equal(t?.figures?.provisional, true);
      assert.ok(typeof t?.figures?.score === 'number' && t.figures.score >= 0 && t.figures.score <= 100);
    }
    assert.equal(answer.board.nextInject?.id, 'stakeholder-asks', 'leaky-job keeps the default injects');
    assert.equal(json<{ board?: unknown }>(await call('GET', `/api/drills/${drill.id}`, 'ann')).board, undefined, 'participants get no board');
  });

  it('the facilitator views, watches and ends a team’s session through the drill; its members may not end it', async () => {
    const [red, blue] = (await facilitator()).teams.map((t) => t.sessionId!) as [string, string];
    const listed = json<{ sessions: { id: string }[] }>(await call('GET', '/api/sessions', 'fay')).sessions.map((s) => s.id);
    assert.ok(listed.includes(red) && listed.includes(blue), 'both team sessions are in the facilitator’s list');
    const view = json<SessionJson>(await call('GET', `/api/sessions/${blue}`, 'fay'));
    assert.equal(view.status, 'ready');
    assert.equal(view.terminal, null, 'a watcher gets no terminal token');
    const mirror = await call('GET', `/api/sessions/${blue}/mirror`, 'fay');
    assert.equal(mirror.status, 200, mirror.text);
    const { path, token } = json<{ path: string; token: string }>(mirror);
    assert.equal((await wsUpgrade(port, `${path}?token=${token}`, { origin: base, cookie: cookies.fay })).status, 101, 'the mirror opens');
    for (const who of ['cat', 'dan'] as const) {
      const refused = await call('DELETE', `/api/sessions/${blue}`, who);
      assert.equal(refused.status, 403, `${who}, a member (cat owns it), does not end the team’s session: ${refused.text}`);
    }
    assert.equal((await call('DELETE', `/api/sessions/${blue}`, 'ann')).status, 404, 'another team sees nothing');
    const ended = await call('DELETE', `/api/sessions/${blue}`, 'fay');
    assert.equal(ended.status, 200, ended.text);
    assert.equal(json<SessionJson>(ended).terminal, null);
    await waitFor('Blue’s session ended', async () => (json<SessionJson>(await call('GET', `/api/sessions/${blue}`, 'fay')).status === 'ended' ? true : null), 120_000, 500);
    assert.equal(json<SessionJson>(await call('GET', `/api/sessions/${red}`, 'fay')).status, 'ready', 'the other team works on');
  });

  it('End ends every team’s session with its report', async () => {
    const ended = await call('POST', `/api/drills/${drill.id}/end`, 'fay');
    assert.equal(ended.status, 200, ended.text);
    const state = json<DrillJson>(ended);
    assert.equal(state.phase, 'over');
    for (const t of state.teams) {
      const s = json<SessionJson>(await call('GET', `/api/sessions/${t.sessionId}`, 'fay'));
      assert.equal(s.status, 'ended');
      assert.ok(s.hasReport, `${t.name} has its report`);
    }
  });

  it('the debrief lists both teams with their scores, rules and actions; the CSV has every team’s per-rule results; a re-run gets a new seed', async () => {
    assert.equal((await call('GET', `/api/drills/${drill.id}/debrief`, 'ann')).status, 403);
    const debrief = json<{ teams: { name: string; score: number; rules: { id: string; status: string }[]; marks: unknown[] }[] }>(await call('GET', `/api/drills/${drill.id}/debrief`, 'fay'));
    assert.deepEqual(debrief.teams.map((t) => t.name), ['Red', 'Blue']);
    for (const t of debrief.teams) {
      assert.ok(t.rules.length > 5, `${t.name}: every protocol rule`);
      assert.ok(t.score >= 0 && t.score <= 100);
    }
    const res = await fetch(`${base}/api/drills/${drill.id}/debrief?format=csv`, { headers: { cookie: cookies.fay } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await res.text()).trim().split('\n');
    assert.equal(lines[0], 'team,session,rule,title,status,points,weight');
    const rules = debrief.teams[0]!.rules.length;
    assert.equal(lines.length, 1 + 2 * (rules + 1), 'a total row and one row per rule for each team');
    assert.ok(lines.some((l) => l.startsWith('Blue,') && l.includes(',timeline,')));
    const rerun = await call('POST', `/api/drills/${drill.id}/rerun`, 'fay');
    assert.equal(rerun.status, 201, rerun.text);
    const again = json<DrillJson>(rerun);
    assert.notEqual(again.seed, drill.seed);
    assert.notEqual(again.code, drill.code);
    assert.deepEqual(again.teams.map((t) => t.name), ['Red', 'Blue']);
    assert.equal(again.phase, 'lobby');
  });
});
