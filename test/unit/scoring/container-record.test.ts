/** Issue 17, item 10: "no restart" is judged from Docker's own record, whatever command caused it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerFacts } from '@/lib/audit/events';
import { scoreProtocol } from '@/lib/scoring';
import { recordedLosses } from '@/lib/scoring/container-record';
import { LEAKY, Log } from './helpers';

// The Log helper's epoch: event t=0 is this wall-clock time.
const EPOCH = 1_700_000_000_000;
const iso = (t: number) => new Date(EPOCH + t).toISOString();
const BASE: ContainerFacts = { id: 'c1', running: true, pid: 4100, startedAt: iso(-20_000), finishedAt: '0001-01-01T00:00:00Z', oomKilled: false, exitCode: 0 };
const rule = (log: Log, id: string, exp = LEAKY) => scoreProtocol(log.input(exp)).results.find((r) => r.id === id)!;

/** `docker exec api pkill -f python`, the main process dies at 10.5 s, `docker start api` at 30 s. */
function pkillThenStart(): Log {
  const log = new Log();
  log.ready(0);
  log.typed(2_000, 'docker logs --tail 50 api');
  log.typed(10_000, 'docker exec api pkill -f python');
  log.exec(10_000, 'api', ['pkill', '-f', 'python']);
  log.typed(30_000, 'docker start api');
  log.docker(30_050, 'start', { target: 'api' });
  log.record(60_000, 'api', BASE, { ...BASE, pid: 5200, startedAt: iso(30_100), finishedAt: iso(10_500), exitCode: 143 });
  return log;
}

describe("no restart is judged from Docker's record (issue 17, 10)", () => {
  it('pkill of the main process then docker start is a restart of api', () => {
    const r = rule(pkillThenStart(), 'no-state-loss');
    assert.equal(r.status, 'broken');
    assert.equal(r.points, 0);
    assert.match(r.note, /api's main process ended at 0:10/);
    assert.match(r.note, /pkill -f python/);
    assert.match(r.note, /started again at 0:30 \("docker start api"/);
  });

  it('a docker start typed a moment after the death is what started it again, not its cause', () => {
    const log = new Log();
    log.ready(0);
    log.typed(2_000, 'docker logs --tail 50 api');
    log.typed(10_000, 'docker exec api pkill -f api.py');
    log.typed(10_800, "docker inspect --format '{{.State.Running}}' api");
    log.typed(11_500, 'docker start api');
    log.record(60_000, 'api', BASE, { ...BASE, pid: 5200, startedAt: iso(11_700), finishedAt: iso(10_400) });
    const r = rule(log, 'no-state-loss');
    assert.match(r.note, /ended at 0:10 \(after "docker exec api pkill -f api.py"/);
    assert.match(r.note, /started again at 0:11 \("docker start api"/);
  });

  it('the restart no command announced also costs the targeted-changes rule', () => {
    const r = rule(pkillThenStart(), 'targeted-reversible-changes');
    assert.equal(r.status, 'broken');
    assert.match(r.note, /Docker's record shows api/);
  });

  it('a main process killed and never started again is a loss too', () => {
    const log = new Log();
    log.ready(0);
    log.typed(5_000, 'docker exec api kill -TERM 1');
    log.record(60_000, 'api', BASE, { ...BASE, running: false, pid: 0, finishedAt: iso(5_300) });
    assert.equal(recordedLosses(log.events)[0]?.what, 'stopped');
    assert.equal(rule(log, 'no-state-loss').status, 'broken');
  });

  it('a container that kept its main process keeps the rule met', () => {
    const log = new Log();
    log.ready(0);
    log.typed(2_000, 'docker logs --tail 50 api');
    log.typed(10_000, 'docker exec api kill 4242');
    log.record(60_000, 'api', BASE, { ...BASE });
    assert.deepEqual(recordedLosses(log.events), []);
    assert.equal(rule(log, 'no-state-loss').status, 'met');
  });

  it("an OOM kill nobody restarted is the incident's doing, not the learner's", () => {
    const log = new Log();
    log.ready(0);
    log.typed(2_000, 'docker logs --tail 50 api');
    log.typed(10_000, 'docker update --memory 512m --memory-swap 512m api');
    log.record(60_000, 'api', BASE, { ...BASE, running: false, pid: 0, oomKilled: true, finishedAt: iso(40_000), exitCode: 137 });
    assert.equal(recordedLosses(log.events)[0]?.oom, true);
    assert.equal(rule(log, 'no-state-loss').status, 'met');
  });

  it('a restart of a service that is not affected does not count; a removed container does', () => {
    const other = new Log();
    other.ready(0);
    other.typed(3_000, 'docker restart traffic');
    other.record(60_000, 'traffic', BASE, { ...BASE, startedAt: iso(3_100), pid: 6000 });
    assert.notEqual(rule(other, 'no-state-loss').status, 'broken');
    const gone = new Log();
    gone.ready(0);
    gone.typed(3_000, 'docker exec api kill 4242');
    gone.record(60_000, 'api', BASE, null);
    assert.match(rule(gone, 'no-state-loss').note, /container is gone/);
  });
});
