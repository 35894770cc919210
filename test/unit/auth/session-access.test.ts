/**
 * The engine seen through a user (server/auth/session-access.ts) on the fake runtime and a
 * real store: owners, watchers and strangers, tokens only in the owner's view, and the
 * per-user limits (live sessions, starts per minute) that apply in team mode only.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { PERSONAL_PRINCIPAL, type Principal, type Role } from '@/lib/auth/roles';
import { AuthService } from '@/server/auth/auth';
import { SessionAccess } from '@/server/auth/session-access';
import { loadConfig } from '@/server/config';
import { Catalogue } from '@/server/engine/catalogue';
import { SessionEngine } from '@/server/engine/engine';
import { Store } from '@/server/store/store';
import { FakeRuntime } from '../server/fake-runtime';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-access-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const scenarios = path.join(root, 'scenarios');
fs.mkdirSync(path.join(scenarios, 'demo'), { recursive: true });
fs.writeFileSync(
  path.join(scenarios, 'demo', 'scenario.ts'),
  `export default {
    title: 'Demo', summary: 'A scenario for the access unit tests.', difficulty: 'beginner', minutes: 5,
    params: () => ({}), networks: { app: {} },
    servedNormally: { successRate: 0.99, p95Ms: 1000 },
    diagnosis: { culpritLabel: 'the culprit', categories: [{ id: 'a', label: 'Cause A' }, { id: 'b', label: 'Cause B' }, { id: 'c', label: 'Cause C' }], truth: () => ({ category: 'a', culprit: 'x', culpritKind: 'other' }) },
    hints: ['look from outside'],
    services: () => ({ api: { image: 'demo/api:latest', networks: ['app'] } }),
    faults: [{ id: 'break', title: 'breaks the api', inject: async () => {} }],
    goals: [{ id: 'g', title: 'Customers are served', check: async () => ({ pass: true, evidence: 'all good' }) }],
  };`,
);

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
  access = new SessionAccess({ engine, store, auth, clock });
});

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
    assert.equal(fay.terminalVerdict(id, false)?.status, 403);
    assert.equal(access.as(who('bob', 'learner')).terminalVerdict(id, false)?.status, 404);
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
