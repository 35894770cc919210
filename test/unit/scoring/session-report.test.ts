import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateScenario } from '@/lib/scenario/schema';
import { buildSessionReport } from '@/lib/scoring';
import { FILE, valid } from '../lib/scenario-fixture';
import { Log } from './helpers';

function definition(snapshotEvidence: string[], goals = [{ id: 'ok', title: 'Fine', check: async () => ({ pass: true, evidence: 'ok' }) }] as unknown[]) {
  return validateScenario(FILE, valid({
    params: () => ({}),
    diagnosis: {
      culpritLabel: 'the blocking session',
      categories: [
        { id: 'blocked', label: 'A session blocks the others' },
        { id: 'slow-disk', label: 'The disk is slow' },
        { id: 'cpu', label: 'The CPU is saturated' },
      ],
      truth: () => ({ category: 'blocked', culprit: '4242', culpritKind: 'query' }),
    },
    protocol: { affectedServices: ['db'], snapshotExpected: true, snapshotEvidence },
    services: () => ({ db: { image: 'sickbay/service:latest', networks: ['app'] } }),
    goals,
  }));
}

describe('buildSessionReport', () => {
  it('hands the whole protocol block to the rules (snapshotEvidence decides the snapshot rule)', () => {
    const log = new Log();
    log.ready(0);
    log.typed(5_000, 'docker exec db psql -U postgres -c "SELECT * FROM pg_stat_activity" > activity.txt');
    log.typed(9_000, 'docker exec db psql -U postgres -c "SELECT pg_terminate_backend(4242)"');
    const snapshotRule = (evidence: string[]) =>
      buildSessionReport({ sessionId: 's1', scenario: 'db-demo', definition: definition(evidence), params: {}, events: log.events, readyAt: 0, endedAt: 60_000 })
        .protocol.results.find((r) => r.id === 'snapshot-before-invasive');
    assert.equal(snapshotRule(['db-activity'])?.status, 'met');
    assert.equal(snapshotRule([])?.status, 'broken', 'without it, saved output is half a snapshot');
  });

  it('puts the incident clock in the report when the session has customer buckets, and scores it', () => {
    const log = new Log();
    log.ready(0);
    log.typed(5_000, 'docker logs db');
    const restart = log.typed(19_500, 'docker restart db');
    const bucket = (t: number, ok: number) => ({ t, requests: 4, ok, errors: (ok < 4 ? { refused: 4 - ok } : {}) as Record<string, number>, p50Ms: ok ? 20 : null, p95Ms: ok ? 40 : null });
    const buckets = Array.from({ length: 70 }, (_, i) => bucket(i * 1000, i < 20 ? 2 : i < 25 ? 0 : 4));
    const src = { sessionId: 's1', scenario: 'db-demo', definition: definition([]), params: {}, events: log.events, readyAt: 0, endedAt: 70_000 };
    const report = buildSessionReport({ ...src, buckets });
    assert.equal(report.impact?.timeToMitigateMs, 25_000);
    assert.deepEqual(report.impact?.learner.outages.map((o) => [o.start, o.end, o.actionId]), [[20_000, 25_000, restart]]);
    const rule = report.protocol.results.find((r) => r.id === 'customer-impact');
    assert.equal(rule?.status, 'broken');
    assert.deepEqual(rule?.citations, [restart]);
    const without = buildSessionReport(src);
    assert.equal(without.impact, null);
    assert.equal(without.protocol.results.find((r) => r.id === 'customer-impact')?.status, 'not-applicable');
  });

  it('goals that only check nothing else was broken add nothing to an untouched system (issue 17, 3)', () => {
    const check = (pass: boolean) => async () => ({ pass, evidence: '' });
    const goals = [
      { id: 'unblocked', title: 'Nobody waits on a lock', check: check(false) },
      { id: 'db-not-restarted', title: 'Postgres kept running', guard: true, check: check(true) },
      { id: 'data-intact', title: 'No data lost', guard: true, check: check(true) },
    ];
    const results = [
      { id: 'unblocked', title: 'Nobody waits on a lock', pass: false, evidence: '' },
      { id: 'db-not-restarted', title: 'Postgres kept running', pass: true, evidence: '' },
      { id: 'data-intact', title: 'No data lost', pass: true, evidence: '' },
    ];
    const report = (log: Log) => buildSessionReport({ sessionId: 's1', scenario: 'db-demo', definition: definition([], goals), params: {}, events: log.events, readyAt: 0, endedAt: 60_000 });
    const idle = new Log();
    idle.ready(0);
    idle.typed(5_000, 'docker logs --tail 20 db');
    idle.goals(50_000, results);
    const untouched = report(idle).subscores.outcome;
    assert.equal(untouched.score, 0);
    assert.match(untouched.notes.join('\n'), /no credit: Postgres kept running/);
    const acted = new Log();
    acted.ready(0);
    acted.typed(5_000, 'docker logs --tail 20 db');
    acted.typed(9_000, 'docker exec db psql -U postgres -c "SELECT pg_terminate_backend(4242)"');
    acted.goals(50_000, results);
    assert.equal(report(acted).subscores.outcome.score, 67);
  });
});
