import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateScenario } from '@/lib/scenario/schema';
import { buildSessionReport } from '@/lib/scoring';
import { Log } from './helpers';

function definition(snapshotEvidence: string[], goals = [{ id: 'ok', title: 'Fine', check: async () => ({ pass: true, evidence: 'ok' }) }] as unknown[]) {
  return validateScenario('scenarios/db-demo/scenario.ts', {
    title: 'Database demo',
    summary: 'A scenario for the report builder tests.',
    difficulty: 'beginner',
    minutes: 10,
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
    networks: { app: {} },
    services: () => ({ db: { image: 'sickbay/service:latest', networks: ['app'] } }),
    goals,
  });
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
