/**
 * Issue 17 (restart first, then fix): the fairness corpus found `docker restart $(docker ps -q)`
 * then the leaky-job reference at 42, because the restart also removed the leaking job and 2 of
 * 3 goals passed. A goal the scenario says a restart meets by itself (`restartMeets`), met only
 * after the learner's restart, earns nothing (restart first) or half (a change came first),
 * judged from what happened.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerFacts, GoalOutcome } from '@/lib/audit/events';
import { buildSessionReport } from '@/lib/scoring';
import { ruleContext } from '@/lib/scoring/protocol';
import { firstStateLoss, goalsAfterLoss } from '@/lib/scoring/restart-credit';
import { createRng } from '@/lib/scenario/rng';
import leakyJob from '@/scenarios/leaky-job/scenario';
import { changeThenRestart, LEAKY, Log } from './helpers';

const EPOCH = 1_700_000_000_000;
const iso = (t: number) => new Date(EPOCH + t).toISOString();
const BASE: ContainerFacts = { id: 'c1', running: true, pid: 4100, startedAt: iso(-20_000), finishedAt: '0001-01-01T00:00:00Z', oomKilled: false, exitCode: 0 };

const RESULTS: GoalOutcome[] = [
  { id: 'job-stopped', title: 'The runaway job is no longer running', pass: true, evidence: '' },
  { id: 'api-not-restarted', title: 'The API kept running', pass: false, evidence: '' },
  { id: 'api-healthy', title: 'The API answers 50 requests', pass: true, evidence: '' },
];
const RESTART_MEETS = new Map([
  ['job-stopped', ['api']],
  ['api-healthy', ['api']],
]);

function lossOf(log: Log, exp = LEAKY) {
  const ctx = ruleContext(log.input(exp));
  return { ctx, loss: firstStateLoss(ctx) };
}

/** The corpus's restart-first run on leaky-job: every container restarted, then the reference typed. */
function restartFirst(): Log {
  const log = new Log();
  log.ready(0);
  log.typed(5_000, 'docker restart $(docker ps -q)');
  log.docker(5_100, 'ps', {});
  log.docker(5_300, 'restart', { target: 'api' });
  log.typed(20_000, "docker ps --format 'table {{.Names}}\\t{{.Status}}'");
  log.docker(20_050, 'ps', {});
  log.typed(25_000, 'docker stats --no-stream');
  log.docker(25_050, 'stats', { target: 'api', flags: { stream: false } });
  log.typed(30_000, 'docker logs --tail 30 api');
  log.docker(30_050, 'logs', { target: 'api', flags: { tail: 30 } });
  log.typed(40_000, 'docker exec api ps aux --sort=-%mem');
  log.exec(40_000, 'api', ['ps', 'aux', '--sort=-%mem']);
  log.typed(50_000, 'docker commit api');
  log.docker(50_100, 'commit', { target: 'api' });
  // The job died with the restart: the reference ends whatever process is now the biggest.
  log.typed(60_000, 'docker exec api kill 77');
  log.exec(60_000, 'api', ['kill', '77']);
  log.record(200_000, 'api', BASE, { ...BASE, pid: 5200, startedAt: iso(5_900), finishedAt: iso(5_500), exitCode: 143 });
  log.goals(200_000, RESULTS);
  return log;
}

