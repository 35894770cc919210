/**
 * The engine's history (sessions with report summaries, what progress is computed from) and
 * "try again with a new culprit", on the fake runtime and a real SQLite store. The demo
 * scenario draws one of three culprits from the seed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { summarizeProgress } from '@/lib/progress';
import type { StoredReport } from '@/lib/scoring/session-report';
import { loadConfig } from '@/server/config';
import { Catalogue } from '@/server/engine/catalogue';
import { SessionEngine } from '@/server/engine/engine';
import { Store } from '@/server/store/store';
import { FakeRuntime } from './fake-runtime';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-history-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const scenarios = path.join(root, 'scenarios');
fs.mkdirSync(path.join(scenarios, 'demo'), { recursive: true });
fs.writeFileSync(
  path.join(scenarios, 'demo', 'scenario.ts'),
  `export default {
    title: 'Demo', summary: 'A scenario for the history unit tests.', difficulty: 'beginner', minutes: 5,
    params: (rng) => ({ culprit: rng.pick(['a', 'b', 'c']) }), networks: { app: {} },
    servedNormally: { successRate: 0.99, p95Ms: 1000 },
    diagnosis: { culpritLabel: 'the culprit', categories: [{ id: 'x', label: 'Cause X' }, { id: 'y', label: 'Cause Y' }, { id: 'z', label: 'Cause Z' }],
      truth: (p) => ({ category: 'x', culprit: p.culprit, culpritKind: 'other' }) },
    services: () => ({ api: { image: 'demo/api:latest', networks: ['app'] } }),
    goals: [{ id: 'g', title: 'Customers are served', check: async () => ({ pass: true, evidence: 'all good' }) },
            { id: 'h', title: 'Nothing restarted', check: async () => ({ pass: false, evidence: 'not yet' }) }],
  };`,
);

let now = Date.parse('2026-12-01T10:00:00Z');
const clock = () => now;
let store: Store;
let runtime: FakeRuntime;
let catalogue: Catalogue;

function engineWith(env: Record<string, string> = {}): SessionEngine {
  const dataDir = fs.mkdtempSync(path.join(root, 'data-'));
  store = new Store(dataDir);
  const config = loadConfig({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: 'unit', ...env }, root);
  return new SessionEngine({ store, runtime, catalogue, config: { ...config, scenariosDir: scenarios }, seedSecret: 'secret', clock });
}

beforeEach(async () => {
  catalogue ??= await Catalogue.load(scenarios);
  runtime = new FakeRuntime(['demo/api:latest']);
});

/** Starts, waits for ready, ends; returns the report's culprit. */
async function drill(engine: SessionEngine, input: { newCulprit?: boolean; seed?: string }): Promise<{ id: string; culprit: string }> {
  const s = engine.create({ scenario: 'demo', ...input });
  await engine.settled(s.id);
  now += 60_000;
  await engine.end(s.id);
  return { id: s.id, culprit: (engine.report(s.id) as StoredReport).truth.culprit };
}

describe('history and a new culprit', () => {
  it('history lists the sessions newest first with a summary of each report', async () => {
    const engine = engineWith();
    const first = await drill(engine, { seed: 'one' });
    now += 1_000;
    const live = engine.create({ scenario: 'demo', seed: 'two' });
    await engine.settled(live.id);
    const history = engine.history();
    assert.deepEqual(history.map((h) => h.id), [live.id, first.id]);
    assert.equal(history[0]?.report, null);
    assert.equal(history[0]?.status, 'ready');
    const report = engine.report(first.id) as StoredReport;
    const summary = history[1]?.report;
    assert.ok(summary);
    assert.equal(summary.total, report.total);
    assert.deepEqual(summary.goals, { passed: 1, total: 2 });
    assert.deepEqual(
      summary.rules,
      report.protocol.results.map((r) => ({ id: r.id, title: r.title, status: r.status, points: r.points, weight: r.weight })),
    );
    assert.doesNotMatch(JSON.stringify(history), /culprit|"params"|"token"/, 'no per-run truth or terminal token');
    const p = summarizeProgress(history);
    assert.equal(p.scenarios.demo?.attempts, 2);
    assert.equal(p.scenarios.demo?.live?.sessionId, live.id);
    assert.equal(p.scenarios.demo?.completed, false, 'one goal failed');
  });

  it('each new-culprit start meets a culprit not met before, then one other than the last', async () => {
    const engine = engineWith();
    const culprits: string[] = [];
    for (let i = 0; i < 3; i++) culprits.push((await drill(engine, { newCulprit: true })).culprit);
    assert.deepEqual([...culprits].sort(), ['a', 'b', 'c'], 'three starts, three different culprits');
    for (let i = 0; i < 4; i++) {
      const next = (await drill(engine, { newCulprit: true })).culprit;
      assert.notEqual(next, culprits[culprits.length - 1], 'never the same culprit twice in a row');
      culprits.push(next);
    }
  });

  it('takes a pooled session only when its culprit is new, and refuses a seed with newCulprit', async () => {
    const engine = engineWith({ SICKBAY_POOL: 'demo:1' });
    await engine.refillPool();
    const pooled = store.listSessions({ includePooled: true }).find((s) => s.pooled)!;
    const pooledCulprit = (pooled.params as { culprit: string }).culprit;
    // A first attempt has met nothing: the pooled session is new, and handed over ready.
    const claimed = engine.create({ scenario: 'demo', newCulprit: true });
    assert.equal(claimed.id, pooled.id);
    assert.equal(claimed.status, 'ready');
    now += 60_000;
    await engine.end(claimed.id);
    await engine.refillPool();
    // The pool now holds some culprit; the learner has met pooledCulprit.
    const again = store.listSessions({ includePooled: true }).find((s) => s.pooled && s.status === 'ready')!;
    const next = engine.create({ scenario: 'demo', newCulprit: true });
    await engine.settled(next.id);
    const nextCulprit = (store.requireSession(next.id).params as { culprit: string }).culprit;
    assert.notEqual(nextCulprit, pooledCulprit);
    assert.equal(next.id === again.id, (again.params as { culprit: string }).culprit !== pooledCulprit, 'the pooled one is taken exactly when its culprit is new');
    assert.throws(() => engine.create({ scenario: 'demo', seed: 'x', newCulprit: true }), { code: 'bad_request' } as object);
    await engine.drainPool();
  });
});
