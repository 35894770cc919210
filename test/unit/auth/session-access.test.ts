/**
 * The engine seen through a user (server/auth/session-access.ts) on the fake runtime and a
 * real store: owners, watchers and strangers, tokens only in the owner's view, and the
 * per-user limits (live sessions, starts per minute) that apply in team mode only.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { PERSONAL_PRINCIPAL, type Principal, type Role } from '@/lib/auth/roles';
import { AuthService } from '@/server/auth/auth';
import { SessionAccess, type TerminalVerdict } from '@/server/auth/session-access';
import { SessionMembers } from '@/server/sessions/members';
import { loadConfig } from '@/server/config';
import { Catalogue } from '@/server/engine/catalogue';
import { SessionEngine } from '@/server/engine/engine';
import { Store } from '@/server/store/store';
import { FakeRuntime } from '../server/fake-runtime';
import { demoScenario } from '../server/demo-scenario';

const { root, scenarios } = demoScenario('access', { params: '() => ({})', truth: "() => ({ category: 'a', culprit: 'x', culpritKind: 'other' })" });

let now = Date.parse('2026-12-01T10:00:00Z');
const clock = () => now;
let store: Store;
let engine: SessionEngine;
let auth: AuthService;
let access: SessionAccess;
let catalogue: Catalogue;

const who = (id: string, role: Role): Principal => ({ user: { id, email: `${id}@example.com`, name: id, role }, via: 'cookie', scopes: null, signinId: null });

beforeEach(async () => {
  catalogue ??= await Catalogue.load(scenarios);
  const dataDir = fs.mkdtempSync(path.join(root, 'data-'));
  store = new Store(dataDir);
  const config = loadConfig({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: 'unit', SICKBAY_USER_MAX_SESSIONS: '2', SICKBAY_USER_STARTS_PER_MINUTE: '3' }, root);
  engine = new SessionEngine({ store, runtime: new FakeRuntime(['demo/api:latest']), catalogue, config: { ...config, scenariosDir: scenarios }, seedSecret: 's', clock });
  auth = new AuthService({ db: store.db, config: config.auth, publicUrl: null, clock });
  access = new SessionAccess({ engine, store, auth, members: new SessionMembers(store, clock), clock });
});

const statusOf = (v: TerminalVerdict): number | null => (v && 'status' in v ? v.status : null);

async function ready(principal: Principal): Promise<string> {
  const view = access.as(principal).create({ scenario: 'demo' });
  await engine.settled(view.id);
  return view.id;
}

describe('session access through a user', () => {
  it('hides a session from strangers, shows it to its watcher without the token', async () => {
    const ann = who('ann', 'learner');
    const id = await ready(ann);
    assert.throws(() => access.as(who('bob', 'learner')).get(id), /no session/);
    assert.throws(() => access.as(who('fay', 'facilitator')).events(id), /no session/);
    assert.deepEqual(access.as(who('bob', 'learner')).list(), []);

    auth.watchLinks.addSource((watcher) => (watcher === 'fay' ? [{ via: 'cohort', ref: 'c', watcherId: 'fay', learnerId: 'ann' }] : []));
    const fay = access.as(who('fay', 'facilitator'));
    assert.equal(fay.get(id).terminal, null);
    assert.equal(fay.list()[0]?.id, id);
    assert.throws(() => fay.takeHint(id), /only its learner may work in it/);
    await assert.rejects(fay.end(id), /only the learner or an admin/);
    assert.equal(statusOf(fay.terminalVerdict(id, false)), 403);
    assert.equal(statusOf(access.as(who('bob', 'learner')).terminalVerdict(id, false)), 404);
    assert.equal(access.as(ann).terminalVerdict(id, false), null);
    assert.equal(access.as(ann).hintsTaken(id).length, 0);
  });

  it('lets an admin see and end anyone’s session, and logs it', async () => {
    const id = await ready(who('ann', 'learner'));
    const ada = access.as(who('ada', 'admin'));
    assert.equal(ada.list().length, 1);
    const ended = await ada.end(id);
    assert.equal(ended.status, 'ended');
    assert.equal(auth.audit.list()[0]?.action, 'session.end');
  });

  it('limits live sessions per user (2) and starts per minute (3) in team mode', async () => {
    const bob = who('bob', 'learner');
    const a = await ready(bob);
    await ready(bob);
    assert.throws(() => access.as(bob).create({ scenario: 'demo' }), /you have 2 live sessions \(the limit per person is 2\)/);
    await access.as(bob).end(a);
    await ready(bob);
    const c = access.as(bob).list()[0]?.id as string;
    await access.as(bob).end(c);
    assert.throws(() => access.as(bob).create({ scenario: 'demo' }), /you started 3 sessions in the last minute \(the limit is 3\)/);
    now += 61_000;
    await ready(bob);
    // Another user is not limited by bob's sessions.
    await ready(who('ann', 'learner'));
  });

  it('applies no per-user limit in personal mode', async () => {
    for (let i = 0; i < 4; i++) await ready(PERSONAL_PRINCIPAL);
    assert.equal(access.as(PERSONAL_PRINCIPAL).list().length, 4);
  });
});

describe('a session shared by a team', () => {
  it('splits the work by role, credits each action, and logs a handover', async () => {
    const fay = who('fay', 'facilitator');
    const id = await ready(fay);
    auth.users.create({ email: 'root@example.com', role: 'admin' });
    const user = (name: string) => who(auth.users.create({ email: `${name}@example.com`, name, role: 'learner' }).id, 'learner');
    const [cam, dee, sam, wes, zed] = ['cam', 'dee', 'sam', 'wes', 'zed'].map(user) as [Principal, Principal, Principal, Principal, Principal];
    assert.throws(() => access.as(dee).setTeam(id, []), /no session/, 'a stranger cannot set the team');
    access.as(fay).setTeam(id, [
      { userId: cam.user.id, role: 'commander' },
      { userId: dee.user.id, role: 'driver' },
      { userId: sam.user.id, role: 'scribe' },
      { userId: wes.user.id, role: 'watcher' },
    ]);
    const diagnosis = { category: 'a', culprit: 'x', evidence: [], decision: 'fix-in-place' as const, reason: 'it leaks' };
    assert.throws(() => access.as(sam).submitDiagnosis(id, diagnosis), (e: Error & { code?: string }) => e.code === 'forbidden' && /you are the scribe: only the commander/.test(e.message));
    assert.throws(() => access.as(zed).submitDiagnosis(id, diagnosis), /no session/);
    assert.throws(() => access.as(fay).submitDiagnosis(id, diagnosis), /not in this team/, 'the owner of a team session does not work in it');
    assert.equal(access.as(cam).submitDiagnosis(id, diagnosis).actor, cam.user.id);
    assert.equal(access.as(sam).submitUpdate(id, 'We are looking at the api.').actor, sam.user.id);

    assert.deepEqual(access.as(wes).terminalVerdict(id, false), { member: wes.user.id }, 'members connect; the gateway gives input to the driver');
    assert.equal(statusOf(access.as(fay).terminalVerdict(id, false)), 403);
    assert.equal(access.as(wes).owns(id), true, 'a member’s page opens the terminal');
    assert.equal(access.as(fay).owns(id), false, 'the owner of a team session watches it');
    assert.deepEqual(access.as(wes).list().map((s) => s.id), [id]);
    assert.equal(access.as(wes).team(id).you, 'watcher');
    assert.throws(() => access.as(wes).watched(id), /live timeline is for watchers/, 'members never get the risk-tagged timeline');
    assert.equal(access.as(fay).watched(id).view.id, id, 'the owner outside the team watches it');

    assert.throws(() => access.as(wes).handOver(id, wes.user.id), /you are the watcher/);
    access.as(dee).handOver(id, wes.user.id);
    const team = access.as(sam).team(id);
    assert.equal(team.driver, wes.user.id);
    assert.equal(team.members.find((m) => m.userId === dee.user.id)?.role, 'watcher');
    const handovers = engine.events(id).flatMap((e) => (e.kind === 'team' && e.action === 'handover' ? [{ by: e.by, from: e.from, to: e.to }] : []));
    assert.deepEqual(handovers, [{ by: dee.user.id, from: dee.user.id, to: wes.user.id }]);
  });
});
