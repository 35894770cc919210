import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '@/lib/scenario/rng';
import { CHECKPOINTER_GAP_S, SCANS_TO_SEE, judgeServerRun, lookupsHurt } from '@/scenarios/pg-blocked-missing-index/db';
import scenario, { BLOCKER_KINDS, DATASETS, type DatasetName, drawParams } from '@/scenarios/pg-blocked-missing-index/scenario';

describe('pg-blocked-missing-index params', () => {
  it('take the row count from the data set the image holds, never a per-seed size', () => {
    const seen = new Set<DatasetName>();
    for (let i = 0; i < 200; i++) {
      const p = drawParams(createRng(`seed-${i}`));
      assert.deepEqual(p, drawParams(createRng(`seed-${i}`)), 'deterministic per seed');
      seen.add(p.dataset);
      const ds = DATASETS[p.dataset];
      assert.equal(p.rows, ds.rows);
      assert.equal(p.sideRows, ds.side.rows);
      assert.ok(p.rows >= 2_200_000 && p.rows <= 2_800_000, `${p.rows}`);
      assert.ok(p.truth.includes(p.rows.toLocaleString('en-US')), 'the report states the real row count');
      assert.match(p.appPassword, /^[0-9a-f]{16}$/);
      assert.notEqual(p.appPassword, p.reportPassword);
    }
    assert.equal(seen.size, Object.keys(DATASETS).length, 'every data set comes up');
  });

  it('vary the blocking pattern across seeds', () => {
    const kinds = new Set(Array.from({ length: 100 }, (_, i) => drawParams(createRng(`k-${i}`)).blocker.kind));
    assert.deepEqual([...kinds].sort(), [...BLOCKER_KINDS].sort());
  });

  it('keep no lab bookkeeping inside Postgres: the db service gets only the data set and passwords', () => {
    const p = drawParams(createRng('env'));
    const services = scenario.services(p) as Record<string, { env?: Record<string, string> }>;
    assert.deepEqual(Object.keys(services.db?.env ?? {}).sort(), ['APP_PASSWORD', 'DATASET', 'REPORT_PASSWORD']);
    assert.equal(scenario.cost.startWeight, 1, 'a start does no bulk loading');
  });
});

describe('pg-blocked-missing-index: "Postgres kept running" from the server\'s own start times', () => {
  const start = '2026-12-06 04:00:00.1+00';
  it('passes when the checkpointer started with the postmaster', () => {
    const r = judgeServerRun({ postmasterStart: start, checkpointerStart: '2026-12-06 04:00:00.2+00', gapS: 0.1 });
    assert.equal(r.pass, true);
    assert.match(r.evidence, /since 2026-12-06 04:00:00\.1/);
  });

  it('fails after crash recovery: a checkpointer younger than the postmaster by more than the gap', () => {
    const r = judgeServerRun({ postmasterStart: start, checkpointerStart: '2026-12-06 04:05:00+00', gapS: 300 });
    assert.equal(r.pass, false);
    assert.match(r.evidence, /crash recovery at 2026-12-06 04:05:00/);
    assert.equal(judgeServerRun({ postmasterStart: start, checkpointerStart: 'x', gapS: CHECKPOINTER_GAP_S + 0.5 }).pass, false);
    assert.equal(judgeServerRun({ postmasterStart: start, checkpointerStart: 'x', gapS: CHECKPOINTER_GAP_S }).pass, true);
  });

  it('fails, saying why, while there is no checkpointer (starting or recovering)', () => {
    const r = judgeServerRun({ postmasterStart: start, checkpointerStart: null, gapS: null });
    assert.equal(r.pass, false);
    assert.match(r.evidence, /no checkpointer/);
  });
});

describe('pg-blocked-missing-index: the missing index has taken effect', () => {
  const before = { seqScans: 4, active: 0, longestMs: 0 };
  it('once customers have scanned the whole table ten times since the fault and a lookup is slower than the goal', () => {
    assert.equal(lookupsHurt(before, { seqScans: 4 + SCANS_TO_SEE, active: 3, longestMs: 400 }, 250), true);
  });
  it('not while the lookups are not full scans, or all fast, however many run at once', () => {
    assert.equal(lookupsHurt(before, { seqScans: 4 + SCANS_TO_SEE - 1, active: 40, longestMs: 6000 }, 250), false, 'scans counted since the fault only');
    assert.equal(lookupsHurt(before, { seqScans: 400, active: 40, longestMs: 250 }, 250), false, 'every lookup within the goal');
  });
});
