import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SickbayError, isSickbayError, statusForCode, toSickbayError } from '@/lib/errors';
import { compareNotRestarted, oomKillsIn } from '@/lib/scenario/checks';
import type { ContainerState } from '@/lib/runtime/container';
import { formatBytes, parseBytes, parseDuration } from '@/lib/units';

describe('errors', () => {
  it('maps codes to HTTP statuses in one place', () => {
    assert.equal(statusForCode('bad_request'), 400);
    assert.equal(statusForCode('not_found'), 404);
    assert.equal(statusForCode('conflict'), 409);
    assert.equal(statusForCode('engine_unavailable'), 503);
  });

  it('wraps foreign errors and keeps the cause', () => {
    const cause = new Error('boom');
    const e = toSickbayError(cause, 'provision_failed');
    assert.ok(isSickbayError(e));
    assert.equal(e.code, 'provision_failed');
    assert.equal(e.cause, cause);
    const same = new SickbayError('not_found', 'x');
    assert.equal(toSickbayError(same), same);
    assert.ok(!isSickbayError(new Error('plain')));
  });
});

describe('units', () => {
  it('parses Docker sizes', () => {
    assert.equal(parseBytes('256m'), 256 * 1024 * 1024);
    assert.equal(parseBytes('1g'), 1024 ** 3);
    assert.equal(parseBytes('512k'), 512 * 1024);
    assert.equal(parseBytes('1048576'), 1048576);
    assert.throws(() => parseBytes('lots'), /invalid size/);
    assert.throws(() => parseBytes('0m'), /invalid size/);
  });

  it('parses durations', () => {
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('15m'), 900_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.throws(() => parseDuration('soon'), /invalid duration/);
  });

  it('formats bytes for people', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(256 * 1024 * 1024), '256.0 MiB');
  });
});

describe('compareNotRestarted', () => {
  const before: ContainerState = {
    id: 'c1', name: 'api', running: true, startedAt: '2026-11-26T10:00:00Z', pid: 4242, restartCount: 0, oomKilled: false, exitCode: 0, health: 'healthy',
  };

  it('passes for the same container, start time and PID', () => {
    const r = compareNotRestarted('api', before, { ...before });
    assert.equal(r.pass, true);
    assert.match(r.evidence, /4242/);
  });

  it('fails on a restart and says what changed', () => {
    const r = compareNotRestarted('api', before, { ...before, startedAt: '2026-11-26T10:05:00Z', pid: 5000 });
    assert.equal(r.pass, false);
    assert.match(r.evidence, /started again/);
    assert.match(r.evidence, /PID changed from 4242 to 5000/);
  });

  it('fails when the container is stopped or replaced', () => {
    assert.match(compareNotRestarted('api', before, { ...before, running: false, pid: 0 }).evidence, /not running/);
    assert.match(compareNotRestarted('api', before, { ...before, id: 'c2' }).evidence, /different container/);
  });
});

describe('oomKillsIn', () => {
  it('reads the kill count of cgroup v1 and v2 counters, not the disable flag', () => {
    assert.equal(oomKillsIn('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n'), 3);
    assert.equal(oomKillsIn('low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\n'), 1);
    assert.equal(oomKillsIn('oom_kill_disable 0\nunder_oom 0\n'), null);
    assert.equal(oomKillsIn(''), null);
  });
});
