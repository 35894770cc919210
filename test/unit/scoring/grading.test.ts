import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyEvents } from '@/lib/audit/classify';
import { REPORT_WEIGHTS, assembleReport, gradeDiagnosis, gradeUpdate, scoreProtocol, updateTruthFrom } from '@/lib/scoring';
import type { DiagnosisTruth } from '@/lib/scenario/types';
import { ALL_GOALS_PASS, LEAKY, Log } from './helpers';

const TRUTH: DiagnosisTruth = { category: 'runaway-process', culprit: 'ledger-rollup', culpritKind: 'process', accept: ['/tmp/jobs/ledger-rollup'] };
const OPTS = { affectedServices: ['api'], services: ['api', 'traffic'] };

function session() {
  const log = new Log();
  log.ready(1_000);
  const stats = log.typed(5_000, 'docker stats --no-stream api');
  const top = log.typed(6_000, 'docker top api');
  const ps = log.inside(7_000, 'api', 'ps aux --sort=-%mem');
  const other = log.typed(8_000, 'docker top traffic');
  const kill = log.typed(9_000, 'docker exec api kill 4242');
  return { log, events: classifyEvents(log.events), stats, top, ps, other, kill };
}

describe('gradeDiagnosis', () => {
  it('gives full marks for the right category, culprit and revealing evidence', () => {
    const s = session();
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: 'The ledger-rollup job', evidence: [s.top] }, TRUTH, s.events, OPTS);
    assert.equal(g.score, 100);
    assert.equal(g.culprit.match, 'exact');
    assert.deepEqual(g.evidence.revealing, [s.top]);
    assert.equal(g.culprit.guess, false);
  });

  it('accepts the accepted spellings and an exec ps as evidence', () => {
    const s = session();
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: '/tmp/jobs/ledger-rollup', evidence: [s.ps] }, TRUTH, s.events, OPTS);
    assert.equal(g.culprit.match, 'exact');
    assert.deepEqual(g.evidence.revealing, [s.ps]);
  });

  it('scores symptom-only evidence lower and ignores evidence about another service or a change', () => {
    const s = session();
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: 'ledger-rollup', evidence: [s.stats, s.other, s.kill] }, TRUTH, s.events, OPTS);
    assert.deepEqual(g.evidence.supporting, [s.stats]);
    assert.deepEqual(g.evidence.ignored, [s.other, s.kill]);
    assert.equal(g.evidence.points, 12);
    assert.equal(g.score, 30 + 40 + 12);
  });

  it('nudges towards citing when revealing evidence exists but was not cited', () => {
    const s = session();
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: 'ledger-rollup', evidence: [] }, TRUTH, s.events, OPTS);
    assert.equal(g.evidence.points, 10);
    assert.ok(g.reasons.some((r) => /could show the culprit but was not cited/.test(r) && !/\bEvent \d/.test(r)), g.reasons.join(' | '));
  });

  it('treats a right culprit nothing could have shown as a guess', () => {
    const log = new Log();
    const stats = log.typed(5_000, 'docker stats --no-stream api');
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: 'ledger-rollup', evidence: [stats] }, TRUTH, classifyEvents(log.events), OPTS);
    assert.equal(g.culprit.guess, true);
    assert.equal(g.culprit.points, 20);
    assert.ok(g.reasons.some((r) => /guess/.test(r)));
  });

  it('does not count events after the submission', () => {
    const s = session();
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: 'ledger-rollup', evidence: [s.top] }, TRUTH, s.events, { ...OPTS, at: 5_500 });
    assert.deepEqual(g.evidence.ignored, [s.top]);
    assert.equal(g.culprit.guess, true);
  });

  it('gives nothing for a wrong category and culprit, and caps evidence for a wrong answer', () => {
    const s = session();
    const g = gradeDiagnosis({ category: 'limit-too-low', culprit: 'the API itself', evidence: [s.top] }, TRUTH, s.events, OPTS);
    assert.equal(g.category.correct, false);
    assert.equal(g.culprit.match, 'none');
    assert.equal(g.evidence.points, 10);
    assert.equal(g.score, 10);
  });

  it('gives half for a partly named culprit', () => {
    const s = session();
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: 'ledger', evidence: [s.top] }, TRUTH, s.events, OPTS);
    assert.equal(g.culprit.match, 'partial');
    assert.equal(g.culprit.points, 20);
  });

  it('uses the culprit kind to decide what reveals it', () => {
    const log = new Log();
    const act = log.typed(5_000, `docker exec db psql -c "SELECT pid, query FROM pg_stat_activity WHERE state <> 'idle'"`);
    const top = log.typed(6_000, 'docker top db');
    const truth: DiagnosisTruth = { category: 'blocking-query', culprit: 'idle in transaction', culpritKind: 'query' };
    const g = gradeDiagnosis({ category: 'blocking-query', culprit: 'a session idle in transaction', evidence: [act, top] }, truth, classifyEvents(log.events), { affectedServices: ['db'] });
    assert.deepEqual(g.evidence.revealing, [act]);
    assert.deepEqual(g.evidence.ignored, [top]);
  });
});

