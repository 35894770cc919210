/**
 * The engine under faults, on a fake runtime and a real SQLite store: a server killed in the
 * middle of a teardown, the Docker engine going away while sessions are live, and a disk that
 * fills up while a session closes. The same faults run for real in `npm run faults` and
 * test/integration/faults.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { loadConfig } from '@/server/config';
import { Catalogue } from '@/server/engine/catalogue';
import { SessionEngine } from '@/server/engine/engine';
import { sweepOnce } from '@/server/runtime/sweeper';
import { Store } from '@/server/store/store';
import { FakeRuntime } from './fake-runtime';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-engine-faults-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const scenarios = path.join(root, 'scenarios');
fs.mkdirSync(path.join(scenarios, 'demo'), { recursive: true });
fs.writeFileSync(
  path.join(scenarios, 'demo', 'scenario.ts'),
  `export default {
    title: 'Demo', summary: 'A scenario for the engine fault tests.', difficulty: 'beginner', minutes: 5,
    params: (rng) => ({ culprit: rng.pick(['a', 'b']) }), networks: { app: {} },
    servedNormally: { successRate: 0.99, p95Ms: 1000 },
    diagnosis: { culpritLabel: 'the culprit', categories: [{ id: 'a', label: 'Cause A' }, { id: 'b', label: 'Cause B' }, { id: 'c', label: 'Cause C' }], truth: (p) => ({ category: 'a', culprit: p.culprit, culpritKind: 'other' }) },
    hints: ['look from outside'],
    services: () => ({ api: { image: 'demo/api:latest', networks: ['app'] } }),
    faults: [{ id: 'break', title: 'breaks the api', inject: async () => {} }],
    goals: [{ id: 'g', title: 'Customers are served', check: async () => ({ pass: true, evidence: 'all good' }) }],
  };`,
);

const now = Date.parse('2026-12-01T10:00:00Z');
const clock = () => now;
let dataDir = '';
let store: Store;
let runtime: FakeRuntime;
let catalogue: Catalogue;

function engineWith(env: Record<string, string> = {}): SessionEngine {
  const config = loadConfig({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: 'unit', SICKBAY_SESSION_TTL: '10m', ...env }, root);
  return new SessionEngine({ store, runtime, catalogue, config: { ...config, scenariosDir: scenarios }, seedSecret: 'secret', clock });
}

beforeEach(async () => {
  catalogue ??= await Catalogue.load(scenarios);
  dataDir = fs.mkdtempSync(path.join(root, 'data-'));
  store = new Store(dataDir);
  runtime = new FakeRuntime(['demo/api:latest']);
});

async function readySession(engine: SessionEngine, seed: string): Promise<string> {
  const s = engine.create({ scenario: 'demo', seed });
  await engine.settled(s.id);
  assert.equal(engine.get(s.id).status, 'ready');
  return s.id;
}

/** SQLite refuses to grow the file past its current size: the disk is "full" from now on. */
function fillDisk(): () => void {
  const pages = store.db.pragma('page_count', { simple: true }) as number;
  store.db.pragma(`max_page_count = ${pages}`);
  return () => void store.db.pragma('max_page_count = 1073741823');
}

