import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent, SessionEventBody } from '@/lib/audit/events';
import { budgetState, liveTimeline, tierTag } from '@/lib/interviews/live';
import { TIERS } from '@/lib/audit/classification';

let next = 0;
function ev(t: number, body: SessionEventBody): SessionEvent {
  next += 1;
  return { ...body, id: next, sessionId: 's1', t, at: 1_000_000 + t } as SessionEvent;
}

const docker = (action: string, extra: Partial<Extract<SessionEventBody, { kind: 'docker' }>> = {}): SessionEventBody => ({
  kind: 'docker',
  action,
  method: 'GET',
  path: `/containers/api/${action}`,
  target: 'api',
  allowed: true,
  status: 200,
  ...extra,
});

describe('the interviewer’s live timeline', () => {
  const events = [
    ev(0, { kind: 'lifecycle', status: 'provisioning' }),
    ev(2_000, { kind: 'lifecycle', status: 'ready' }),
    ev(12_000, docker('logs')),
    ev(13_000, docker('exec-create', { method: 'POST', path: '/containers/api/exec', command: ['ps', 'aux'] })),
    ev(13_100, docker('exec-start', { method: 'POST', path: '/exec/abc/start' })),
    ev(40_000, { kind: 'typed', where: 'exec', target: 'api', line: 'rm -rf /var/lib/data', approximate: false }),
    ev(50_000, docker('restart', { method: 'POST', path: '/containers/api/restart' })),
    ev(60_000, docker('run', { method: 'POST', path: '/containers/create', allowed: false, status: 403, reason: 'sickbay: privileged' })),
    ev(70_000, { kind: 'goals', final: false, passed: 1, total: 2, results: [{ id: 'a', title: 'A', pass: true, evidence: 'ok' }, { id: 'b', title: 'B', pass: false, evidence: 'no' }] }),
  ];

  it('lists typed commands and Docker calls on the session clock, each with a tier label and icon, companions left out', () => {
    const live = liveTimeline({ events, readyAt: 2_000 });
    assert.deepEqual(
      live.entries.map((e) => [e.t, e.source, e.tag.tier, e.tag.label, e.refused]),
      [
        [10_000, 'docker', 'external', 'look from outside', false],
        [11_000, 'docker', 'read-only', 'read-only inside', false],
        [38_000, 'exec', 'destructive', 'destructive', false],
        [48_000, 'docker', 'state-losing', 'evidence-losing', false],
        [58_000, 'docker', live.entries[4]!.tag.tier, live.entries[4]!.tag.label, true],
      ],
    );
    assert.equal(live.entries[2]!.target, 'api');
    assert.equal(live.entries[2]!.text, 'rm -rf /var/lib/data');
    assert.ok(live.entries.every((e) => e.tag.icon.length > 0 && e.summary.length > 0));
  });

  it('measures the emergency timeline from ready, scaled per scenario, and keeps the last goal check', () => {
    const live = liveTimeline({ events, readyAt: 2_000, timelineScale: 2 });
    assert.deepEqual(
      live.budgets.map((b) => [b.name, b.budgetMs, b.atMs]),
      [
        ['outside health check', 60_000, 10_000],
        ['logs and resource usage', 240_000, 11_000], // ps aux shows resource use too
        ['look inside', 600_000, 11_000],
      ],
    );
    assert.deepEqual(live.goals && [live.goals.t, live.goals.passed, live.goals.total], [68_000, 1, 2]);
  });

  it('before ready nothing is reached and there are no goals yet', () => {
    const live = liveTimeline({ events: events.slice(0, 1), readyAt: null });
    assert.deepEqual(live.entries, []);
    assert.ok(live.budgets.every((b) => b.atMs === null));
    assert.equal(live.goals, null);
  });

  it('a milestone is met, late, running or overdue', () => {
    const b = { name: 'x', budgetMs: 30_000, miss: 'm' };
    assert.equal(budgetState({ ...b, atMs: 30_000 }, 99_000), 'met');
    assert.equal(budgetState({ ...b, atMs: 30_001 }, 99_000), 'late');
    assert.equal(budgetState({ ...b, atMs: null }, 29_999), 'running');
    assert.equal(budgetState({ ...b, atMs: null }, 30_000), 'overdue');
  });

  it('every tier has a text label and an icon, not a colour alone', () => {
    for (const t of TIERS) {
      const tag = tierTag(t);
      assert.ok(tag.label && tag.icon && tag.tone, t);
    }
    assert.equal(new Set(TIERS.map((t) => tierTag(t).label)).size, TIERS.length, 'labels tell the tiers apart');
  });
});