describe('gradeUpdate', () => {
  const truth = updateTruthFrom(TRUTH, { causeHints: ['memory leak', 'background job'], secrets: ['s3cr3t'] });

  it('finds impact, cause, action and next step', () => {
    const g = gradeUpdate(
      'Customers saw intermittent 500 errors on orders since 14:05. Cause: the ledger-rollup job leaked memory in the API container. We killed it without restarting the API. Next: cap the job; next update in 30 minutes.',
      truth,
    );
    assert.deepEqual([g.impact, g.cause, g.action, g.next, g.score], [true, true, true, true, 100]);
    assert.deepEqual(g.notes, []);
  });

  it('recognises the verbs of in-place fixes (resumed, reconnected, truncated, restored)', () => {
    for (const verb of ['resumed the frozen dependency', 'reconnected the inventory service', 'truncated the held log file', 'restored the firewall rules']) {
      assert.equal(gradeUpdate(`Orders failed for customers. We ${verb}.`, truth).action, true, verb);
    }
  });

  it('names what is missing', () => {
    const g = gradeUpdate('Looking into it.', truth);
    assert.equal(g.score, 0);
    assert.equal(g.notes.length, 4);
    const partial = gradeUpdate('Errors for users were caused by a memory leak in a background job.', truth);
    assert.equal(partial.impact, true);
    assert.equal(partial.cause, true);
    assert.equal(partial.score, 25 + 15);
    assert.ok(partial.notes.some((n) => /not named precisely/.test(n)));
  });

  it('penalises a secret in the update and handles empty text', () => {
    const g = gradeUpdate('Customers see errors; the ledger-rollup job was killed; password s3cr3t rotated next.', truth);
    assert.equal(g.score, 50);
    assert.ok(g.notes.some((n) => /secret/.test(n)));
    assert.equal(gradeUpdate('   ', truth).score, 0);
  });
});

describe('assembleReport', () => {
  it('combines the subscores with the documented weights', () => {
    assert.deepEqual(REPORT_WEIGHTS, { outcome: 30, diagnosis: 20, protocol: 40, communication: 10 });
    const log = new Log();
    log.ready(0);
    log.typed(5_000, 'docker restart api');
    const protocol = scoreProtocol(log.input(LEAKY));
    const r = assembleReport({
      goals: [ALL_GOALS_PASS[0]!, { ...ALL_GOALS_PASS[1]!, pass: false }, ALL_GOALS_PASS[2]!],
      protocol,
      diagnosis: null,
      communication: null,
    });
    assert.equal(r.subscores.outcome.score, 67);
    assert.equal(r.subscores.diagnosis.score, 0);
    assert.equal(r.subscores.protocol.score, protocol.total);
    assert.equal(r.total, Math.round(0.3 * 67 + 0.4 * protocol.total));
    assert.equal(r.ruleSetVersion, protocol.ruleSetVersion);
    assert.equal(r.deductions[0]?.rule, 'no-state-loss');
    assert.ok(r.deductions[0]!.citations.length > 0);
    assert.deepEqual(r.subscores.communication.notes, ['No stakeholder update was sent.']);
  });

  it('scales custom weights to 100 and reports a missing goal check', () => {
    const log = new Log();
    const protocol = scoreProtocol(log.input(LEAKY));
    const r = assembleReport({ protocol, weights: { outcome: 1, diagnosis: 1, protocol: 1, communication: 1 } });
    assert.equal(r.weights.outcome, 25);
    assert.deepEqual(r.subscores.outcome.notes, ['No final goal check ran.']);
  });
});
