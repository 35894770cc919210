/** Coach mode's decision table (issue #15, item 4): which calls on which containers are held. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DockerCallBody } from '@/lib/audit/events';
import { COACH_PREFIX, COACH_WINDOW_MS, coachDecision, coachHolds, coachHoldsLine, coachKey, coachLineDecision, type CoachMemory } from '@/lib/proxy/coach';

function call(action: string, flags: DockerCallBody['flags'] = {}, target = 'api'): DockerCallBody {
  return { kind: 'docker', action, method: 'POST', path: `/containers/${target}/${action}`, target, targetId: `id-${target}`, flags: { connection: 1, ...flags }, allowed: true, status: 0 };
}

describe('coach: which calls are held', () => {
  const held: [string, DockerCallBody][] = [
    ['restart', call('restart')],
    ['stop', call('stop', { t: 5 })],
    ['kill (SIGKILL by default)', call('kill')],
    ['kill -s TERM', call('kill', { signal: 'TERM' })],
    ['update of the memory limit', call('update', { memory: 64 * 2 ** 20 })],
  ];
  for (const [name, c] of held) {
    it(`holds ${name} on a scenario service`, () => {
      assert.ok(coachHolds(c, 'service'), name);
      assert.equal(coachHolds(c, 'sidecar'), null, `${name} on a sidecar is the learner's own debug container`);
    });
  }

  const passed: [string, DockerCallBody][] = [
    ['kill -s HUP (the classifier calls it a change, not state-losing)', call('kill', { signal: 'HUP' })],
    ['kill -s USR1', call('kill', { signal: 'SIGUSR1' })],
    ['update with no limit in it', call('update')],
    ['logs', call('logs', { tail: 100 })],
    ['pause', call('pause')],
    ['start', call('start')],
    ['commit', call('commit')],
  ];
  for (const [name, c] of passed) {
    it(`lets ${name} through`, () => assert.equal(coachHolds(c, 'service'), null, name));
  }
});

describe('coach: held once, then the learner chooses', () => {
  it('holds the first call with a message naming what is lost and what to do first', () => {
    const memory: CoachMemory = new Map();
    const v = coachDecision(call('restart'), 'service', memory, 1_000);
    assert.equal(v.kind, 'hold');
    if (v.kind !== 'hold') return;
    assert.ok(v.message.startsWith(COACH_PREFIX), v.message);
    assert.match(v.message, /restarts api/);
    assert.match(v.message, /memory/);
    assert.match(v.message, /docker logs api/);
    assert.match(v.message, /docker commit api/);
    assert.match(v.message, /again within 60 s/);
    assert.equal(v.tier, 'state-losing');
    assert.equal(memory.size, 1);
  });

  it('lets the same call through within the window, then holds the next one again', () => {
    const memory: CoachMemory = new Map();
    assert.equal(coachDecision(call('restart'), 'service', memory, 1_000).kind, 'hold');
    // Another connection of the CLI: still the same call.
    const again = coachDecision(call('restart', { connection: 7 }), 'service', memory, 1_000 + COACH_WINDOW_MS);
    assert.equal(again.kind, 'chose');
    if (again.kind === 'chose') assert.equal(again.warnedAt, 1_000);
    assert.equal(coachDecision(call('restart'), 'service', memory, 2_000 + COACH_WINDOW_MS).kind, 'hold');
  });

  it('holds again once the window has passed', () => {
    const memory: CoachMemory = new Map();
    coachDecision(call('stop'), 'service', memory, 0);
    assert.equal(coachDecision(call('stop'), 'service', memory, COACH_WINDOW_MS + 1).kind, 'hold');
  });

  it('treats a different call (other target, other signal, other limit) as a new one', () => {
    const memory: CoachMemory = new Map();
    coachDecision(call('kill'), 'service', memory, 0);
    assert.equal(coachDecision(call('kill', { signal: 'TERM' }), 'service', memory, 1).kind, 'hold');
    assert.equal(coachDecision(call('kill', {}, 'db'), 'service', memory, 2).kind, 'hold');
    coachDecision(call('update', { memory: 1 }), 'service', memory, 3);
    assert.equal(coachDecision(call('update', { memory: 2 }), 'service', memory, 4).kind, 'hold');
    assert.equal(coachDecision(call('update', { memory: 1 }), 'service', memory, 5).kind, 'chose');
  });

  it('says an update can hide the symptom', () => {
    const v = coachDecision(call('update', { memory: 2 ** 26 }), 'service', new Map(), 0);
    assert.equal(v.kind, 'hold');
    if (v.kind === 'hold') assert.match(v.message, /hide the symptom/);
  });

  it('never holds what it lets through, and remembers a bounded number of calls', () => {
    const memory: CoachMemory = new Map();
    assert.deepEqual(coachDecision(call('logs'), 'service', memory, 0), { kind: 'pass' });
    for (let i = 0; i < 200; i++) coachDecision(call('restart', {}, `svc${i}`), 'service', memory, i);
    assert.ok(memory.size <= 64, `remembered ${memory.size}`);
  });

  it('keys ignore the connection and flag order', () => {
    assert.equal(coachKey(call('update', { memory: 1, cpuShares: 2 })), coachKey({ ...call('update', { cpuShares: 2, memory: 1 }), flags: { cpuShares: 2, memory: 1, connection: 9 } }));
  });
});

describe('coach: lines typed inside an exec of a scenario service', () => {
  const held = ['kill -TERM 1', 'kill 1', 'kill -9 -1', 'pkill -f python', 'killall python3', 'reboot'];
  for (const line of held) {
    it(`holds \`${line}\` in a service, never in a sidecar`, () => {
      assert.ok(coachHoldsLine(line, 'api', 'service'), line);
      assert.equal(coachHoldsLine(line, 'api', 'sidecar'), null);
    });
  }
  // `kill -9 1` inside the container: the kernel drops SIGKILL to its namespace's PID 1, nothing to hold.
  const passed = ['ps aux', 'cat /proc/1/status', 'kill -USR1 1', 'kill -HUP 1', 'kill -9 4242', 'kill -9 1', 'ls -la /srv', ''];
  for (const line of passed) {
    it(`lets \`${line}\` through`, () => assert.equal(coachHoldsLine(line, 'api', 'service'), null, line));
  }

  it('holds the first, passes the same line again within the window, and holds it again later', () => {
    const memory: CoachMemory = new Map();
    const first = coachLineDecision('kill 1', 'api', 'service', memory, 1_000);
    assert.equal(first.kind, 'hold');
    assert.ok(first.kind === 'hold' && first.message.startsWith(`${COACH_PREFIX}in api this `), JSON.stringify(first));
    assert.equal(coachLineDecision('kill 1', 'db', 'service', memory, 2_000).kind, 'hold', 'another container is another line');
    const again = coachLineDecision('  kill 1 ', 'api', 'service', memory, 3_000);
    assert.deepEqual([again.kind, again.kind === 'chose' ? again.warnedAt : 0], ['chose', 1_000]);
    assert.equal(coachLineDecision('kill 1', 'api', 'service', memory, 4_000).kind, 'hold', 'a chosen line is forgotten');
    assert.equal(coachLineDecision('kill 1', 'api', 'service', memory, 4_000 + COACH_WINDOW_MS + 1).kind, 'hold', 'the window passed');
  });
});
