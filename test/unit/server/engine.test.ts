/**
 * The engine's own logic on a fake runtime (test/unit/server/fake-runtime.ts) and a real
 * SQLite store on disk: provisioning to ready, cancel, expiry, recovery after a crash, the
 * pool, and the live-session limit. The same paths run against Docker in test/integration.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { LABEL } from '@/lib/lifecycle/labels';
import { loadConfig } from '@/server/config';
import { Catalogue } from '@/server/engine/catalogue';
import { SessionEngine } from '@/server/engine/engine';
import { Store } from '@/server/store/store';
import { FakeRuntime } from './fake-runtime';
import { demoScenario } from './demo-scenario';

const { root, scenarios } = demoScenario('engine', { services: "() => ({ api: { image: 'demo/api:latest', networks: ['app'] }, db: { image: 'demo/db:latest', networks: ['app'] } })" });

let now = Date.parse('2026-12-01T10:00:00Z');
const clock = () => now;
let dataDir = '';
let store: Store;
let runtime: FakeRuntime;

function engineWith(env: Record<string, string> = {}): SessionEngine {
  const config = loadConfig({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: 'unit', SICKBAY_SESSION_TTL: '10m', ...env }, root);
  return new SessionEngine({ store, runtime, catalogue, config: { ...config, scenariosDir: scenarios }, seedSecret: 'secret', clock });
}

let catalogue: Catalogue;
beforeEach(async () => {
  catalogue ??= await Catalogue.load(scenarios);
  dataDir = fs.mkdtempSync(path.join(root, 'data-'));
  store = new Store(dataDir);
  runtime = new FakeRuntime(['demo/api:latest', 'demo/db:latest']);
});

const objectsOf = async (sessionId: string) => runtime.listObjects({ label: [`${LABEL.session}=${sessionId}`] });

describe('session engine (fake runtime)', () => {
  it('provisions a session to ready, with a baseline, and shows the token only in its own view', async () => {
    const engine = engineWith();
    const created = engine.create({ scenario: 'demo', seed: 's1' });
    assert.equal(created.status, 'queued');
    await engine.settled(created.id);
    const view = engine.get(created.id);
    assert.equal(view.status, 'ready');
    assert.deepEqual(view.services.map((s) => s.name), ['api', 'db']);
    assert.equal(view.services[0]?.container, `sickbay-${created.id}-api`);
    assert.equal(Object.keys(store.requireSession(created.id).baseline).length, 2);
    assert.ok(store.listEvents(created.id).some((e) => e.kind === 'fault'), 'the fault is logged');
    // Without a console manager there is no terminal; once one is recorded, only the
    // session's own view carries its token, never the list.
    assert.equal(view.terminal, null);
    store.setConsole(created.id, { consoleId: 'c1', terminalToken: 'secret-token', mirrorToken: 'mirror-token', recordingPath: path.join(dataDir, 'x.cast') }, now);
    assert.deepEqual(engine.get(created.id).terminal, { path: `/ws/terminal/${created.id}`, token: 'secret-token' });
    assert.deepEqual(engine.list().find((s) => s.id === created.id)?.terminal, { path: `/ws/terminal/${created.id}` });
    assert.doesNotMatch(JSON.stringify(engine.list()), /secret-token/);
    // Every object carries the session, instance and managed-by labels.
    for (const o of await objectsOf(created.id)) assert.equal(o.labels[LABEL.instance], 'unit');
  });

  it('resolves the parameters once: the stored params are the ones a seed gives', async () => {
    const engine = engineWith();
    const a = engine.create({ scenario: 'demo', seed: 'same' });
    const b = engine.create({ scenario: 'demo', seed: 'same' });
    await Promise.all([engine.settled(a.id), engine.settled(b.id)]);
    assert.deepEqual(store.requireSession(a.id).params, store.requireSession(b.id).params);
  });

  it('fails a session whose image is missing, says which, and leaves nothing behind', async () => {
    runtime.images.delete('demo/db:latest');
    const engine = engineWith();
    const s = engine.create({ scenario: 'demo', seed: 's2' });
    await engine.settled(s.id);
    const view = engine.get(s.id);
    assert.equal(view.status, 'failed');
    assert.match(view.statusDetail ?? '', /image demo\/db:latest for service "db" is missing/);
    assert.ok(!store.listEvents(s.id).some((e) => e.kind === 'lifecycle' && e.status === 'queued' && e.detail?.includes('once more')), 'a missing image is not retried');
    assert.deepEqual(await objectsOf(s.id), []);
  });

  it('cancels provisioning: end() while containers start leaves no object and no report', async () => {
    let release!: () => void;
    runtime.startGate = new Promise((r) => (release = r));
    const engine = engineWith();
    const s = engine.create({ scenario: 'demo', seed: 's3' });
    // Wait until the containers exist, then end while they are "starting".
    for (let i = 0; i < 100 && runtime.containers.size < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(runtime.containers.size, 2);
    const ending = engine.end(s.id);
    release();
    const ended = await ending;
    assert.equal(ended.status, 'ended');
    assert.equal(ended.hasReport, false);
    assert.deepEqual(await objectsOf(s.id), []);
  });

  it('expires an idle ready session with a report, and keeps an active one', async () => {
    const engine = engineWith();
    const idle = engine.create({ scenario: 'demo', seed: 's4' });
    const busy = engine.create({ scenario: 'demo', seed: 's5' });
    await Promise.all([engine.settled(idle.id), engine.settled(busy.id)]);
    now += 9 * 60_000;
    engine.touch(busy.id);
    now += 2 * 60_000; // idle is 11 min idle, busy 2 min
    assert.deepEqual(await engine.expire(), [idle.id]);
    assert.equal(engine.get(idle.id).status, 'ended');
    assert.equal(engine.get(idle.id).hasReport, true);
    assert.equal(engine.get(busy.id).status, 'ready');
    assert.deepEqual(await objectsOf(idle.id), []);
    assert.notDeepEqual(await objectsOf(busy.id), []);
  });

  it('recovers after a crash: a ready session ends with a report, a provisioning one fails', async () => {
    const first = engineWith();
    const ready = first.create({ scenario: 'demo', seed: 's6' });
    await first.settled(ready.id);
    runtime.startGate = new Promise(() => {}); // never starts: the "crash" happens mid-provisioning
    const stuck = first.create({ scenario: 'demo', seed: 's7' });
    for (let i = 0; i < 100 && store.requireSession(stuck.id).status !== 'provisioning'; i++) await new Promise((r) => setTimeout(r, 5));
    // A new process: a new engine on the same store.
    const second = engineWith();
    assert.deepEqual(second.recover().sort(), [ready.id, stuck.id].sort());
    assert.equal(second.get(ready.id).status, 'ended');
    assert.equal(second.get(ready.id).hasReport, true);
    assert.equal(second.get(stuck.id).status, 'failed');
    assert.match(second.get(stuck.id).statusDetail ?? '', /interrupted by a server restart/);
  });

  it('keeps a pool: invisible until claimed, handed over ready, refilled, never for a chosen seed', async () => {
    const engine = engineWith({ SICKBAY_POOL: 'demo:1' });
    await engine.refillPool();
    const pooled = store.listSessions({ includePooled: true }).filter((s) => s.pooled);
    assert.equal(pooled.length, 1);
    assert.equal(engine.list().length, 0, 'pooled sessions are not listed');
    assert.throws(() => engine.get(pooled[0]!.id), { code: 'not_found' } as object);

    now += 5_000;
    const claimed = engine.create({ scenario: 'demo' });
    assert.equal(claimed.id, pooled[0]!.id);
    assert.equal(claimed.status, 'ready');
    assert.equal(claimed.readyAt, new Date(now).toISOString(), 'the clock starts at the claim');
    await engine.refillPool();
    assert.equal(store.listSessions({ includePooled: true }).filter((s) => s.pooled).length, 1, 'refilled');

    const chosen = engine.create({ scenario: 'demo', seed: 'mine' });
    assert.notEqual(chosen.status, 'ready');
    assert.equal(chosen.seed, 'mine');
    await engine.settled(chosen.id);

    await engine.drainPool();
    assert.equal(store.listSessions({ includePooled: true, statuses: ['ready'] }).filter((s) => s.pooled).length, 0);
  });

  it('refuses a session over the live limit and a malformed seed', async () => {
    const engine = engineWith({ SICKBAY_MAX_SESSIONS: '1' });
    const s = engine.create({ scenario: 'demo', seed: 's8' });
    assert.throws(() => engine.create({ scenario: 'demo', seed: 's9' }), { code: 'conflict' } as object);
    assert.throws(() => engineWith().create({ scenario: 'demo', seed: 'no spaces' }), { code: 'bad_request' } as object);
    await engine.settled(s.id);
  });

  it('runs its ending hooks before the containers go', async () => {
    const engine = engineWith();
    const s = engine.create({ scenario: 'demo', seed: 's10' });
    await engine.settled(s.id);
    const seen: number[] = [];
    engine.onEnding(async () => {
      seen.push(runtime.containers.size);
    });
    await engine.end(s.id);
    assert.deepEqual(seen, [2], 'the hook saw both containers still there');
    assert.equal(runtime.containers.size, 0);
  });

  it('queues starts beyond the provisioning capacity and shows the place in line', async () => {
    let release!: () => void;
    runtime.startGate = new Promise((r) => (release = r));
    const engine = engineWith({ SICKBAY_MAX_PROVISIONING: '1' });
    const first = engine.create({ scenario: 'demo', seed: 'q1' });
    const second = engine.create({ scenario: 'demo', seed: 'q2' });
    const third = engine.create({ scenario: 'demo', seed: 'q3' });
    assert.equal(second.status, 'queued');
    for (let i = 0; i < 100 && store.requireSession(first.id).status !== 'provisioning'; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(engine.get(first.id).queue, null, 'the first one is provisioning, not waiting');
    assert.deepEqual({ ...engine.get(second.id).queue, estimateMs: undefined }, { position: 1, provisioning: 1, capacity: 1, estimateMs: undefined });
    assert.equal(engine.get(third.id).queue?.position, 2);
    assert.ok((engine.get(third.id).queue?.estimateMs ?? 0) > (engine.get(second.id).queue?.estimateMs ?? 0), 'later in line, longer wait');
    assert.equal(runtime.containers.size, 2, 'only the first session has containers');
    // Ending a queued session takes it out of the line at once.
    const ended = await engine.end(third.id);
    assert.equal(ended.status, 'ended');
    release();
    runtime.startGate = null;
    await engine.settled(first.id);
    await engine.settled(second.id);
    assert.equal(engine.get(first.id).status, 'ready');
    assert.equal(engine.get(second.id).status, 'ready');
    const order = (id: string) => store.listEvents(id).find((e) => e.kind === 'lifecycle' && e.status === 'provisioning')?.id ?? 0;
    const readyOf = (id: string) => store.listEvents(id).find((e) => e.kind === 'lifecycle' && e.status === 'ready')?.id ?? 0;
    assert.ok(order(second.id) > readyOf(first.id), 'the second began provisioning only after the first was ready');
  });

  it('serves learners before pool refills', async () => {
    let release!: () => void;
    runtime.startGate = new Promise((r) => (release = r));
    const engine = engineWith({ SICKBAY_MAX_PROVISIONING: '1', SICKBAY_POOL: 'demo:1' });
    const blocker = engine.create({ scenario: 'demo', seed: 'p0' });
    const refill = engine.refillPool();
    for (let i = 0; i < 100 && store.listSessions({ includePooled: true }).length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    const learner = engine.create({ scenario: 'demo', seed: 'p1' });
    assert.equal(engine.get(learner.id).queue?.position, 1, 'the learner goes ahead of the waiting pool refill');
    release();
    runtime.startGate = null;
    await Promise.all([engine.settled(blocker.id), engine.settled(learner.id), refill]);
  });

  it("waits out Docker's unhealthy mark until the deadline: a slow service on a busy host still becomes ready", async () => {
    const engine = engineWith();
    runtime.unhealthyInspections = 6;
    const slow = engine.create({ scenario: 'demo', seed: 'u1' });
    await engine.settled(slow.id);
    assert.equal(runtime.unhealthyInspections, 0, 'the marks were seen');
    assert.equal(engine.get(slow.id).status, 'ready');
  });

  it('retries a failed start once, then fails it with the reason', async () => {
    const engine = engineWith();
    runtime.failCreates = 1;
    const once = engine.create({ scenario: 'demo', seed: 'r1' });
    await engine.settled(once.id);
    assert.equal(engine.get(once.id).status, 'ready', 'the automatic retry succeeded');
    assert.ok(store.listEvents(once.id).some((e) => e.kind === 'lifecycle' && e.status === 'queued' && /trying once more/.test(e.detail ?? '')), 'the retry is logged with its reason');

    runtime.failCreates = 2;
    const twice = engine.create({ scenario: 'demo', seed: 'r2' });
    await engine.settled(twice.id);
    const view = engine.get(twice.id);
    assert.equal(view.status, 'failed');
    assert.match(view.statusDetail ?? '', /the engine is overloaded/);
    assert.deepEqual(await objectsOf(twice.id), [], 'nothing left of either attempt');
  });
});
