import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { debriefCsv, debriefSpanMs, type DebriefTeam } from '@/lib/drills/debrief';
import { CODE_LENGTH, CODE_PATTERN, MAX_TEAMS, assignTeam, drillClock, drillSeats, drillPhase, joinCode, normalizeCode, ownTeamRefusal, startRefusal, teamNameProblem, teamReadiness, teamSeed } from '@/lib/drills/rules';

const MIN = 60_000;

describe('drill rules', () => {
  it('makes join codes from the unambiguous alphabet and reads them back however typed', () => {
    const code = joinCode(Uint8Array.from([0, 1, 2, 30, 31, 255, 9]));
    assert.equal(code.length, CODE_LENGTH);
    assert.match(code, CODE_PATTERN);
    assert.equal(code, 'ABC9AH');
    assert.doesNotMatch(code, /[01OIL]/);
    assert.equal(normalizeCode(' abc-9ah '), 'ABC9AH');
    assert.throws(() => joinCode(new Uint8Array(3)), /6 random bytes/);
  });

  it('gives every team the same seed by default, or one per team', () => {
    assert.deepEqual([0, 1, 2].map((i) => teamSeed('s1', 'shared', i)), ['s1', 's1', 's1']);
    assert.deepEqual([0, 1].map((i) => teamSeed('s1', 'per-team', i)), ['s1-t1', 's1-t2']);
    assert.throws(() => teamSeed('bad seed', 'shared', 0), /not a valid seed/);
  });

  it('wants distinct, non-empty team names', () => {
    assert.equal(teamNameProblem(['Red', 'Blue']), null);
    assert.match(teamNameProblem(['Red', ' red ']) ?? '', /two teams are called "red"/);
    assert.match(teamNameProblem(['  ']) ?? '', /needs a name/);
    assert.match(teamNameProblem(['x'.repeat(41)]) ?? '', /at most 40/);
  });

  it('takes individuals up to MAX_TEAMS, as many as a teams drill may name', () => {
    assert.equal(ownTeamRefusal(MAX_TEAMS - 1), null);
    assert.match(ownTeamRefusal(MAX_TEAMS) ?? '', /^this drill is full: it has 20 participants/);
  });

  it('assigns a newcomer to the smallest team, the first listed on a tie', () => {
    assert.equal(assignTeam([{ id: 'a', members: 2 }, { id: 'b', members: 1 }, { id: 'c', members: 1 }])?.id, 'b');
    assert.equal(assignTeam([]), null);
  });

  it('runs lobby -> running -> over, by Start, the time limit or an early end', () => {
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    const drill = { startedAt: null, endedAt: null, timeLimitMin: 30 };
    assert.equal(drillPhase(drill, t0), 'lobby');
    assert.deepEqual(drillClock(drill, t0), { elapsedMs: 0, remainingMs: 30 * MIN });
    const started = { ...drill, startedAt: t0 };
    assert.equal(drillPhase(started, t0 + 29 * MIN), 'running');
    assert.deepEqual(drillClock(started, t0 + 10 * MIN), { elapsedMs: 10 * MIN, remainingMs: 20 * MIN });
    assert.equal(drillPhase(started, t0 + 30 * MIN), 'over');
    assert.deepEqual(drillClock(started, t0 + 90 * MIN), { elapsedMs: 30 * MIN, remainingMs: 0 }, 'the clock stops at the limit');
    const ended = { ...started, endedAt: t0 + 5 * MIN };
    assert.equal(drillPhase(ended, t0 + 6 * MIN), 'over');
    assert.equal(drillClock(ended, t0 + 20 * MIN).elapsedMs, 5 * MIN, 'and at an early end');
  });

  it('reads a team session status as readiness', () => {
    assert.deepEqual(
      ([null, 'queued', 'provisioning', 'held', 'ready', 'ending', 'ended', 'failed'] as const).map(teamReadiness),
      ['empty', 'preparing', 'preparing', 'ready', 'live', 'ended', 'ended', 'failed'],
    );
  });

  it('lets Start go only when every team with members is held, and says why not', () => {
    const team = (name: string, members: number, readiness: ReturnType<typeof teamReadiness>) => ({ name, members, readiness });
    assert.match(startRefusal('lobby', [team('Red', 0, 'empty')]) ?? '', /nobody has joined yet/);
    assert.match(startRefusal('lobby', [team('Red', 2, 'ready'), team('Blue', 1, 'preparing')]) ?? '', /"Blue" is not ready yet/);
    assert.match(startRefusal('lobby', [team('Red', 2, 'failed')]) ?? '', /"Red" failed to start/);
    assert.match(startRefusal('lobby', [team('Red', 1, 'empty')]) ?? '', /"Red" has no session .*prepare the sessions again/);
    assert.equal(startRefusal('lobby', [team('Red', 2, 'ready'), team('Blue', 0, 'empty')]), null, 'an empty team is left out');
    assert.match(startRefusal('running', [team('Red', 2, 'live')]) ?? '', /already started/);
    assert.match(startRefusal('over', []) ?? '', /over/);
  });

  it('exports every team’s per-rule results as CSV, quoted where needed and never as a formula', () => {
    const team = (name: string, score: number, atMs: number): DebriefTeam => ({
      teamId: name,
      name,
      sessionId: `s-${name}`,
      score,
      subscores: { outcome: 0, diagnosis: 0, protocol: 0, communication: 0 },
      deductions: [],
      rules: [
        { id: 'look-first', title: 'Look first, then touch', status: 'met', points: 10, weight: 10 },
        { id: 'timeline', title: 'Triage, quick "diagnosis", inside', status: 'broken', points: 2, weight: 10 },
      ],
      timeline: [],
      marks: [{ atMs, tier: 'external', text: 'docker logs api' }],
    });
    const csv = debriefCsv([team('Red', 71, 5_000), { ...team('=HYPERLINK("x")', 40, 90_000), cap: 'Capped at 40: restarted before looking.' }]);
    assert.deepEqual(csv.trim().split('\n'), [
      'team,session,rule,title,status,points,weight',
      'Red,s-Red,total,Total score,,71,100',
      'Red,s-Red,look-first,"Look first, then touch",met,10,10',
      'Red,s-Red,timeline,"Triage, quick ""diagnosis"", inside",broken,2,10',
      `"'=HYPERLINK(""x"")","s-=HYPERLINK(""x"")",total,Total score,capped,40,100`,
      `"'=HYPERLINK(""x"")","s-=HYPERLINK(""x"")",look-first,"Look first, then touch",met,10,10`,
      `"'=HYPERLINK(""x"")","s-=HYPERLINK(""x"")",timeline,"Triage, quick ""diagnosis"", inside",broken,2,10`,
    ]);
    assert.equal(debriefSpanMs([team('Red', 1, 5_000), team('Blue', 1, 90_000)]), 90_000);
    assert.equal(debriefSpanMs([]), 60_000, 'at least a minute');
  });

  it('seats a team by order of joining: driver, commander, scribe, then watchers', () => {
    assert.deepEqual(drillSeats([]), []);
    assert.deepEqual(
      drillSeats(['a', 'b', 'c', 'd', 'e']).map((m) => m.role),
      ['driver', 'commander', 'scribe', 'watcher', 'watcher'],
    );
  });
});