describe('engine faults (fake runtime)', () => {
  it('recover() ends a session the server was killed in the middle of tearing down, with its report', async () => {
    const first = engineWith();
    const id = await readySession(first, 'k1');
    store.appendEvent(id, { kind: 'update', text: 'we are on it, next update in 10 minutes' }, now);
    // The kill: status written as ending, nothing after it.
    store.transition(id, 'ending', now, 'ended by the learner');
    const second = engineWith();
    assert.deepEqual(second.recover(), [id]);
    const view = second.get(id);
    assert.equal(view.status, 'ended');
    assert.equal(view.hasReport, true, 'the report is built from what was logged');
    assert.ok(store.listEvents(id).some((e) => e.kind === 'update'), 'every committed event is still there');
  });

  it('interrupts every live session when the engine goes away, refuses starts until it is back, and the sweep then removes what was left', async () => {
    const engine = engineWith();
    const ready = await readySession(engine, 'i1');
    let release!: () => void;
    runtime.startGate = new Promise((r) => (release = r));
    const starting = engine.create({ scenario: 'demo', seed: 'i2' }).id;
    for (let i = 0; i < 100 && store.requireSession(starting).status !== 'provisioning'; i++) await new Promise((r) => setTimeout(r, 5));

    runtime.down = true;
    const closing = engine.interrupt('the Docker engine stopped answering');
    release();
    assert.deepEqual((await closing).sort(), [ready, starting].sort());
    const r = engine.get(ready);
    assert.equal(r.status, 'ended');
    assert.match(r.statusDetail ?? '', /interrupted: the Docker engine stopped answering/);
    assert.equal(r.hasReport, true);
    const s = engine.get(starting);
    assert.equal(s.status, 'failed');
    assert.match(s.statusDetail ?? '', /interrupted while starting/);
    assert.throws(() => engine.create({ scenario: 'demo', seed: 'i3' }), (err: Error & { code?: string }) => err.code === 'engine_unavailable' && /try again once it is back/i.test(err.message));
    assert.equal(engine.busySessions().size, 0, 'nothing in flight');
    assert.deepEqual(engine.admissionStats(), { waiting: 0, provisioning: 0, capacity: engine.admissionStats().capacity });

    runtime.down = false;
    engine.resume();
    assert.ok(runtime.containers.size > 0, 'the interrupted sessions left their containers (the engine was away)');
    await sweepOnce({ runtime, store, instance: 'unit', busy: () => engine.busySessions(), clock });
    assert.equal(runtime.containers.size, 0, 'the sweep removed them once the engine was back');
    assert.equal(runtime.networks.size, 0);
    await readySession(engine, 'i4');
  });

  it('a full disk while a session closes leaves it ending, never ended without its report; the next sweep closes it', async () => {
    const engine = engineWith();
    const id = await readySession(engine, 'd1');
    store.transition(id, 'ending', now, 'ended by the learner');
    const free = fillDisk();
    await engine.expire();
    assert.equal(store.requireSession(id).status, 'ending', 'ended and the report go together, or neither');
    assert.equal(store.requireSession(id).hasReport, false);
    free();
    await engine.expire();
    assert.equal(store.requireSession(id).status, 'ended');
    assert.equal(store.requireSession(id).hasReport, true);
  });

  it('an end refused by a full disk keeps no per-session state, and the session ends with its report once there is room', async () => {
    const engine = engineWith();
    const id = await readySession(engine, 'd3');
    const free = fillDisk();
    const refused = await engine.end(id).then(
      () => null,
      (err: Error & { code?: string }) => err,
    );
    assert.equal(refused?.code, 'storage_full');
    // Refused at the status change (still ready) or later (ending, with nothing in flight).
    assert.ok(['ready', 'ending'].includes(engine.get(id).status), engine.get(id).status);
    assert.deepEqual(engine.inFlight(), { running: 0, cancelled: 0 }, 'no task or cancel flag is left for it');
    free();
    if (engine.get(id).status === 'ready') await engine.end(id);
    else await engine.expire(); // the sweep closes a stuck ending session
    assert.equal(engine.get(id).status, 'ended');
    assert.equal(engine.get(id).hasReport, true);
    assert.deepEqual(engine.inFlight(), { running: 0, cancelled: 0 });
  });

  it('many sessions started, cancelled and ended leave no per-session state behind', async () => {
    const engine = engineWith({ SICKBAY_MAX_PROVISIONING: '2' });
    let release!: () => void;
    runtime.startGate = new Promise((r) => (release = r));
    const ids = Array.from({ length: 12 }, (_, i) => engine.create({ scenario: 'demo', seed: `many-${i}` }).id);
    // End a third while queued or provisioning, let the rest become ready, then end them.
    const early = Promise.all(ids.filter((_, i) => i % 3 === 0).map((id) => engine.end(id)));
    release();
    runtime.startGate = null;
    await early;
    for (const id of ids) await engine.settled(id);
    for (const id of ids.filter((_, i) => i % 3 !== 0)) await engine.end(id);
    assert.ok(ids.every((id) => engine.get(id).status === 'ended'));
    assert.deepEqual(engine.inFlight(), { running: 0, cancelled: 0 });
    assert.deepEqual(engine.admissionStats(), { waiting: 0, provisioning: 0, capacity: 2 });
    assert.equal(runtime.containers.size + runtime.networks.size, 0);
  });

  it('a full disk is a clear storage_full error and the store stays whole', async () => {
    const engine = engineWith();
    const id = await readySession(engine, 'd2');
    const before = store.listEvents(id).length;
    const free = fillDisk();
    // Updates fit in the file's free pages for a while; then the disk is full.
    let accepted = 0;
    let refused: (Error & { code?: string }) | null = null;
    for (let i = 0; i < 1000 && !refused; i++) {
      try {
        engine.submitUpdate(id, `update ${i}: ${'x'.repeat(1900)}`);
        accepted++;
      } catch (err) {
        refused = err as Error & { code?: string };
      }
    }
    assert.equal(refused?.code, 'storage_full');
    assert.match(refused?.message ?? '', /data directory .* is full: nothing was saved/);
    assert.equal(store.listEvents(id).length, before + accepted, 'every accepted event is there, the refused one is not');
    free();
    engine.submitUpdate(id, 'the disk has room again, this one is saved');
    assert.equal(store.listEvents(id).length, before + accepted + 1);
    assert.deepEqual(store.db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
  });
});