describe('goals met after an evidence-losing restart (issue 17, restart first then fix)', () => {
  it('finds the restart of every container as the first loss; the goals a restart meets earn nothing', () => {
    const { ctx, loss } = lossOf(restartFirst());
    assert.ok(loss);
    assert.equal(loss.t, 5_000);
    assert.equal(loss.changedBefore, null);
    assert.match(loss.what, /docker restart \$\(docker ps -q\)/);
    const credit = goalsAfterLoss(ctx, RESULTS, restartFirst().events, RESTART_MEETS);
    assert.deepEqual([...credit.keys()], ['job-stopped', 'api-healthy']);
    assert.deepEqual([...credit.values()].map((c) => c.share), [0, 0]);
    assert.match(credit.get('job-stopped')?.note ?? '', /no credit: .*met only after "docker restart \$\(docker ps -q\)" at 0:05, which meets it by itself/);
    assert.equal(goalsAfterLoss(ctx, RESULTS, restartFirst().events, new Map()).size, 0, 'a goal a restart cannot meet keeps its credit');
  });

  it('a change before the restart: half credit, either could have done it', () => {
    const log = changeThenRestart('api', RESULTS);
    const { ctx, loss } = lossOf(log);
    assert.match(loss?.changedBefore ?? '', /kill 4242/);
    const credit = goalsAfterLoss(ctx, RESULTS, log.events, RESTART_MEETS);
    assert.deepEqual([...credit.values()].map((c) => c.share), [0.5, 0.5]);
    assert.match(credit.get('api-healthy')?.note ?? '', /^half credit: /);
  });

  it('leaky-job: restart first then the reference stays at 40 or below (the corpus found 42)', () => {
    const params = leakyJob.params(createRng('fair3-restart-first'));
    const truth = leakyJob.diagnosis.truth(params);
    const log = restartFirst();
    const events = [
      ...log.events,
      // The reference's answer, as the restart left it: the biggest process found was not the job.
      { kind: 'diagnosis' as const, category: truth.category, culprit: '', evidence: [], decision: 'fix-in-place' as const, reason: 'Only that job was leaking: ending that one process freed the memory.', id: 900, t: 150_000, at: EPOCH + 150_000, sessionId: 's1' },
      { kind: 'update' as const, text: 'Some customers got intermittent 500 errors on the orders API. Cause: the background job in the API container leaked memory until requests failed. We stopped only that job; the API kept running and errors stopped. Next: we will monitor memory for 30 minutes.', id: 901, t: 160_000, at: EPOCH + 160_000, sessionId: 's1' },
    ];
    // The customers: failing at peak before, nothing served while the API restarts, fine after.
    const buckets = Array.from({ length: 200 }, (_, i) => {
      const ok = i < 5 ? (i % 2 ? 3 : 4) : i < 12 ? 0 : 4;
      return { t: i * 1000, requests: 4, ok, errors: (ok < 4 ? { [i < 5 ? '5xx' : 'refused']: 4 - ok } : {}) as Record<string, number>, p50Ms: ok ? 20 : null, p95Ms: ok ? 40 : null };
    });
    const report = buildSessionReport({ sessionId: 's1', scenario: 'leaky-job', definition: leakyJob as never, params, events, readyAt: 0, endedAt: 200_000, buckets });
    assert.equal(report.subscores.outcome.score, 0);
    assert.match(report.subscores.outcome.notes.join('\n'), /no credit: The runaway job is no longer running/);
    assert.ok(report.total <= 40, `total ${report.total}: ${JSON.stringify(report.subscores)}`);
    assert.equal(report.ruleSetVersion, 'protocol/9');
  });

  it('keeps full credit for a goal a check already showed met before the restart', () => {
    const log = new Log();
    log.ready(0);
    log.typed(5_000, 'docker exec api kill 4242');
    log.exec(5_000, 'api', ['kill', '4242']);
    log.goals(10_000, RESULTS.map((g) => ({ ...g, pass: g.id !== 'api-healthy' })), false);
    log.typed(20_000, 'docker restart api');
    log.docker(20_100, 'restart', { target: 'api' });
    log.goals(60_000, RESULTS);
    const { ctx } = lossOf(log);
    assert.deepEqual([...goalsAfterLoss(ctx, RESULTS, log.events, RESTART_MEETS).keys()], ['api-healthy']);
  });

  it("judges from what happened: Docker's record without a restart command, not a refused restart, not an OOM kill", () => {
    const pkill = new Log();
    pkill.ready(0);
    pkill.typed(10_000, 'docker exec api pkill -f python');
    pkill.exec(10_000, 'api', ['pkill', '-f', 'python']);
    pkill.typed(30_000, 'docker start api');
    pkill.docker(30_050, 'start', { target: 'api' });
    pkill.record(60_000, 'api', BASE, { ...BASE, pid: 5200, startedAt: iso(30_100), finishedAt: iso(10_500), exitCode: 143 });
    const recorded = lossOf(pkill).loss;
    assert.equal(recorded?.t, 10_500);
    assert.match(recorded?.what ?? '', /api lost its running state \(Docker's record shows api's main process ended at 0:10/);

    const refused = new Log();
    refused.ready(0);
    refused.typed(10_000, 'docker restart api');
    refused.docker(10_050, 'restart', { target: 'api', allowed: false, status: 403 });
    assert.equal(lossOf(refused).loss, null);

    const oom = new Log();
    oom.ready(0);
    oom.typed(5_000, 'docker logs --tail 20 api');
    oom.record(60_000, 'api', BASE, { ...BASE, running: false, pid: 0, oomKilled: true, finishedAt: iso(40_000), exitCode: 137 });
    assert.equal(lossOf(oom).loss, null);
  });

  it('leaves the goals alone where the scenario accepts a restart, or the restart hit another service', () => {
    assert.equal(lossOf(restartFirst(), { ...LEAKY, restartAllowed: true }).loss, null);
    const other = new Log();
    other.ready(0);
    other.typed(5_000, 'docker restart traffic');
    other.docker(5_100, 'restart', { target: 'traffic' });
    const { ctx, loss } = lossOf(other);
    assert.equal(loss, null);
    assert.equal(goalsAfterLoss(ctx, RESULTS, other.events, RESTART_MEETS).size, 0);
  });
});
