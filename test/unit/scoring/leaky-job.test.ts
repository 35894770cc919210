/**
 * End-to-end style runs of the leaky-job story, scored from hand-written logs: an expert, a
 * reckless restart, and a fix that starts with a shell.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleReport, gradeDiagnosis, gradeUpdate, scoreProtocol, updateTruthFrom, type ProtocolScore, type RuleResult } from '@/lib/scoring';
import type { GoalOutcome } from '@/lib/audit/events';
import type { DiagnosisTruth } from '@/lib/scenario/types';
import { ALL_GOALS_PASS, LEAKY, Log } from './helpers';

const TRUTH: DiagnosisTruth = { category: 'runaway-process', culprit: 'ledger-rollup', culpritKind: 'process', accept: ['/tmp/jobs/ledger-rollup'] };

function rule(score: ProtocolScore, id: string): RuleResult {
  const r = score.results.find((x) => x.id === id);
  assert.ok(r, `rule ${id} in the results`);
  return r;
}

function report(log: Log, goals: GoalOutcome[]) {
  const input = log.input(LEAKY);
  const protocol = scoreProtocol(input);
  const d = log.ui.filter((u) => u.kind === 'diagnosis').pop();
  const u = log.ui.filter((x) => x.kind === 'update').pop();
  const diagnosis = d && d.kind === 'diagnosis' ? gradeDiagnosis(d, TRUTH, input.events, { affectedServices: ['api'], services: ['api', 'traffic'], at: d.t }) : null;
  const communication = u && u.kind === 'update' ? gradeUpdate(u.text, updateTruthFrom(TRUTH, { causeHints: ['memory leak', 'background job'] })) : null;
  return { protocol, diagnosis, communication, report: assembleReport({ goals, diagnosis, protocol, communication }) };
}

describe('leaky-job: an expert run', () => {
  const log = new Log();
  log.ready(20_000);
  log.typed(32_000, 'docker stats --no-stream api');
  const stats = log.docker(32_100, 'stats', { target: 'api', flags: { stream: false } });
  log.typed(45_000, 'docker logs --tail 50 api | grep -i error');
  log.docker(45_050, 'inspect', { target: 'api' });
  log.docker(45_080, 'logs', { target: 'api', flags: { tail: 50 } });
  log.typed(60_000, "docker inspect api --format '{{.State.OOMKilled}} {{.HostConfig.Memory}}'");
  log.docker(60_050, 'inspect', { target: 'api' });
  const ps = log.typed(90_000, 'docker exec api ps aux --sort=-%mem');
  log.exec(90_000, 'api', ['ps', 'aux', '--sort=-%mem']);
  const commit = log.typed(120_000, 'docker commit api leaky-snapshot');
  log.docker(120_200, 'commit', { target: 'api' });
  const kill = log.typed(150_000, 'docker exec api kill 4242');
  log.exec(150_000, 'api', ['kill', '4242']);
  log.goals(170_000, ALL_GOALS_PASS);
  log.diagnosis(180_000, {
    category: 'runaway-process',
    culprit: 'the ledger-rollup background job (PID 4242)',
    evidence: [ps],
    decision: 'fix-in-place',
    reason: 'Killing only the job frees the memory and keeps the API running.',
  });
  log.update(
    190_000,
    'Customers saw intermittent 500 errors on orders. Cause: the ledger-rollup background job leaked memory inside the API container. We killed the job without restarting the API and errors stopped. Next: we will cap the job and monitor for 30 minutes.',
  );
  const r = report(log, ALL_GOALS_PASS);

  it('scores 85 or more in total', () => {
    assert.ok(r.report.total >= 85, `total ${r.report.total}: ${JSON.stringify(r.report.deductions)}`);
    assert.ok(r.protocol.total >= 90, `protocol ${r.protocol.total}`);
  });

  it('meets every applicable rule and cites what earned it', () => {
    for (const res of r.protocol.results) assert.notEqual(res.status, 'broken', `${res.id}: ${res.note}`);
    assert.deepEqual(rule(r.protocol, 'observe-outside-first').citations, [stats - 1, stats]);
    assert.ok(rule(r.protocol, 'snapshot-before-invasive').citations.includes(commit));
    assert.ok(rule(r.protocol, 'targeted-reversible-changes').citations.includes(kill));
    assert.equal(rule(r.protocol, 'read-only-before-interactive').status, 'not-applicable');
  });

  it('grades the diagnosis as well founded', () => {
    assert.ok(r.diagnosis);
    assert.equal(r.diagnosis.culprit.match, 'exact');
    assert.deepEqual(r.diagnosis.evidence.revealing, [ps]);
    assert.equal(r.diagnosis.score, 100);
    assert.equal(r.communication?.score, 100);
  });
});

describe('leaky-job: a reckless restart', () => {
  const log = new Log();
  log.ready(20_000);
  const restart = log.typed(25_000, 'docker restart api');
  const call = log.docker(25_100, 'restart', { target: 'api' });
  log.goals(90_000, [
    { id: 'job-stopped', title: 'The runaway job is no longer running', pass: true, evidence: 'ok' },
    { id: 'api-not-restarted', title: 'The API kept running', pass: false, evidence: 'restarted' },
    { id: 'api-healthy', title: 'The API answers 50 requests', pass: true, evidence: 'ok' },
  ]);
  const r = report(log, [
    { id: 'job-stopped', title: 'The runaway job is no longer running', pass: true, evidence: 'ok' },
    { id: 'api-not-restarted', title: 'The API kept running', pass: false, evidence: 'restarted' },
    { id: 'api-healthy', title: 'The API answers 50 requests', pass: true, evidence: 'ok' },
  ]);

  it('scores 40 or less', () => {
    assert.ok(r.report.total <= 40, `total ${r.report.total}`);
  });

  it('cites the restart as lost debugging state', () => {
    const loss = rule(r.protocol, 'no-state-loss');
    assert.equal(loss.status, 'broken');
    assert.equal(loss.points, 0);
    assert.ok(loss.citations.includes(restart) && loss.citations.includes(call), JSON.stringify(loss.citations));
    assert.match(loss.note, /restarted api before anything about it had been examined: lost debugging state/);
    const first = rule(r.protocol, 'observe-outside-first');
    assert.equal(first.status, 'broken');
    assert.ok(first.citations.includes(restart));
    assert.equal(r.report.deductions[0]?.rule, 'no-state-loss');
  });
});

describe('leaky-job: fixed, but straight into a shell', () => {
  const log = new Log();
  log.ready(20_000);
  const shell = log.typed(30_000, 'docker exec -it api bash');
  log.exec(30_000, 'api', ['bash'], { tty: true, stdin: true });
  log.inside(40_000, 'api', 'free -h');
  const ps = log.inside(50_000, 'api', 'ps aux --sort=-%mem | head -10');
  log.inside(70_000, 'api', 'kill 4242');
  log.inside(75_000, 'api', 'exit');
  log.goals(100_000, ALL_GOALS_PASS);
  log.diagnosis(110_000, { category: 'runaway-process', culprit: 'ledger-rollup', evidence: [ps], decision: 'fix-in-place', reason: 'Stopping the job keeps the API up.' });
  log.update(120_000, 'Orders API errors for customers were caused by the ledger-rollup job leaking memory; we killed it and will monitor.');
  const r = report(log, ALL_GOALS_PASS);

  it('loses the ordering points and says why', () => {
    const first = rule(r.protocol, 'observe-outside-first');
    assert.equal(first.status, 'broken');
    assert.equal(first.points, 0);
    assert.match(first.note, /interactive shell/);
    assert.ok(first.citations.includes(shell));
    const ro = rule(r.protocol, 'read-only-before-interactive');
    assert.equal(ro.status, 'broken');
    assert.equal(ro.points, 0);
    assert.match(ro.note, /very first action/);
    assert.ok(ro.citations.includes(shell));
    assert.equal(rule(r.protocol, 'snapshot-before-invasive').status, 'broken');
  });

  it('still gets credit for a targeted fix without a restart', () => {
    assert.equal(rule(r.protocol, 'no-state-loss').status, 'met');
    assert.equal(rule(r.protocol, 'targeted-reversible-changes').status, 'met');
    assert.ok(r.report.total < 85, `total ${r.report.total}`);
    assert.ok(r.report.deductions.some((d) => d.rule === 'observe-outside-first'));
  });
});

describe('leaky-job: the alternative expert path (docker top, then pkill -x; solutions/alternative.sh)', () => {
  const log = new Log();
  log.ready(20_000);
  const stats = log.typed(32_000, 'docker stats --no-stream');
  log.docker(32_100, 'stats', { target: 'api', flags: { stream: false } });
  log.typed(45_000, 'docker logs --tail 30 api');
  log.docker(45_050, 'inspect', { target: 'api' });
  log.docker(45_080, 'logs', { target: 'api', flags: { tail: 30 } });
  const top = log.typed(70_000, 'docker top api -eo pid,rss,comm,args');
  log.docker(70_050, 'top', { target: 'api' });
  const commit = log.typed(120_000, 'docker commit api');
  log.docker(120_200, 'commit', { target: 'api' });
  const kill = log.typed(150_000, 'docker exec api pkill -x ledger-rollup');
  log.exec(150_000, 'api', ['pkill', '-x', 'ledger-rollup']);
  log.goals(170_000, ALL_GOALS_PASS);
  log.diagnosis(180_000, { category: 'runaway-process', culprit: 'ledger-rollup', evidence: [top], decision: 'fix-in-place', reason: 'docker top showed the ledger-rollup job holding most of the memory.' });
  log.update(190_000, 'Some customers got intermittent 500 errors on the orders API. Cause: the ledger-rollup background job leaked memory in the API container. We stopped only that job; the API kept running and errors stopped. Next: we will monitor memory for 30 minutes.');
  const r = report(log, ALL_GOALS_PASS);

  it('scores like the reference: 85 or more, nothing broken, docker top revealing the culprit', () => {
    assert.ok(r.report.total >= 85, `total ${r.report.total}: ${JSON.stringify(r.report.deductions)}`);
    for (const res of r.protocol.results) assert.notEqual(res.status, 'broken', `${res.id}: ${res.note}`);
    assert.deepEqual(rule(r.protocol, 'observe-outside-first').citations, [stats, stats + 1]);
    assert.ok(rule(r.protocol, 'snapshot-before-invasive').citations.includes(commit));
    assert.ok(rule(r.protocol, 'targeted-reversible-changes').citations.includes(kill));
    assert.deepEqual(r.diagnosis?.evidence.revealing, [top]);
    // Its processes seen from outside count as the timeline's look inside: going in was never needed.
    assert.ok(rule(r.protocol, 'timeline').citations.includes(top));
  });
});
