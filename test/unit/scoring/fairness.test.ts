/** Regression tests for issue 17: grading holes found by play-testing (hand-written logs). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyEvents } from '@/lib/audit/classify';
import { buildActions, gradeDiagnosis, gradeUpdate, scoreProtocol } from '@/lib/scoring';
import { ruleContext } from '@/lib/scoring/protocol';
import type { DiagnosisTruth } from '@/lib/scenario/types';
import { LEAKY, Log } from './helpers';

const TRUTH: DiagnosisTruth = { category: 'runaway-process', culprit: 'ledger-rollup', culpritKind: 'process' };
const OPTS = { affectedServices: ['api'], services: ['api', 'traffic'] };
const rule = (log: Log, id: string, exp = LEAKY) => scoreProtocol(log.input(exp)).results.find((r) => r.id === id)!;

/** A debug sidecar as the proxy logs it: its own name as the target, the joined container in pid/net. */
function sidecarRun(log: Log, t: number, command: string[] | undefined, flags: Record<string, string | boolean> = {}): number {
  return log.docker(t, 'run', { target: 'debug-ab12cd', targetId: 'f00d', command, flags: { pid: 'api', net: 'api', image: 'nicolaka/netshoot', ...flags } });
}

describe('debug sidecars count for the container they joined (issue 17, 1)', () => {
  it("a proxied sidecar run is evidence gathered on the joined container", () => {
    const log = new Log();
    log.ready(0);
    const run = sidecarRun(log, 5_000, ['ps', 'aux']);
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: 'ledger-rollup', evidence: [run] }, TRUTH, classifyEvents(log.events), OPTS);
    assert.deepEqual(g.evidence.revealing, [run]);
    assert.equal(g.culprit.guess, false);
    const actions = buildActions(classifyEvents(log.events), { services: OPTS.services });
    assert.deepEqual(actions[0]?.targets, ['api']);
  });

  it('lines typed in an interactive sidecar act on the joined container', () => {
    const log = new Log();
    log.ready(0);
    log.typed(2_000, 'docker logs --tail 50 api');
    log.typed(3_000, 'docker commit api snap');
    sidecarRun(log, 4_000, undefined, { tty: true, interactive: true });
    log.docker(4_100, 'start', { target: 'debug-ab12cd', targetId: 'f00d' });
    log.docker(4_200, 'attach', { target: 'debug-ab12cd', targetId: 'f00d', flags: { stream: true } });
    const ps = log.inside(6_000, 'debug-ab12cd', 'ps aux');
    const kill = log.inside(8_000, 'debug-ab12cd', 'kill 4242');
    const classified = classifyEvents(log.events);
    assert.equal(classified.find((c) => c.event.id === kill)?.actsOn, 'api');
    const actions = buildActions(classified, { services: OPTS.services });
    assert.deepEqual(actions.find((a) => a.ids.includes(kill))?.targets, ['api']);
    // The kill is a change in api, after a commit of api: the snapshot rule is met.
    assert.equal(rule(log, 'snapshot-before-invasive').status, 'met');
    // The sidecar's own start/attach are not a shell opened in the lab.
    assert.equal(rule(log, 'read-only-before-interactive').status, 'not-applicable');
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: 'ledger-rollup', evidence: [ps] }, TRUTH, classified, OPTS);
    assert.deepEqual(g.evidence.revealing, [ps]);
  });
});

