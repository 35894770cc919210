import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateScenario } from '@/lib/scenario/schema';
import { buildSessionReport } from '@/lib/scoring';
import { Log } from './helpers';

function definition(snapshotEvidence: string[]) {
  return validateScenario('scenarios/db-demo/scenario.ts', {
    title: 'Database demo',
    summary: 'A scenario for the report builder tests.',
    difficulty: 'beginner',
    minutes: 10,
    params: () => ({}),
    servedNormally: { successRate: 0.99, p95Ms: 1000 },
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
    goals: [{ id: 'ok', title: 'Fine', check: async () => ({ pass: true, evidence: 'ok' }) }],
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
});
