import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clockZero, formatClock, formatUtc, sessionClock } from '@/lib/display/clock';
import { describeEvent, describeShort } from '@/lib/display/describe';

describe('formatClock', () => {
  it('writes minutes and seconds, hours when there are any', () => {
    assert.equal(formatClock(0), '0:00');
    assert.equal(formatClock(7_000), '0:07');
    assert.equal(formatClock(754_000), '12:34');
    assert.equal(formatClock(3_723_000), '1:02:03');
  });

  it('cuts to the second instead of rounding up, like a stopwatch', () => {
    assert.equal(formatClock(999), '0:00');
    assert.equal(formatClock(59_999), '0:59');
  });

  it('keeps the sign of times before zero', () => {
    assert.equal(formatClock(-14_500), '-0:14');
    assert.equal(formatClock(-400), '0:00', 'not "-0:00"');
    assert.equal(formatClock(Number.NaN), '—');
  });
});

describe('formatUtc', () => {
  it('writes a wall-clock moment in UTC to the minute, or to the second', () => {
    assert.equal(formatUtc('2026-12-06T21:49:57.123Z'), '2026-12-06 21:49 UTC');
    assert.equal(formatUtc('2026-12-06T22:49:57+01:00', true), '2026-12-06 21:49:57 UTC');
    assert.equal(formatUtc(Date.UTC(2026, 0, 2, 3, 4, 5)), '2026-01-02 03:04 UTC');
    assert.equal(formatUtc('not a time'), '\u2014');
  });
});

describe('describeEvent', () => {
  it('says what the learner did in their words', () => {
    assert.equal(describeEvent({ kind: 'typed', where: 'console', line: 'docker ps', approximate: false }), 'typed: docker ps');
    assert.equal(describeEvent({ kind: 'typed', where: 'exec', target: 'api', line: 'ps aux', approximate: true }), 'typed in api: ps aux (approximate)');
    assert.equal(
      describeEvent({ kind: 'docker', method: 'POST', path: '/containers/x/exec', action: 'exec', target: 'api', command: ['ps', 'aux'], allowed: true }),
      'docker exec api: ps aux',
    );
    assert.equal(
      describeEvent({ kind: 'docker', method: 'POST', path: '/containers/create', action: 'run', allowed: false, reason: 'sickbay: privileged is not allowed' }),
      'docker run — refused (sickbay: privileged is not allowed)',
    );
    assert.equal(
      describeEvent({ kind: 'coached', phase: 'warned', action: 'restart', target: 'api', tier: 'state-losing', summary: 'restarts api: processes, memory and the evidence in them are lost' }),
      'coach held docker restart api: restarts api: processes, memory and the evidence in them are lost',
    );
    assert.equal(describeEvent({ kind: 'coached', phase: 'chose', action: 'restart', target: 'api', tier: 'state-losing', summary: 'restarts api' }), 'warned, then chose: docker restart api went ahead');
    assert.equal(describeEvent({ kind: 'diagnosis', category: 'runaway-process', culprit: 'job', evidence: [], decision: 'fix-in-place', reason: 'x' }), 'diagnosis submitted (runaway-process, decision: fix-in-place)');
    assert.equal(describeEvent({ kind: 'update', text: 'all good' }), 'stakeholder update written');
    assert.equal(describeEvent({ kind: 'hint', index: 0 }), 'hint 1 taken');
  });

  it('describes what the lab did', () => {
    assert.equal(describeEvent({ kind: 'lifecycle', status: 'ready', detail: 'taken from the pool' }), 'session ready — taken from the pool');
    assert.equal(describeEvent({ kind: 'provision', phase: 'start', ms: 120 }), 'start done in 120 ms');
    assert.equal(describeEvent({ kind: 'fault', fault: 'fault-1', title: 'something was broken on purpose', ms: 3 }), 'fault injected: something was broken on purpose');
    assert.equal(describeEvent({ kind: 'goals', final: true, passed: 2, total: 3, results: [] }), 'goals checked: 2/3 met');
    assert.equal(describeEvent({ kind: 'terminal', action: 'close', detail: 'replaced' }), 'terminal close: replaced');
    assert.equal(describeEvent({ kind: 'limit', resource: 'storage', level: 'warning', usedBytes: 85, budgetBytes: 100, detail: 'storage: 85% of the budget' }), 'storage: 85% of the budget');
  });

  it('names an event kind it does not know instead of failing', () => {
    assert.equal(describeEvent({ kind: 'from-the-future' } as never), 'from-the-future');
  });

  it('cuts a short description to one line', () => {
    const d = describeShort({ kind: 'typed', where: 'console', line: `echo ${'x'.repeat(100)}\n`, approximate: false }, 40);
    assert.equal(d.length, 40);
    assert.ok(d.endsWith('…'));
    assert.ok(!d.includes('\n'));
  });
});

describe('the session clock', () => {
  const created = Date.parse('2025-05-01T10:00:00.000Z');
  const session = { createdAt: '2025-05-01T10:00:00.000Z', readyAt: '2025-05-01T10:00:12.500Z' };

  it('starts at ready: a stored t (ms since creation) is shown from there', () => {
    const zero = clockZero(session);
    assert.equal(zero, 12_500);
    assert.equal(formatClock(sessionClock(12_500, zero)), '0:00');
    assert.equal(formatClock(sessionClock(19_900, zero)), '0:07');
    assert.equal(formatClock(sessionClock(2_000, zero)), '-0:10', 'provisioning happened before the clock started');
  });

  it('starts at the claim for a session taken from the pool', () => {
    // Provisioned an hour before a learner claimed it: the clock ignores the wait.
    const zero = clockZero({ createdAt: created, readyAt: created + 3_600_000 });
    assert.equal(formatClock(sessionClock(3_600_000 + 65_000, zero)), '1:05');
  });

  it('has no zero before ready, and then counts from creation', () => {
    assert.equal(clockZero({ createdAt: created, readyAt: null }), null);
    assert.equal(sessionClock(4_000, null), 4_000);
  });
});
