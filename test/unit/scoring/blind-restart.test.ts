/**
 * Issue 17 (restart first, then fix, <= 40): the corpus on seed verify-1 scored restart-first
 * 66 on oom-limit and 65 on log-flood, where the culprit outlives a restart and the fix typed
 * after it still diagnoses and repairs. A run that threw an affected service's state away
 * before looking at that service is capped at 40, judged from what happened.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerFacts, GoalOutcome } from '@/lib/audit/events';
import { ruleContext, scoreProtocol } from '@/lib/scoring/protocol';
import { assembleReport } from '@/lib/scoring/report';
import { BLIND_RESTART_CAP, blindRestartCap } from '@/lib/scoring/restart-credit';
import { LEAKY, Log } from './helpers';

const EPOCH = 1_700_000_000_000;
const iso = (t: number) => new Date(EPOCH + t).toISOString();
const BASE: ContainerFacts = { id: 'c1', running: true, pid: 4100, startedAt: iso(-20_000), finishedAt: '0001-01-01T00:00:00Z', oomKilled: false, exitCode: 0 };

const capOf = (log: Log, exp = LEAKY) => blindRestartCap(ruleContext(log.input(exp)));

/** Optional looks first, then every container restarted, then a look and a fix. */
function restartFirst(before: (log: Log) => void = () => {}): Log {
  const log = new Log();
  log.ready(0);
  before(log);
  log.typed(5_000, 'docker restart $(docker ps -q)');
  log.docker(5_100, 'ps', {});
  log.docker(5_300, 'restart', { target: 'api' });
  log.typed(30_000, 'docker logs --tail 30 api');
  log.docker(30_050, 'logs', { target: 'api', flags: { tail: 30 } });
  log.typed(60_000, 'docker exec api kill 77');
  log.exec(60_000, 'api', ['kill', '77']);
  return log;
}

describe('restart before looking caps the total (issue 17, restart first then fix)', () => {
  it('caps a restart of every container typed before anything was looked at, citing it', () => {
    const log = restartFirst();
    const cap = capOf(log);
    assert.ok(cap);
    assert.equal(cap.max, BLIND_RESTART_CAP);
    assert.match(cap.note, /^Capped at 40: "docker restart \$\(docker ps -q\)" at 0:05 before api had been looked at by name/);
    assert.ok(cap.citations.length > 0);
  });

  it('listing every container first is not looking at the service: docker ps and a bare docker stats still cap', () => {
    const log = restartFirst((l) => {
      l.typed(1_000, 'docker ps');
      l.docker(1_050, 'ps', {});
      l.typed(2_000, 'docker stats --no-stream');
      l.docker(2_050, 'stats', { flags: { stream: false } });
    });
    assert.ok(capOf(log));
  });

  it('looking at the service by name first lifts the cap (the no-state-loss rule still charges the restart)', () => {
    const looks: [string, (l: Log) => void][] = [
      ['logs', (l) => { l.typed(1_000, 'docker logs --tail 50 api'); l.docker(1_050, 'logs', { target: 'api', flags: { tail: 50 } }); }],
      ['a one-off exec', (l) => { l.typed(1_000, 'docker exec api ps aux'); l.exec(1_000, 'api', ['ps', 'aux']); }],
      ['a sidecar joined to it', (l) => l.docker(1_000, 'run', { target: 'debug-ab12cd', targetId: 'f00d', command: ['ps', 'aux'], flags: { pid: 'api', net: 'api', image: 'nicolaka/netshoot' } })],
    ];
    for (const [what, look] of looks) {
      const log = restartFirst(look);
      assert.equal(capOf(log), null, what);
      assert.equal(scoreProtocol(log.input(LEAKY)).results.find((r) => r.id === 'no-state-loss')?.status, 'broken', what);
    }
  });

  it("judges Docker's record, whatever caused the loss: pkill then docker start, unseen, is capped at the record", () => {
    const log = new Log();
    log.ready(0);
    log.typed(10_000, 'docker exec api pkill -f python');
    log.exec(10_000, 'api', ['pkill', '-f', 'python']);
    log.typed(30_000, 'docker start api');
    log.docker(30_050, 'start', { target: 'api' });
    const record = log.record(60_000, 'api', BASE, { ...BASE, pid: 5200, startedAt: iso(30_100), finishedAt: iso(10_500), exitCode: 143 });
    const cap = capOf(log);
    assert.ok(cap);
    assert.ok(cap.citations.includes(record));
    assert.match(cap.note, /api lost its running state/);
  });

  it('no cap without a loss of an affected service: a refused restart, an OOM kill, another service, an accepted restart', () => {
    const refused = new Log();
    refused.ready(0);
    refused.typed(10_000, 'docker restart api');
    refused.docker(10_050, 'restart', { target: 'api', allowed: false, status: 403 });
    assert.equal(capOf(refused), null, 'refused');

    const oom = new Log();
    oom.ready(0);
    oom.record(60_000, 'api', BASE, { ...BASE, running: false, pid: 0, oomKilled: true, finishedAt: iso(40_000), exitCode: 137 });
    assert.equal(capOf(oom), null, 'oom');

    const other = new Log();
    other.ready(0);
    other.typed(5_000, 'docker restart traffic');
    other.docker(5_100, 'restart', { target: 'traffic' });
    assert.equal(capOf(other), null, 'another service');

    assert.equal(capOf(restartFirst(), { ...LEAKY, restartAllowed: true }), null, 'accepted');
  });

  it('the report: the total is the lower of the sum and the cap, and keeps the sum and the reason', () => {
    const goals: GoalOutcome[] = [
      { id: 'fixed', title: 'The limit fits', pass: true, evidence: '' },
      { id: 'kept', title: 'Not restarted', pass: false, evidence: '' },
    ];
    const protocol = scoreProtocol(restartFirst().input(LEAKY));
    const cap = { max: 40, note: 'Capped at 40: restarted first.', citations: [3] };
    const base = { goals, protocol, diagnosis: { score: 100, reasons: [] } as never, communication: { score: 100, notes: [] } as never };
    const uncapped = assembleReport(base);
    assert.ok(uncapped.total > 40, `the sum ${uncapped.total} must exceed the cap for this test to mean anything`);
    assert.equal(uncapped.cap, undefined);
    const capped = assembleReport({ ...base, cap });
    assert.equal(capped.total, 40);
    assert.deepEqual(capped.cap, { ...cap, uncapped: uncapped.total });
    // A run already under the cap keeps its own total.
    const low = assembleReport({ ...base, goals: [], diagnosis: null, cap });
    assert.ok(low.total < 40);
    assert.equal(low.cap?.uncapped, low.total);
  });
});
