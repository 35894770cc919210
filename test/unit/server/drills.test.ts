/**
 * Team drills on the engine with a fake runtime and a real SQLite store: joining by code,
 * held sessions owned by each team's first member, Start releasing all at one instant, the
 * teammates' and facilitator's watch links, and the end at the time limit.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { sessionAccess } from '@/lib/auth/access';
import type { Principal } from '@/lib/auth/roles';
import { SickbayError } from '@/lib/errors';
import { AuthService } from '@/server/auth/auth';
import { loadAuthConfig } from '@/server/auth/config';
import { createAccount } from '@/server/auth/local';
import { loadConfig } from '@/server/config';
import { drillBoard } from '@/server/drills/board';
import { DrillAdmin, drillByCode, endDrill, joinDrill, participantState, type DrillDeps } from '@/server/drills/drills';
import { CodeGuesses } from '@/server/drills/code-guesses';
import { provisionalEvents } from '@/lib/drills/board';
import { MAX_TEAMS } from '@/lib/drills/rules';
import { summarizeProgress } from '@/lib/progress';
import { SessionMembers } from '@/server/sessions/members';
import { DrillStore } from '@/server/drills/store';
import { Catalogue } from '@/server/engine/catalogue';
import { SessionEngine } from '@/server/engine/engine';
import { Store } from '@/server/store/store';
import { FakeRuntime } from './fake-runtime';
import { demoScenario } from './demo-scenario';

const { root, scenarios } = demoScenario('drills');
let now = Date.parse('2026-12-01T10:00:00Z');
const clock = () => now;
let deps: DrillDeps;
let catalogue: Catalogue;
let engineParts: ConstructorParameters<typeof SessionEngine>[0];
const people: Record<string, Principal> = {};

async function person(name: string, role: 'admin' | 'facilitator' | 'learner'): Promise<Principal> {
  const { user } = await createAccount(deps.auth, 'local', { email: `${name}@example.com`, name, role, password: 'correct horse battery' });
  return { user: { id: user.id, email: user.email, name: user.name, role }, via: 'cookie', scopes: null, signinId: null };
}

beforeEach(async () => {
  catalogue ??= await Catalogue.load(scenarios);
  const dataDir = fs.mkdtempSync(path.join(root, 'data-'));
  const store = new Store(dataDir);
  const config = loadConfig({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: 'unit', SICKBAY_SESSION_TTL: '10m' }, root);
  engineParts = { store, runtime: new FakeRuntime(['demo/api:latest']), catalogue, config: { ...config, scenariosDir: scenarios }, seedSecret: 'secret', clock };
  const engine = new SessionEngine(engineParts);
  const auth = new AuthService({ db: store.db, config: loadAuthConfig({}), publicUrl: null, clock });
  const drills = new DrillStore(store.db, clock);
  auth.watchLinks.addSource((w) => drills.watchLinks(w));
  deps = { auth, engine, catalogue, store, drills, members: new SessionMembers(store, clock), clock };
  for (const [name, role] of [['ada', 'admin'], ['fay', 'facilitator'], ['ann', 'learner'], ['bob', 'learner'], ['cat', 'learner'], ['dan', 'learner']] as const) {
    people[name] = await person(name, role);
  }
});

const p = (name: string) => people[name] as Principal;
const settle = (ids: (string | null)[]) => Promise.all(ids.map((id) => (id ? deps.engine.settled(id) : undefined)));

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SickbayError);
    return `${err.code}: ${err.message}`;
  }
  return 'no error';
}

describe('team drills', () => {
  it('refuses a user who guesses join codes, for a while, even with the right code; others are not affected', () => {
    const drill = new DrillAdmin(deps, p('fay')).create({ name: 'Friday', scenario: 'demo', seedMode: 'shared', mode: 'teams', teams: ['Red'], timeLimitMin: 30 });
    const guarded: DrillDeps = { ...deps, guesses: new CodeGuesses(clock) };
    const wrong = drill.code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    for (let i = 0; i < 10; i += 1) assert.match(code(() => drillByCode(guarded, p('ann'), wrong)), /^not_found/);
    assert.match(code(() => drillByCode(guarded, p('ann'), drill.code)), /^too_many_requests: too many unknown join codes: try again in 15 min/);
    assert.match(code(() => joinDrill(guarded, p('ann'), drill.code)), /^too_many_requests/);
    assert.equal(drillByCode(guarded, p('bob'), drill.code).name, 'Friday', 'another user still joins');
    now += 15 * 60_000 + 1;
    assert.equal(joinDrill(guarded, p('ann'), drill.code).team?.name, 'Red', 'the lock ends');
  });

  it('only facilitators and admins set drills up', () => {
    assert.match(code(() => new DrillAdmin(deps, p('ann'))), /^forbidden/);
    const drill = new DrillAdmin(deps, p('fay')).create({ name: 'Friday', scenario: 'demo', seedMode: 'shared', mode: 'teams', teams: ['Red', 'Blue'], timeLimitMin: 30 });
    assert.equal(drill.phase, 'lobby');
    assert.deepEqual(drill.teams.map((t) => [t.name, t.seed, t.readiness]), [['Red', drill.seed, 'empty'], ['Blue', drill.seed, 'empty']]);
    assert.match(drill.code, /^[A-Z2-9]{6}$/);
    assert.equal(new DrillAdmin(deps, p('ada')).list().length, 1, 'admins see every drill');
    assert.match(code(() => new DrillAdmin(deps, p('ada')).create({ name: 'x', scenario: 'nope', seedMode: 'shared', mode: 'teams', teams: ['A'], timeLimitMin: 30 })), /^not_found/);
  });

  it('holds each team’s session from its first member’s join and releases them all at one instant', async () => {
    const fay = new DrillAdmin(deps, p('fay'));
    const drill = fay.create({ name: 'Friday', scenario: 'demo', seed: 'same', seedMode: 'shared', mode: 'teams', teams: ['Red', 'Blue'], timeLimitMin: 30 });
    const [red] = drill.teams;
    assert.match(code(() => fay.start(drill.id)), /nobody has joined yet/);
    const ann = joinDrill(deps, p('ann'), drill.code, red!.id);
    assert.equal(ann.team?.owner, true);
    joinDrill(deps, p('bob'), drill.code, red!.id);
    joinDrill(deps, p('cat'), drill.code); // assigned: Blue has fewer members
    joinDrill(deps, p('dan'), drill.code);
    let state = fay.get(drill.id);
    assert.deepEqual(state.teams.map((t) => t.members.map((m) => m.name)), [['ann', 'bob'], ['cat', 'dan']]);
    assert.equal(state.teams[0]?.ownerId, p('ann').user.id);
    assert.equal(state.teams[1]?.ownerId, p('cat').user.id);
    assert.match(state.startBlocked ?? '', /not ready yet/);
    await settle(state.teams.map((t) => t.sessionId));
    state = fay.get(drill.id);
    assert.deepEqual(state.teams.map((t) => t.readiness), ['ready', 'ready']);
    assert.equal(state.startBlocked, null);
    const held = deps.engine.get(state.teams[0]!.sessionId!);
    assert.equal(held.status, 'held');
    assert.equal(held.readyAt, null, 'no session clock while held');
    assert.equal(held.coach, false, 'drills run in exam mode');
    assert.equal(deps.engine.terminalTarget(held.id), null, 'the terminal stays closed while held');
    assert.equal(deps.store.requireSession(held.id).seed, deps.store.requireSession(state.teams[1]!.sessionId!).seed, 'the same seed for both');
    now += 60_000;
    const started = fay.start(drill.id);
    assert.equal(started.phase, 'running');
    const ready = started.teams.map((t) => deps.engine.get(t.sessionId!));
    assert.deepEqual(ready.map((s) => s.status), ['ready', 'ready']);
    assert.equal(ready[0]?.readyAt, new Date(now).toISOString());
    assert.equal(ready[1]?.readyAt, ready[0]?.readyAt, 'one ready time for every team');
    assert.equal(started.startedAt, ready[0]?.readyAt);
    assert.match(code(() => fay.start(drill.id)), /already started/);
    assert.equal(joinDrill(deps, p('bob'), drill.code).team?.name, 'Red', 'a member joining again is let back in, into their team');
    assert.match(code(() => joinDrill(deps, p('ada'), drill.code)), /^conflict: this drill has already started/);
  });

  it('lets teammates and the facilitator watch a team’s session, nobody else', async () => {
    const fay = new DrillAdmin(deps, p('fay'));
    const drill = fay.create({ name: 'Watch', scenario: 'demo', seedMode: 'per-team', mode: 'teams', teams: ['Red', 'Blue'], timeLimitMin: 30 });
    joinDrill(deps, p('ann'), drill.code, drill.teams[0]!.id);
    joinDrill(deps, p('bob'), drill.code, drill.teams[0]!.id);
    joinDrill(deps, p('cat'), drill.code, drill.teams[1]!.id);
    const state = fay.get(drill.id);
    assert.notEqual(state.teams[0]?.seed, state.teams[1]?.seed, 'one seed per team');
    const red = { id: state.teams[0]!.sessionId!, ownerId: p('ann').user.id };
    // The team works its session as one team: seats by order of joining (lib/drills/rules.ts).
    assert.deepEqual(
      deps.members
        .of(red.id)
        .map((m) => [m.role, m.userId])
        .sort(),
      [
        ['commander', p('bob').user.id],
        ['driver', p('ann').user.id],
      ],
    );
    assert.deepEqual(deps.members.of(state.teams[1]!.sessionId!).map((m) => m.role), ['driver'], 'a team of one drives');
    const verdict = (who: string, action: 'view' | 'watch' | 'work') =>
      sessionAccess({ id: p(who).user.id, role: p(who).user.role }, red, action, deps.auth.watchLinks.of(p(who).user.id));
    assert.equal(verdict('ann', 'work'), 'allow');
    assert.equal(verdict('bob', 'watch'), 'allow');
    assert.equal(verdict('bob', 'work'), 'forbidden', 'a teammate watches, never types');
    assert.equal(verdict('fay', 'watch'), 'allow');
    assert.equal(verdict('cat', 'view'), 'hidden', 'another team sees nothing');
    assert.match(code(() => participantState(deps, p('dan'), drill.id)), /^not_found/);
    // Each member's history lists the team session with its drill, team and seat; progress leaves it out.
    const bobs = deps.engine.history(p('bob').user.id);
    assert.deepEqual(bobs.map((h) => [h.id, h.team]), [[red.id, { drill: 'Watch', team: 'Red', role: 'commander' }]]);
    assert.deepEqual(deps.engine.history(p('ann').user.id).map((h) => h.team?.role), ['driver']);
    assert.deepEqual(deps.engine.history(p('dan').user.id), [], 'no one else’s');
    assert.deepEqual(summarizeProgress(bobs).scenarios, {}, 'a team session is not the member’s own progress');
    await settle(state.teams.map((t) => t.sessionId));
  });

  it('takes at most MAX_TEAMS participants in an individuals drill, as in a teams drill', async () => {
    const drill = new DrillAdmin(deps, p('fay')).create({ name: 'Crowd', scenario: 'demo', seedMode: 'shared', mode: 'individuals', teams: [], timeLimitMin: 30 });
    // Nineteen seats taken without sessions (only the count matters), then one real participant.
    for (let i = 0; i < MAX_TEAMS - 1; i += 1) deps.drills.addOwnTeam(deps.drills.require(drill.id), `p${i}`);
    assert.equal(joinDrill(deps, p('ann'), drill.code).team?.name, 'ann');
    assert.match(code(() => joinDrill(deps, p('bob'), drill.code)), /^conflict: this drill is full: it has 20 participants/);
    assert.equal(deps.drills.require(drill.id).teams.length, MAX_TEAMS, 'no team added for the refused one');
    await settle(deps.drills.require(drill.id).teams.map((t) => t.sessionId));
  });

  it('starts a team’s session under the per-person limits of any start: a refused first member is not joined', async () => {
    const mine = [deps.engine.create({ scenario: 'demo', seed: 'own1', ownerId: p('ann').user.id }), deps.engine.create({ scenario: 'demo', seed: 'own2', ownerId: p('ann').user.id })];
    const fay = new DrillAdmin(deps, p('fay'));
    const solo = fay.create({ name: 'Solo', scenario: 'demo', seedMode: 'shared', mode: 'individuals', teams: [], timeLimitMin: 30 });
    assert.match(code(() => joinDrill(deps, p('ann'), solo.code)), /^conflict: you cannot join yet: .* you have 2 live sessions \(the limit per person is 2\): end one first/);
    assert.deepEqual(fay.get(solo.id).teams, [], 'their own team is gone again');
    const teams = fay.create({ name: 'Teams', scenario: 'demo', seedMode: 'shared', mode: 'teams', teams: ['Red'], timeLimitMin: 30 });
    assert.match(code(() => joinDrill(deps, p('ann'), teams.code)), /^conflict: you cannot join yet/);
    assert.deepEqual(fay.get(teams.id).teams[0]?.members, [], 'not in the team');
    assert.equal(deps.store.countLiveOwnedBy(p('ann').user.id), 2, 'no session started for the drill');
    // The next one in starts the team's session; ann may join once she ends one of hers.
    assert.equal(joinDrill(deps, p('bob'), teams.code).team?.owner, true);
    await deps.engine.end(mine[0]!.id, 'test');
    assert.equal(joinDrill(deps, p('ann'), teams.code).team?.owner, false);
    await settle([...mine.map((s) => s.id), ...fay.get(teams.id).teams.map((t) => t.sessionId)]);
  });

  it('refuses the join when the lab is full, and names the refused team when the facilitator prepares again', async () => {
    deps = { ...deps, engine: new SessionEngine({ ...engineParts, config: { ...engineParts.config, maxLiveSessions: 1 } }) };
    const other = deps.engine.create({ scenario: 'demo', seed: 'other', ownerId: p('dan').user.id });
    const fay = new DrillAdmin(deps, p('fay'));
    const drill = fay.create({ name: 'Full', scenario: 'demo', seedMode: 'shared', mode: 'teams', teams: ['Red'], timeLimitMin: 30 });
    assert.match(code(() => joinDrill(deps, p('ann'), drill.code)), /^conflict: you cannot join yet: .* this lab already runs 1 sessions \(limit 1\)/);
    // A member seated before the lab filled up: the facilitator's Prepare says why it cannot start.
    deps.drills.join(drill.id, drill.teams[0]!.id, p('bob').user.id);
    assert.match(code(() => fay.prepare(drill.id)), /^conflict: could not prepare the session of "Red": this lab already runs 1 sessions/);
    await deps.engine.end(other.id, 'test');
    assert.equal(fay.prepare(drill.id).teams[0]?.readiness, 'preparing');
    await settle([other.id, fay.get(drill.id).teams[0]!.sessionId]);
  });

  it('refuses joins once started, and ends every session at the time limit', async () => {
    const fay = new DrillAdmin(deps, p('fay'));
    const drill = fay.create({ name: 'Late', scenario: 'demo', seedMode: 'shared', mode: 'individuals', teams: [], timeLimitMin: 5 });
    joinDrill(deps, p('ann'), drill.code);
    joinDrill(deps, p('bob'), drill.code);
    let state = fay.get(drill.id);
    assert.deepEqual(state.teams.map((t) => t.name), ['ann', 'bob'], 'individuals are their own teams');
    await settle(state.teams.map((t) => t.sessionId));
    fay.start(drill.id);
    assert.match(code(() => joinDrill(deps, p('cat'), drill.code)), /^conflict: this drill has already started/);
    now += 5 * 60_000;
    assert.deepEqual(deps.drills.overdue(), [drill.id]);
    await endDrill(deps, drill.id, 'the drill’s time limit was reached');
    state = fay.get(drill.id);
    assert.equal(state.phase, 'over');
    assert.deepEqual(state.teams.map((t) => t.readiness), ['ended', 'ended']);
    assert.ok(state.teams.every((t) => deps.store.requireSession(t.sessionId!).hasReport), 'every team gets its report');
    assert.deepEqual(deps.drills.overdue(), []);
  });

  it('logs each inject once, when its time has come on a drill session; never on an ordinary one', async () => {
    const fay = new DrillAdmin(deps, p('fay'));
    const drill = fay.create({ name: 'Injects', scenario: 'demo', seedMode: 'shared', mode: 'teams', teams: ['Red'], timeLimitMin: 30 });
    joinDrill(deps, p('ann'), drill.code);
    const solo = deps.engine.create({ scenario: 'demo', seed: 'solo', ownerId: p('bob').user.id });
    const sessionId = fay.get(drill.id).teams[0]!.sessionId!;
    await settle([sessionId, solo.id]);
    const injects = (id: string) => deps.engine.events(id).filter((e) => e.kind === 'inject');
    now += 10 * 60_000;
    assert.deepEqual(injects(sessionId), [], 'nothing while held: the clock has not started');
    fay.start(drill.id);
    now += 119_000;
    assert.deepEqual(injects(sessionId), []);
    now += 1_000;
    assert.deepEqual(injects(sessionId).map((e) => e.kind === 'inject' && [e.inject, e.prompts, e.atMs]), [['stakeholder-asks', 'scribe', 120_000]]);
    now += 200_000;
    deps.engine.events(sessionId);
    assert.deepEqual(injects(sessionId).map((e) => e.kind === 'inject' && e.inject), ['stakeholder-asks', 'decision-wanted'], 'each once');
    assert.deepEqual(injects(solo.id), [], 'a session outside a drill gets no injects');
  });

  it('puts each team’s figures on the board, live and after the end, with the next inject', async () => {
    const fay = new DrillAdmin(deps, p('fay'));
    const drill = fay.create({ name: 'Board', scenario: 'demo', seedMode: 'shared', mode: 'teams', teams: ['Red', 'Blue', 'Nobody'], timeLimitMin: 30 });
    joinDrill(deps, p('ann'), drill.code, drill.teams[0]!.id);
    joinDrill(deps, p('cat'), drill.code, drill.teams[1]!.id);
    await settle(fay.get(drill.id).teams.map((t) => t.sessionId));
    let board = drillBoard(deps, fay.get(drill.id));
    assert.deepEqual(board.teams.map((t) => [t.name, t.readiness, t.figures]), [['Red', 'ready', null], ['Blue', 'ready', null]], 'teams nobody joined are not on the board');
    assert.equal(board.nextInject?.id, 'stakeholder-asks');
    assert.equal(board.nextInject?.atMs, 120_000);
    fay.start(drill.id);
    const [red, blue] = fay.get(drill.id).teams.map((t) => t.sessionId!) as [string, string];
    now += 12_000;
    deps.store.appendEvent(red, { kind: 'docker', action: 'logs', method: 'GET', path: '/containers/x/logs', target: 'api', allowed: true, status: 200 }, now);
    deps.store.appendEvent(red, { kind: 'docker', action: 'restart', method: 'POST', path: '/containers/x/restart', target: 'api', allowed: true, status: 204 }, now + 1000);
    now += 2_000;
    deps.engine.submitUpdate(red, 'The api is slow for customers; we are looking at its memory and will update in ten minutes.');
    await deps.engine.checkGoals(red);
    now += 130_000;
    board = drillBoard(deps, fay.get(drill.id));
    const [r, b] = board.teams;
    assert.equal(board.elapsedMs, 144_000);
    assert.equal(board.nextInject?.id, 'decision-wanted', 'the first inject is past');
    assert.equal(r?.figures?.firstOutsideLookMs, 12_000);
    assert.deepEqual(r?.figures?.goals, { passed: 1, total: 1 });
    assert.equal(r?.figures?.updates, 1);
    assert.equal(r?.figures?.provisional, true);
    assert.ok((r?.figures?.rulesBroken.length ?? 0) >= 1, `a restart of the affected service breaks a rule: ${JSON.stringify(r?.figures?.rulesBroken)}`);
    assert.equal(r?.figures?.hasCustomers, false, 'no customer signal: time to mitigation is "—"');
    assert.equal(b?.figures?.firstOutsideLookMs, null);
    assert.equal(b?.figures?.goals, null, 'never checked');
    assert.deepEqual(b?.figures?.rulesBroken, [], 'nothing done, nothing broken (omissions only cost score)');
    assert.ok((r?.figures?.score ?? 0) > (b?.figures?.score ?? 0), 'the team that worked scores more so far');
    await fay.end(drill.id);
    board = drillBoard(deps, fay.get(drill.id));
    assert.equal(board.nextInject, null);
    assert.deepEqual(board.teams.map((t) => t.figures?.provisional), [false, false], 'the stored reports once ended');
    assert.equal(board.teams[0]?.figures?.score, deps.store.getReport<{ total: number }>(red)?.total);
    assert.equal(board.teams[1]?.figures?.score, deps.store.getReport<{ total: number }>(blue)?.total);
  });

  it('counts the latest goal check as final in a provisional log', () => {
    const goals = (id: number, passed: number) => ({ id, sessionId: 's', t: id, at: id, kind: 'goals' as const, final: false, passed, total: 2, results: [] });
    const events = provisionalEvents([goals(1, 0), goals(2, 1)]);
    assert.deepEqual(events.map((e) => e.kind === 'goals' && e.final), [false, true]);
  });

  it('releases held sessions all or none, and expires a forgotten one like any idle session', async () => {
    const a = deps.engine.create({ scenario: 'demo', seed: 'h1', ownerId: p('ann').user.id, hold: true });
    const b = deps.engine.create({ scenario: 'demo', seed: 'h2', ownerId: p('bob').user.id });
    await settle([a.id, b.id]);
    assert.equal(deps.engine.get(a.id).status, 'held');
    assert.match(code(() => deps.engine.release([a.id, b.id], 'test')), /^conflict: session .* is ready, not held: nothing was released/);
    assert.equal(deps.engine.get(a.id).status, 'held', 'the held one stays held');
    now += 11 * 60_000; // past the idle TTL (10 min here)
    assert.ok((await deps.engine.expire()).includes(a.id));
    const ended = deps.engine.get(a.id);
    assert.equal(ended.status, 'ended');
    assert.equal(ended.hasReport, false, 'a session that never started has no report');
  });
});
