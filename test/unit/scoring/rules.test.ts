/** Every standard rule: met, broken and not applicable, from hand-written logs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ProtocolExpectations,
  type Rule,
  type RuleEvaluation,
  STANDARD_RULES,
  decisionRecorded,
  noExtraLoad,
  noSecretsExposed,
  noStateLoss,
  observeOutsideFirst,
  readOnlyBeforeInteractive,
  ruleContext,
  scoreProtocol,
  snapshotBeforeInvasive,
  stakeholderUpdate,
  targetedReversibleChanges,
  timeline,
} from '@/lib/scoring';
import { LEAKY, Log } from './helpers';

function run(rule: Rule, log: Log, expectations: Partial<ProtocolExpectations> = LEAKY): RuleEvaluation {
  return rule.evaluate(ruleContext(log.input(expectations)));
}

function fresh(): Log {
  const log = new Log();
  log.ready(10_000);
  return log;
}

describe('the rule set', () => {
  it('has unique ids, weights adding up to 100, and an explanation and runbook for each rule', () => {
    assert.equal(new Set(STANDARD_RULES.map((r) => r.id)).size, STANDARD_RULES.length);
    assert.equal(STANDARD_RULES.reduce((s, r) => s + r.weight, 0), 100);
    for (const r of STANDARD_RULES) {
      assert.ok(r.explanation.length > 40, r.id);
      assert.match(r.runbook, /\(0\d[a-e]?/, r.id);
    }
  });
});

describe('observe-outside-first', () => {
  it('is met when the first action is an outside look, citing it', () => {
    const log = fresh();
    const id = log.typed(12_000, 'docker logs --tail 20 api');
    log.typed(20_000, 'docker exec -it api bash');
    const r = run(observeOutsideFirst, log);
    assert.equal(r.status, 'met');
    assert.equal(r.points, 15);
    assert.deepEqual(r.citations, [id]);
  });

  it('gives partial credit for a read-only exec first and none for a change first', () => {
    const log = fresh();
    const id = log.typed(12_000, 'docker exec api ps aux');
    const r = run(observeOutsideFirst, log);
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 6);
    assert.deepEqual(r.citations, [id]);
    const log2 = fresh();
    log2.typed(12_000, 'docker exec api kill 4242');
    const r2 = run(observeOutsideFirst, log2);
    assert.equal(r2.points, 0);
    assert.match(r2.note, /changed before it was observed/);
  });

  it('treats output copied out of an exec as a look from inside', () => {
    const log = fresh();
    log.typed(12_000, 'docker exec api cat /var/log/app/error.log > error.log');
    const r = run(observeOutsideFirst, log);
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 6);
  });

  it('ignores console-only lines and counts a refused call as the first action', () => {
    const log = fresh();
    log.typed(11_000, 'ls -la');
    log.typed(11_500, 'clear');
    const refused = log.docker(12_000, 'exec', { target: 'api', command: ['bash'], flags: { tty: true, stdin: true }, allowed: false, status: 403 });
    const r = run(observeOutsideFirst, log);
    assert.equal(r.status, 'broken');
    assert.deepEqual(r.citations, [refused]);
  });

  it('does not apply when nothing touched the lab', () => {
    const log = fresh();
    log.typed(12_000, 'echo hello');
    assert.equal(run(observeOutsideFirst, log).status, 'not-applicable');
  });
});

describe('read-only-before-interactive', () => {
  it('is met with a one-off read-only exec before the shell', () => {
    const log = fresh();
    const ps = log.typed(12_000, 'docker exec api ps aux');
    log.typed(20_000, 'docker exec -it api bash');
    const r = run(readOnlyBeforeInteractive, log);
    assert.equal(r.status, 'met');
    assert.deepEqual(r.citations, [ps]);
  });

  it('gives a little credit when only outside looks came first', () => {
    const log = fresh();
    log.typed(12_000, 'docker stats --no-stream api');
    const shell = log.typed(20_000, 'docker exec -it api sh');
    const r = run(readOnlyBeforeInteractive, log);
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 1.5); // 0.3 of the weight (5)
    assert.deepEqual(r.citations, [shell]);
  });

  it('is broken with nothing before the shell, and n/a with no shell', () => {
    const log = fresh();
    log.typed(12_000, 'docker exec -it api bash');
    assert.equal(run(readOnlyBeforeInteractive, log).points, 0);
    const log2 = fresh();
    log2.typed(12_000, 'docker logs api');
    assert.equal(run(readOnlyBeforeInteractive, log2).status, 'not-applicable');
  });

  it('counts an interactive psql as a shell', () => {
    const log = fresh();
    log.typed(12_000, 'docker exec -it db psql -U postgres');
    assert.equal(run(readOnlyBeforeInteractive, log, { affectedServices: ['db'] }).status, 'broken');
  });
});

describe('snapshot-before-invasive', () => {
  it('is met by a docker commit before the first change', () => {
    const log = fresh();
    const commit = log.typed(12_000, 'docker commit api snap');
    log.typed(20_000, 'docker exec api kill 4242');
    const r = run(snapshotBeforeInvasive, log);
    assert.equal(r.status, 'met');
    assert.deepEqual(r.citations, [commit]);
  });

  it('counts a snapshot earlier in the same line', () => {
    const log = fresh();
    log.typed(12_000, 'docker commit api snap && docker exec api kill 4242');
    assert.equal(run(snapshotBeforeInvasive, log).status, 'met');
  });

  it('gives half credit for saved logs only', () => {
    const log = fresh();
    const saved = log.typed(12_000, 'docker logs api > api.log 2>&1');
    const kill = log.typed(20_000, 'docker exec api kill 4242');
    const r = run(snapshotBeforeInvasive, log);
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 5);
    assert.deepEqual(r.citations, [saved, kill]);
  });

  it('counts saved output as whole when it shows the scenario\'s evidence (a database\'s sessions)', () => {
    const PG = { affectedServices: ['db'], snapshotExpected: true, snapshotEvidence: ['db-activity' as const] };
    const log = fresh();
    const saved = log.typed(12_000, 'docker exec db psql -U postgres -c "SELECT * FROM pg_stat_activity" > activity.txt');
    log.typed(20_000, 'docker exec db psql -U postgres -c "SELECT pg_terminate_backend(4242)"');
    const r = run(snapshotBeforeInvasive, log, PG);
    assert.equal(r.status, 'met');
    assert.deepEqual(r.citations, [saved]);
    // The same scenario still gives saved logs half: they do not hold the sessions.
    const logs = fresh();
    logs.typed(12_000, 'docker logs db > db.log 2>&1');
    logs.typed(20_000, 'docker exec db psql -U postgres -c "SELECT pg_terminate_backend(4242)"');
    const half = run(snapshotBeforeInvasive, logs, PG);
    assert.equal(half.points, 5);
    assert.match(half.note, /db-activity/);
  });

  it('is broken when the snapshot comes after the change, and says so', () => {
    const log = fresh();
    const kill = log.typed(12_000, 'docker exec api kill 4242');
    log.typed(20_000, 'docker commit api snap');
    const r = run(snapshotBeforeInvasive, log);
    assert.equal(r.status, 'broken');
    assert.deepEqual(r.citations, [kill]);
    assert.match(r.note, /one was taken later/);
  });

  it('does not count a snapshot of another container', () => {
    const log = fresh();
    log.typed(12_000, 'docker commit traffic snap');
    log.typed(20_000, 'docker exec api kill 4242');
    assert.equal(run(snapshotBeforeInvasive, log).status, 'broken');
  });

  it('does not apply without changes or when the scenario expects no snapshot', () => {
    const log = fresh();
    log.typed(12_000, 'docker logs api');
    assert.equal(run(snapshotBeforeInvasive, log).status, 'not-applicable');
    const log2 = fresh();
    log2.typed(12_000, 'docker exec api kill 4242');
    assert.equal(run(snapshotBeforeInvasive, log2, { ...LEAKY, snapshotExpected: false }).status, 'not-applicable');
  });
});

describe('no-state-loss', () => {
  it('is met when the fix is made in place, citing the fix', () => {
    const log = fresh();
    const kill = log.typed(20_000, 'docker exec api kill 4242');
    const r = run(noStateLoss, log);
    assert.equal(r.status, 'met');
    assert.deepEqual(r.citations, [kill]);
  });

  it('is broken by a restart, a kill of PID 1 or a service restart of an affected service', () => {
    for (const [line, where] of [
      ['docker restart api', 'console'],
      ['docker stop api', 'console'],
      ['docker exec api kill 1', 'console'],
      ['kill 1', 'exec'],
      ['kill -9 -1', 'exec'],
      ['docker restart $(docker ps -q)', 'console'],
    ] as const) {
      const log = fresh();
      const id = where === 'exec' ? log.inside(20_000, 'api', line) : log.typed(20_000, line);
      const r = run(noStateLoss, log);
      assert.equal(r.status, 'broken', line);
      assert.equal(r.points, 0, line);
      assert.deepEqual(r.citations, [id], line);
    }
  });

  it('says whether anything had been examined first', () => {
    const log = fresh();
    log.typed(12_000, 'docker logs api');
    log.typed(20_000, 'docker restart api');
    assert.match(run(noStateLoss, log).note, /after 1 observation/);
  });

  it('ignores restarts of other services and refused restarts', () => {
    const log = fresh();
    log.typed(20_000, 'docker restart traffic');
    assert.equal(run(noStateLoss, log).status, 'met');
    const log2 = fresh();
    log2.typed(20_000, 'docker restart api');
    log2.docker(20_100, 'restart', { target: 'api', allowed: false, status: 403 });
    // A refused restart alone changed nothing: the rule needs a change to apply.
    assert.equal(run(noStateLoss, log2).status, 'not-applicable');
    log2.typed(30_000, 'docker exec api kill 4242');
    const r = run(noStateLoss, log2);
    assert.equal(r.status, 'met');
    assert.match(r.note, /refused or failed/);
  });

  it('does not apply when the scenario allows a restart', () => {
    const log = fresh();
    log.typed(20_000, 'docker restart api');
    assert.equal(run(noStateLoss, log, { ...LEAKY, restartAllowed: true }).status, 'not-applicable');
  });

  it('does not reward doing nothing: no action, no credit for keeping the state', () => {
    const r = run(noStateLoss, fresh());
    assert.equal(r.status, 'not-applicable');
    const idle = fresh();
    assert.equal(scoreProtocol(idle.input(LEAKY)).total, 0, 'an idle session earns no protocol points');
  });
});

describe('targeted-reversible-changes', () => {
  it('is met by a kill of one PID and an online index build', () => {
    const log = fresh();
    const a = log.typed(20_000, 'docker exec api kill 4242');
    const b = log.typed(30_000, `docker exec db psql -c 'CREATE INDEX CONCURRENTLY i ON orders (customer_id)'`);
    const r = run(targetedReversibleChanges, log);
    assert.equal(r.status, 'met');
    assert.deepEqual(r.citations, [a, b]);
  });

  it('loses points for a broad kill and a locking build, citing each', () => {
    const log = fresh();
    const broad = log.typed(20_000, 'docker exec api pkill python3');
    const locking = log.typed(30_000, `docker exec db psql -c 'CREATE INDEX i ON orders (customer_id)'`);
    const r = run(targetedReversibleChanges, log);
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 2); // a fifth of the weight (10)
    assert.deepEqual(r.citations, [broad, locking]);
    assert.match(r.note, /not targeted/);
    assert.match(r.note, /CONCURRENTLY/);
  });

  it('loses everything for a destructive action', () => {
    const log = fresh();
    log.typed(20_000, 'docker exec api kill 4242');
    const rm = log.inside(30_000, 'api', 'rm -rf /var/lib/app');
    const r = run(targetedReversibleChanges, log);
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 0);
    assert.deepEqual(r.citations, [rm]);
  });

  it('flags package installs, and does not apply without changes', () => {
    const log = fresh();
    log.inside(20_000, 'api', 'apt-get install -y procps');
    const r = run(targetedReversibleChanges, log);
    assert.equal(r.status, 'broken');
    assert.match(r.note, /installs packages/);
    const log2 = fresh();
    log2.typed(20_000, 'docker logs api');
    assert.equal(run(targetedReversibleChanges, log2).status, 'not-applicable');
  });
});

describe('no-extra-load', () => {
  it('is met by one-shot, light commands', () => {
    const log = fresh();
    const a = log.typed(12_000, 'docker stats --no-stream api');
    const b = log.typed(14_000, 'docker logs --tail 50 api');
    const r = run(noExtraLoad, log);
    assert.equal(r.status, 'met');
    assert.deepEqual(r.citations, [a, b]);
  });

  it('charges heavy commands, background streams, and a little for foreground streams', () => {
    const log = fresh();
    const heavy = log.inside(12_000, 'api', 'find / -name "*.log"');
    const bg = log.typed(14_000, 'docker logs -f --tail 10 api &');
    const fg = log.typed(16_000, 'docker stats api');
    const r = run(noExtraLoad, log);
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 0.3);
    assert.deepEqual(r.citations, [heavy, bg, fg]);
    assert.match(r.note, /in the background/);
  });

  it('reads streaming from proxy flags too', () => {
    const log = fresh();
    const id = log.docker(12_000, 'logs', { target: 'api', flags: { follow: true } });
    const r = run(noExtraLoad, log);
    assert.equal(r.status, 'broken');
    assert.deepEqual(r.citations, [id]);
  });

  it('charges EXPLAIN ANALYZE on a stressed database, and does not apply when not stressed', () => {
    const log = fresh();
    log.typed(12_000, `docker exec db psql -c 'EXPLAIN ANALYZE SELECT * FROM orders WHERE customer_id = 5'`);
    assert.equal(run(noExtraLoad, log).status, 'broken');
    assert.equal(run(noExtraLoad, log, { ...LEAKY, stressed: false }).status, 'not-applicable');
  });
});

describe('no-secrets-exposed', () => {
  const SECRETS = { ...LEAKY, secrets: ['PGPASSWORD', 's3cr3t-pw'] };

  it('is met when config is read through a filter', () => {
    const log = fresh();
    const id = log.typed(12_000, "docker inspect -f '{{.State.Health.Status}}' api");
    const r = run(noSecretsExposed, log, SECRETS);
    assert.equal(r.status, 'met');
    assert.deepEqual(r.citations, [id]);
  });

  it('is broken by an environment dump, a secret name or a secret value', () => {
    const log = fresh();
    const dump = log.typed(12_000, 'docker exec api env');
    const name = log.inside(14_000, 'db', 'echo $PGPASSWORD');
    const value = log.typed(16_000, 'psql postgres://app:s3cr3t-pw@db/shop');
    const full = log.typed(18_000, 'docker inspect db');
    const r = run(noSecretsExposed, log, SECRETS);
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 0);
    assert.deepEqual(r.citations, [dump, name, full, value]);
  });

  it('reads exec commands from the proxy', () => {
    const log = fresh();
    const id = log.docker(12_000, 'exec', { target: 'db', command: ['printenv', 'PGPASSWORD'] });
    assert.deepEqual(run(noSecretsExposed, log, SECRETS).citations, [id]);
  });

  it('does not apply without secrets', () => {
    const log = fresh();
    log.typed(12_000, 'docker exec api env');
    assert.equal(run(noSecretsExposed, log).status, 'not-applicable');
  });
});

describe('timeline', () => {
  it('is met when all three steps are on time, citing them', () => {
    const log = fresh();
    const stats = log.typed(25_000, 'docker stats --no-stream api');
    const logs = log.typed(60_000, 'docker logs --tail 50 api');
    const inside = log.typed(200_000, 'docker exec api ps aux');
    const r = run(timeline, log);
    assert.equal(r.status, 'met');
    assert.equal(r.points, 10);
    assert.deepEqual(r.citations, [stats, logs, inside]);
  });

  it('gives partial credit for late steps and none for missing ones', () => {
    const log = fresh();
    log.typed(10_000, 'ls'); // work begins: the budgets count from here
    log.typed(10_000 + 50_000, 'docker logs api');
    const r = run(timeline, log);
    assert.equal(r.status, 'broken');
    // triage late (50 s of 30 s: half), quick diagnosis missing (no resources), inside missing.
    assert.equal(r.points, 1.7);
    assert.match(r.note, /resource usage was never checked/);
  });

  it('scales the budgets and counts them from the first line typed', () => {
    const log = new Log();
    log.ready(60_000);
    log.typed(60_000, 'ls');
    log.typed(110_000, 'docker stats --no-stream api');
    log.typed(111_000, 'docker logs api');
    log.typed(112_000, 'docker exec api ps');
    assert.equal(run(timeline, log).status, 'broken');
    assert.equal(run(timeline, log, { ...LEAKY, timelineScale: 2 }).status, 'met');
  });

  it('does not charge the time spent reading the briefing (issue 17, 7)', () => {
    const log = fresh();
    log.typed(100_000, 'docker stats --no-stream api'); // 90 s after ready: reading first
    log.typed(110_000, 'docker logs --tail 50 api');
    log.typed(130_000, 'docker exec api ps aux');
    const r = run(timeline, log);
    assert.equal(r.status, 'met', r.note);
    assert.match(r.note, /outside health check at 1:30 \(budget 0:30\)/);
    assert.match(r.note, /budgets counted from 1:30, the first line typed/);
  });

  it('reading may hold the budgets back five minutes, no longer', () => {
    const log = fresh();
    log.typed(10_000 + 400_000, 'docker stats --no-stream api');
    const r = run(timeline, log);
    assert.equal(r.status, 'broken');
    assert.match(r.note, /outside health check at 6:40 \(budget 0:30\), late/);
  });

  it('counts logs and resources seen from inside', () => {
    const log = fresh();
    log.typed(15_000, 'docker ps');
    log.typed(20_000, 'docker exec api free -m');
    log.typed(25_000, 'docker exec api tail -n 50 /var/log/app.log');
    assert.equal(run(timeline, log).status, 'met');
  });
});

describe('decision-recorded', () => {
  it('is met by a reasoned decision consistent with what was done', () => {
    const log = fresh();
    log.typed(20_000, 'docker exec api kill 4242');
    const d = log.diagnosis(30_000, { category: 'runaway-process', culprit: 'x', evidence: [], decision: 'fix-in-place', reason: 'Stopping the job keeps the API running.' });
    const r = run(decisionRecorded, log);
    assert.equal(r.status, 'met');
    assert.deepEqual(r.citations, [d]);
  });

  it('loses points for no reason or a decision the actions contradict', () => {
    const log = fresh();
    log.typed(20_000, 'docker restart api');
    log.diagnosis(30_000, { category: 'runaway-process', culprit: 'x', evidence: [], decision: 'fix-in-place', reason: '' });
    const r = run(decisionRecorded, log);
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 2.5);
    assert.match(r.note, /restarted or stopped anyway/);
    const log2 = fresh();
    log2.diagnosis(30_000, { category: 'c', culprit: 'x', evidence: [], decision: 'restart', reason: 'it is the fastest way back' });
    assert.match(run(decisionRecorded, log2).note, /keep running/);
  });

  it('is broken without a decision', () => {
    assert.equal(run(decisionRecorded, fresh()).points, 0);
  });
});

describe('stakeholder-update', () => {
  it('is met by an update sent after the investigation began', () => {
    const log = fresh();
    log.typed(12_000, 'docker logs api');
    const u = log.update(40_000, 'Investigating 500s on orders; the API container is out of memory. Next update in 10 minutes.');
    const r = run(stakeholderUpdate, log);
    assert.equal(r.status, 'met');
    assert.deepEqual(r.citations, [u]);
  });

  it('gives half credit for an update before looking, none without one', () => {
    const log = fresh();
    log.update(11_000, 'Looking into it now, will update you soon.');
    log.typed(12_000, 'docker logs api');
    assert.equal(run(stakeholderUpdate, log).points, 2.5);
    assert.equal(run(stakeholderUpdate, fresh()).status, 'broken');
  });
});

describe('scoreProtocol', () => {
  it('totals over the applicable rules only and carries the versions', () => {
    const log = fresh();
    log.typed(12_000, 'docker stats --no-stream api');
    const s = scoreProtocol(log.input(LEAKY));
    assert.equal(s.ruleSetVersion, 'protocol/9');
    assert.equal(s.classifierVersion, 7);
    const applicable = s.results.filter((r) => r.status !== 'not-applicable');
    assert.equal(s.possible, applicable.reduce((a, r) => a + r.weight, 0));
    assert.equal(s.total, Math.round((100 * s.earned) / s.possible));
    for (const r of s.results) {
      assert.ok(r.points >= 0 && r.points <= r.weight, r.id);
      if (r.status === 'not-applicable') assert.equal(r.points, 0);
    }
  });

  it('runs a scenario\'s extra rules and survives one that throws', () => {
    const log = fresh();
    log.typed(12_000, 'docker logs api');
    const extra: Rule = { id: 'x', title: 'X', weight: 5, explanation: 'e', runbook: 'r', evaluate: () => ({ status: 'met', points: 99, citations: [], note: 'ok' }) };
    const bad: Rule = { ...extra, id: 'bad', evaluate: () => { throw new Error('boom'); } };
    const s = scoreProtocol(log.input({ ...LEAKY, extraRules: [extra, bad] }));
    assert.equal(s.results.find((r) => r.id === 'x')?.points, 5);
    const b = s.results.find((r) => r.id === 'bad');
    assert.equal(b?.status, 'not-applicable');
    assert.match(b?.note ?? '', /boom/);
  });

  it('takes the clock from the lifecycle ready event when no timing is given', () => {
    const log = new Log();
    log.ready(100_000);
    log.typed(110_000, 'docker stats --no-stream api');
    const ctx = ruleContext(log.input(LEAKY));
    assert.equal(ctx.readyAt, 100_000);
    assert.equal(ruleContext({ ...log.input(LEAKY), timing: { readyAt: 5 } }).readyAt, 5);
  });
});