describe('process-state evidence is a snapshot where the scenario declares it (issue 17, 2)', () => {
  const PROC = { ...LEAKY, snapshotEvidence: ['process-state' as const] };

  it('saved /proc/<pid>/..., /proc/locks, fd lists and thread dumps are whole snapshots', () => {
    for (const save of ['docker exec api cat /proc/42/limits > limits.txt', 'docker exec api ls -l /proc/42/fd > fds.txt', 'docker exec api cat /proc/locks > locks.txt', 'docker exec api jstack 1 > threads.txt']) {
      const log = new Log();
      log.ready(0);
      log.typed(2_000, 'docker logs --tail 50 api');
      log.typed(3_000, save);
      log.typed(5_000, 'docker exec api kill 42');
      assert.equal(rule(log, 'snapshot-before-invasive', PROC).status, 'met', save);
    }
  });

  it('does not recommend a docker commit where the evidence is process state', () => {
    const log = new Log();
    log.ready(0);
    log.typed(2_000, 'docker logs api > api.log');
    log.typed(5_000, 'docker exec api kill 42');
    const r = rule(log, 'snapshot-before-invasive', PROC);
    assert.equal(r.status, 'broken');
    assert.match(r.note, /docker commit` keeps none/);
    assert.match(r.note, /\/proc\/<pid>\/fd/);
  });

  it('an fd list saved through a sidecar covers a change typed later in an interactive sidecar', () => {
    const log = new Log();
    log.ready(0);
    log.typed(2_000, 'docker logs --tail 50 api');
    log.typed(3_000, 'docker run --rm --pid container:api --user 65532 sickbay/service:latest ls -l /proc/1/fd > fds.txt');
    sidecarRun(log, 6_000, undefined, { tty: true, interactive: true });
    log.inside(8_000, 'debug-ab12cd', 'kill 77');
    assert.equal(rule(log, 'snapshot-before-invasive', PROC).status, 'met');
  });
});

describe('a diagnostic signal the scenario declares safe is an observation (issue 17, 2)', () => {
  const HANGING = { ...LEAKY, stressed: false, snapshotEvidence: ['network' as const, 'processes' as const, 'process-state' as const], safeSignals: { api: ['USR1'] } };

  it('kill -USR1 to the declaring service is read-only; to another service it stays a change', () => {
    const log = new Log();
    log.ready(0);
    log.typed(2_000, 'docker logs --tail 50 api');
    const dump = log.typed(4_000, 'docker exec api kill -USR1 1');
    const killed = log.typed(6_000, 'docker kill -s USR1 api');
    const ctx = ruleContext(log.input(HANGING));
    assert.equal(ctx.actions.find((a) => a.ids.includes(dump))?.tier, 'read-only');
    assert.equal(ctx.actions.find((a) => a.ids.includes(killed))?.tier, 'read-only');
    assert.equal(rule(log, 'snapshot-before-invasive', HANGING).status, 'not-applicable');
    assert.equal(rule(log, 'targeted-reversible-changes', HANGING).status, 'not-applicable');
    const other = log.typed(8_000, 'docker exec traffic kill -USR1 1');
    const again = ruleContext(log.input(HANGING));
    assert.equal(again.actions.find((a) => a.ids.includes(other))?.tier, 'change');
    // Without the declaration it is a change, as before.
    assert.equal(ruleContext(log.input({ ...HANGING, safeSignals: {} })).actions.find((a) => a.ids.includes(dump))?.tier, 'change');
  });
});

describe('inaction earns nothing (issue 17, 3)', () => {
  function lookOnly(): Log {
    const log = new Log();
    log.ready(0);
    log.typed(5_000, 'docker stats --no-stream api');
    log.typed(8_000, 'docker logs --tail 50 api');
    log.typed(12_000, 'docker top api');
    log.diagnosis(60_000, { category: 'runaway-process', culprit: 'ledger-rollup', evidence: [], decision: 'fix-in-place', reason: 'keep the api and its memory running' });
    return log;
  }

  it('no-state-loss needs a change: looking without fixing keeps the state for free', () => {
    const log = lookOnly();
    assert.equal(rule(log, 'no-state-loss').status, 'not-applicable');
    log.typed(70_000, 'docker exec api kill 4242');
    assert.equal(rule(log, 'no-state-loss').status, 'met');
  });

  it('a decision is consistent with what was done only when something was done', () => {
    const log = lookOnly();
    const r = rule(log, 'decision-recorded');
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 3.8);
    assert.match(r.note, /nothing in the lab was changed/);
    log.typed(70_000, 'docker exec api kill 4242');
    assert.equal(rule(log, 'decision-recorded').status, 'met');
  });

  it('a culprit naming every candidate earns no culprit credit; a hedge at most half', () => {
    const truth: DiagnosisTruth = { category: 'firewall-rule', culprit: 'inventory', culpritKind: 'network', candidates: ['accounts', 'inventory', 'pricing'] };
    const log = new Log();
    log.ready(0);
    const look = log.inside(5_000, 'api', 'iptables -S');
    const events = classifyEvents(log.events);
    const grade = (culprit: string) => gradeDiagnosis({ category: 'firewall-rule', culprit, evidence: [look] }, truth, events, { affectedServices: ['api'], services: ['api', 'accounts', 'inventory', 'pricing'] });
    assert.equal(grade('inventory').culprit.points, 40);
    const all = grade('one of accounts, inventory or pricing');
    assert.equal(all.culprit.points, 0);
    assert.equal(all.culprit.hedge, 'all');
    assert.equal(grade('inventory or pricing').culprit.points, 20);
    // Naming another candidate to explain is not a hedge.
    assert.equal(grade('inventory (accounts answers fine)').culprit.points, 40);
  });
});

describe('psql \\copy is read by its direction at the top level (issue 17, 11)', () => {
  const PG = { ...LEAKY, affectedServices: ['db'], snapshotEvidence: ['db-activity' as const, 'db-locks' as const] };

  it('\\copy (select … from pg_stat_activity) to a file saves evidence; \\copy t from a file loads rows', () => {
    const log = new Log();
    log.ready(0);
    log.typed(2_000, 'docker logs --tail 20 db');
    const save = log.typed(4_000, `docker exec db psql -U postgres -c "\\copy (select pid, state, query from pg_stat_activity) to '/tmp/a.csv' csv"`);
    log.typed(6_000, 'docker exec db psql -U postgres -c "SELECT pg_terminate_backend(4242)"');
    const classified = classifyEvents(log.events);
    const c = classified.find((x) => x.event.id === save)?.classification;
    assert.equal(c?.tier, 'snapshot');
    assert.deepEqual(c?.observes, ['db-activity']);
    assert.equal(rule(log, 'snapshot-before-invasive', PG).status, 'met');
    const load = new Log();
    const id = load.typed(1_000, `docker exec db psql -U postgres -c "\\copy orders from '/tmp/o.csv' csv"`);
    assert.equal(classifyEvents(load.events).find((x) => x.event.id === id)?.classification?.tier, 'change');
  });
});

describe('the update grader hears actions, not adjectives (issue 17, 11)', () => {
  const truth = { culprit: ['worker'] };
  it('counts changed/switched/edited/updated/set as an action, and not "OOM-killed" in the impact', () => {
    for (const verb of ['changed', 'switched', 'edited', 'updated']) {
      assert.equal(gradeUpdate(`Customers saw errors. We ${verb} the worker limit.`, truth).action, true, verb);
    }
    assert.equal(gradeUpdate('Customers saw errors. We set the limit to 512m.', truth).action, true);
    assert.equal(gradeUpdate('The worker was OOM-killed and customers saw failed jobs.', truth).action, false);
  });
});

describe('restarts are not targeted, reversible changes (issue 17, 4)', () => {
  it('each restart costs the targeted-changes rule, unless the scenario accepts a restart', () => {
    const log = new Log();
    log.ready(0);
    log.typed(2_000, 'docker logs --tail 50 api');
    log.typed(4_000, 'docker restart api');
    log.typed(6_000, 'docker exec api kill 4242');
    const r = rule(log, 'targeted-reversible-changes');
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 6, '60 % of the rule (weight 10) after one restart');
    assert.match(r.note, /not a small, reversible change/);
    log.typed(8_000, 'docker restart api');
    assert.equal(rule(log, 'targeted-reversible-changes').points, 2);
    assert.equal(rule(log, 'targeted-reversible-changes', { ...LEAKY, restartAllowed: true }).status, 'met');
  });
});

describe('ignored evidence says why, citation by citation (issue 17, 5)', () => {
  it('an observation of the affected service is never called "not of the affected service"', () => {
    const log = new Log();
    log.ready(0);
    const env = log.typed(2_000, 'docker exec api cat /etc/hostname');
    const other = log.typed(3_000, 'docker top traffic');
    const kill = log.typed(4_000, 'docker exec api kill 4242');
    const late = log.typed(90_000, 'docker top api');
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: 'ledger-rollup', evidence: [env, other, kill, late] }, TRUTH, classifyEvents(log.events), { ...OPTS, at: 60_000 });
    const note = g.reasons.find((r) => r.startsWith('Not counted'))!;
    // Each step by its command and time (issue 17, item 6: never event numbers).
    assert.match(note, /"docker exec api cat \/etc\/hostname" at 0:02 \(could not show this kind of cause\)/);
    assert.match(note, /"docker top traffic" at 0:03 \(about another service/);
    assert.match(note, /"docker exec api kill 4242" at 0:04 \(a change, not an observation\)/);
    assert.match(note, /"docker top api" at 1:30 \(after the diagnosis\)/);
    assert.doesNotMatch(note, new RegExp(`\\b(${env}|${other}|${kill}|${late})\\b`));
  });
});

describe('the report names commands and times, never event numbers (issue 17, 6)', () => {
  it('no rule note says "event N"; a cited action reads "<command>" at <time>', () => {
    const log = new Log();
    log.ready(5_000);
    log.typed(7_000, 'docker logs --tail 50 api');
    log.typed(9_000, 'docker exec -it api bash');
    log.inside(12_000, 'api', 'env');
    log.typed(20_000, 'docker restart api');
    const results = scoreProtocol(log.input({ ...LEAKY, secrets: ['DB_PASSWORD'] })).results;
    for (const r of results) assert.doesNotMatch(r.note, /\bevent \d/i, `${r.id}: ${r.note}`);
    assert.match(results.find((r) => r.id === 'no-state-loss')!.note, /"docker restart api" at 0:15/);
    assert.match(results.find((r) => r.id === 'observe-outside-first')!.note, /"docker logs --tail 50 api" at 0:02\./);
  });
});

describe('one long-lived sidecar, worked through with docker exec (the no-shell-image alternative path)', () => {
  const PROC = { ...LEAKY, snapshotEvidence: ['process-state' as const] };
  const log = new Log();
  log.ready(0);
  log.typed(2_000, 'docker logs --tail 20 api');
  log.docker(2_100, 'logs', { target: 'api', flags: { tail: 20 } });
  log.typed(4_000, 'docker stats --no-stream');
  log.docker(4_100, 'stats', { target: 'api', flags: { stream: false } });
  log.typed(10_000, 'DBG=$(docker run -d --user $U --pid container:$API --net container:$API $S sleep 900)');
  sidecarRun(log, 10_100, ['sleep', '900'], { image: 'sickbay/service:latest', detach: true });
  log.docker(10_200, 'start', { target: 'debug-ab12cd', targetId: 'f00d' });
  const locks = log.typed(20_000, 'docker exec $DBG cat /proc/locks');
  log.exec(20_000, 'debug-ab12cd', ['cat', '/proc/locks']);
  const saved = log.typed(30_000, 'docker exec $DBG ls -l /proc/1/fd > fds-before.txt');
  log.exec(30_000, 'debug-ab12cd', ['ls', '-l', '/proc/1/fd']);
  const kill = log.typed(40_000, 'docker exec $DBG kill 4242');
  log.exec(40_000, 'debug-ab12cd', ['kill', '4242']);
  const classified = classifyEvents(log.events);
  const actions = buildActions(classified, { services: OPTS.services });

  it('every exec in the sidecar acts on the container it joined', () => {
    for (const id of [locks, saved, kill]) assert.deepEqual(actions.find((a) => a.ids.includes(id))?.targets, ['api'], String(id));
  });

  it('the saved fd list is the snapshot, the kill a targeted change in place, nothing lost', () => {
    assert.equal(rule(log, 'snapshot-before-invasive', PROC).status, 'met');
    assert.equal(rule(log, 'targeted-reversible-changes', PROC).status, 'met');
    assert.equal(rule(log, 'no-state-loss', PROC).status, 'met');
    assert.equal(rule(log, 'read-only-before-interactive', PROC).status, 'not-applicable', 'a detached sidecar is no shell');
  });

  it("removing one's own sidecar by its variable is not taken for an action on the joined container", () => {
    const rm = new Log();
    rm.ready(0);
    rm.typed(10_000, 'DBG=$(docker run -d --pid container:$API $S sleep 900)');
    sidecarRun(rm, 10_100, ['sleep', '900'], { detach: true });
    rm.docker(10_200, 'start', { target: 'debug-ab12cd', targetId: 'f00d' });
    const line = rm.typed(30_000, 'docker rm -f $DBG');
    rm.docker(30_100, 'rm', { target: 'debug-ab12cd', targetId: 'f00d' });
    const acts = buildActions(classifyEvents(rm.events), { services: OPTS.services });
    assert.ok(!acts.find((a) => a.ids.includes(line))?.targets.includes('api'));
  });

  it('what the sidecar showed is evidence about the joined container', () => {
    const cited = actions.find((a) => a.ids.includes(locks))?.ids ?? [];
    const g = gradeDiagnosis({ category: 'runaway-process', culprit: 'ledger-rollup', evidence: cited }, TRUTH, classified, { ...OPTS, revealedBy: ['process-state'] });
    assert.ok(g.evidence.revealing.length > 0, JSON.stringify(g.evidence));
  });
});
