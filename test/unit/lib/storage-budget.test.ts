import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideStorage,
  diskRefusal,
  nextCheckDelay,
  parseDiskThreshold,
  parseStorageBudget,
  quotaCandidate,
  requiredFree,
  storageLevel,
} from '@/lib/host/storage';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

describe('storage levels', () => {
  it('is ok below 80%, a warning from 80%, exceeded at the budget', () => {
    assert.equal(storageLevel(0, 100), 'ok');
    assert.equal(storageLevel(79, 100), 'ok');
    assert.equal(storageLevel(80, 100), 'warning');
    assert.equal(storageLevel(99, 100), 'warning');
    assert.equal(storageLevel(100, 100), 'exceeded');
    assert.equal(storageLevel(5 * GIB, 0), 'ok', 'no budget, no limit');
  });
});

describe('storage decisions', () => {
  const budgetBytes = 100 * MIB;

  it('warns once, ends past the budget, and re-arms after a clean-up', () => {
    const usage = [
      { sessionId: 'quiet', usedBytes: 10 * MIB },
      { sessionId: 'near', usedBytes: 85 * MIB },
      { sessionId: 'over', usedBytes: 120 * MIB },
      { sessionId: 'warned-still-near', usedBytes: 90 * MIB },
      { sessionId: 'cleaned-up', usedBytes: 20 * MIB },
    ];
    const decisions = decideStorage({ usage, budgetBytes, warned: new Set(['warned-still-near', 'cleaned-up']) });
    assert.deepEqual(
      decisions.map((d) => [d.sessionId, d.action]),
      [
        ['near', 'warn'],
        ['over', 'end'],
        ['cleaned-up', 'rearm'],
      ],
    );
    assert.match(decisions[0]?.message ?? '', /have written 85\.0 MiB of the 100\.0 MiB they may use \(85%\)\. At 100\.0 MiB the session is ended/);
    assert.equal(decisions[1]?.message, "storage budget exceeded: the session's containers wrote 120.0 MiB, more than the 100.0 MiB a session may use");
  });

  it('ends a session that was already warned when it crosses the budget', () => {
    const d = decideStorage({ usage: [{ sessionId: 's', usedBytes: 100 * MIB }], budgetBytes, warned: new Set(['s']) });
    assert.deepEqual(d.map((x) => x.action), ['end']);
  });

  it('decides nothing without a budget', () => {
    assert.deepEqual(decideStorage({ usage: [{ sessionId: 's', usedBytes: 100 * GIB }], budgetBytes: 0, warned: new Set() }), []);
  });
});

describe('the next check', () => {
  const base = { budgetBytes: 1 * GIB, minMs: 1_000, maxMs: 5_000, now: 10_000 };

  it('waits the longest interval when nothing grows', () => {
    const previous = new Map([['s', { usedBytes: 100 * MIB, at: 5_000 }]]);
    assert.equal(nextCheckDelay({ ...base, previous, current: [{ sessionId: 's', usedBytes: 100 * MIB }] }), 5_000);
    assert.equal(nextCheckDelay({ ...base, previous: new Map(), current: [{ sessionId: 's', usedBytes: 900 * MIB }] }), 5_000, 'no growth seen yet');
  });

  it('comes sooner for a session growing toward its budget, never more often than the minimum', () => {
    // 100 MiB in 5 s = 20 MiB/s; 600 MiB of headroom = 30 s to go: check again in 15 s -> capped at 5 s.
    const slow = new Map([['s', { usedBytes: 324 * MIB, at: 5_000 }]]);
    assert.equal(nextCheckDelay({ ...base, previous: slow, current: [{ sessionId: 's', usedBytes: 424 * MIB }] }), 5_000);
    // 300 MiB in 5 s = 60 MiB/s; 200 MiB headroom: 3.3 s to go -> 1.7 s.
    const fast = new Map([['s', { usedBytes: 524 * MIB, at: 5_000 }]]);
    const d = nextCheckDelay({ ...base, previous: fast, current: [{ sessionId: 's', usedBytes: 824 * MIB }] });
    assert.ok(d > 1_500 && d < 1_800, String(d));
    // 1 GiB/s: floor.
    const flood = new Map([['s', { usedBytes: 0, at: 9_000 }]]);
    assert.equal(nextCheckDelay({ ...base, previous: flood, current: [{ sessionId: 's', usedBytes: 1000 * MIB }] }), 1_000);
  });
});

describe('free disk', () => {
  it('parses sizes and percentages', () => {
    assert.deepEqual(parseDiskThreshold('5g'), { kind: 'bytes', bytes: 5 * GIB });
    assert.deepEqual(parseDiskThreshold('10%'), { kind: 'percent', percent: 10 });
    assert.deepEqual(parseDiskThreshold('0'), { kind: 'bytes', bytes: 0 });
    assert.throws(() => parseDiskThreshold('101%'), /at most 100%/);
    assert.throws(() => parseDiskThreshold('lots'), /SICKBAY_MIN_FREE_DISK/);
    assert.equal(parseStorageBudget('2g'), 2 * GIB);
    assert.equal(parseStorageBudget('off'), 0);
    assert.throws(() => parseStorageBudget('-1'), /SICKBAY_SESSION_STORAGE/);
  });

  it('refuses below the floor with a plain message, and never when the floor is 0', () => {
    assert.equal(requiredFree({ kind: 'percent', percent: 10 }, 200 * GIB), 20 * GIB);
    assert.equal(diskRefusal({ freeBytes: 6 * GIB, totalBytes: 100 * GIB, threshold: { kind: 'bytes', bytes: 5 * GIB }, rootDir: '/var/lib/docker' }), null);
    assert.equal(
      diskRefusal({ freeBytes: 3 * GIB, totalBytes: 100 * GIB, threshold: { kind: 'bytes', bytes: 5 * GIB }, rootDir: '/var/lib/docker' }),
      "the Docker engine's disk is nearly full: 3.0 GiB free at /var/lib/docker, and Sickbay keeps at least 5.0 GiB free (SICKBAY_MIN_FREE_DISK). End a session or free disk space, then try again.",
    );
    assert.match(diskRefusal({ freeBytes: 99 * GIB, totalBytes: 100 * GIB, threshold: { kind: 'percent', percent: 100 }, rootDir: '/d' }) ?? '', /nearly full/);
    assert.equal(diskRefusal({ freeBytes: 0, totalBytes: 100 * GIB, threshold: { kind: 'bytes', bytes: 0 }, rootDir: '/d' }), null);
  });
});

describe('storage quotas', () => {
  it('are worth probing only where the driver can cap a writable layer', () => {
    assert.deepEqual(quotaCandidate('overlay2', 'xfs'), { maybe: true });
    assert.deepEqual(quotaCandidate('overlay2', 'extfs'), { maybe: false, why: 'overlay2 on extfs (quotas need xfs mounted with pquota)' });
    assert.equal(quotaCandidate('btrfs', 'btrfs').maybe, true);
    assert.equal(quotaCandidate('vfs', undefined).maybe, false);
  });
});
