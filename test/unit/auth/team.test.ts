import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driverOf, handOver, invalidTeam, teamMay, teamRefusal, type Member } from '@/lib/auth/team';
import type { WatchLink } from '@/lib/auth/access';
import { sharedSessionAccess } from '@/lib/auth/team-access';
import type { SessionEvent } from '@/lib/audit/events';
import { creditByPerson } from '@/lib/scoring/credit';

const team: Member[] = [
  { userId: 'cam', role: 'commander' },
  { userId: 'dee', role: 'driver' },
  { userId: 'sam', role: 'scribe' },
  { userId: 'wes', role: 'watcher' },
];

describe('team roles', () => {
  it('gives each action to its role only', () => {
    assert.deepEqual(['cam', 'dee', 'sam', 'wes'].filter((u) => teamMay(team, u, 'type')), ['dee']);
    assert.deepEqual(['cam', 'dee', 'sam', 'wes'].filter((u) => teamMay(team, u, 'diagnose')), ['cam']);
    assert.deepEqual(['cam', 'dee', 'sam', 'wes'].filter((u) => teamMay(team, u, 'update')), ['sam']);
    assert.deepEqual(['cam', 'dee', 'sam', 'wes'].filter((u) => teamMay(team, u, 'seat')), ['cam', 'dee']);
    assert.deepEqual(['cam', 'dee', 'sam', 'wes'].filter((u) => teamMay(team, u, 'check')), ['cam', 'dee']);
    assert.equal(teamMay(team, 'stranger', 'type'), false);
  });

  it('fills an empty seat: no scribe -> the commander writes updates; no commander -> the driver decides', () => {
    const pair: Member[] = [
      { userId: 'cam', role: 'commander' },
      { userId: 'dee', role: 'driver' },
    ];
    assert.equal(teamMay(pair, 'cam', 'update'), true);
    assert.equal(teamMay(pair, 'dee', 'update'), false);
    const solo: Member[] = [{ userId: 'dee', role: 'driver' }];
    assert.equal(teamMay(solo, 'dee', 'diagnose'), true);
    assert.equal(teamMay(solo, 'dee', 'update'), true);
  });

  it('says who may do what when refusing', () => {
    assert.equal(teamRefusal(team, 'sam', 'diagnose'), 'you are the scribe: only the commander submits the diagnosis and decision');
    assert.equal(teamRefusal(team, 'wes', 'type'), 'you are the watcher: only the driver types in the terminal');
  });

  it('validates a team', () => {
    assert.equal(invalidTeam(team), null);
    assert.match(invalidTeam([]) ?? '', /at least one/);
    assert.match(invalidTeam([{ userId: 'a', role: 'commander' }]) ?? '', /exactly one driver/);
    assert.match(invalidTeam([...team, { userId: 'x', role: 'driver' }]) ?? '', /exactly one driver/);
    assert.match(invalidTeam([...team, { userId: 'cam', role: 'watcher' }]) ?? '', /listed twice/);
    assert.match(invalidTeam([...team, { userId: 'y', role: 'scribe' }]) ?? '', /one scribe/);
    assert.match(invalidTeam([{ userId: 'a', role: 'boss' as never }]) ?? '', /unknown role/);
  });

  it('hands the driver seat over by swapping roles', () => {
    const byDriver = handOver(team, 'dee', 'wes');
    assert.ok(byDriver.ok);
    assert.equal(byDriver.from, 'dee');
    assert.equal(driverOf(byDriver.members), 'wes');
    assert.equal(byDriver.members.find((m) => m.userId === 'dee')?.role, 'watcher');
    const byCommander = handOver(team, 'cam', 'cam');
    assert.ok(byCommander.ok, 'the commander takes the seat');
    assert.equal(driverOf(byCommander.members), 'cam');
    assert.equal(byCommander.members.find((m) => m.userId === 'dee')?.role, 'commander');
    assert.equal(invalidTeam(byCommander.members), null);
  });

  it('refuses a handover by the wrong person or to a non-member', () => {
    const byScribe = handOver(team, 'sam', 'sam');
    assert.equal(byScribe.ok, false);
    assert.equal(!byScribe.ok && byScribe.status, 'forbidden');
    const outsider = handOver(team, 'dee', 'zed');
    assert.equal(!outsider.ok && outsider.status, 'bad_request');
    const self = handOver(team, 'dee', 'dee');
    assert.match(!self.ok ? self.reason : '', /already/);
    assert.equal(handOver([], 'dee', 'wes').ok, false);
  });
});

describe('shared session access', () => {
  const owner = { id: 'fay', role: 'facilitator' as const };
  const session = { id: 's1', ownerId: 'fay' };
  const as = (id: string) => ({ id, role: 'learner' as const });

  it('without members, behaves as before: the owner works, strangers see nothing', () => {
    assert.equal(sharedSessionAccess(owner, session, 'diagnose', [], []).verdict, 'allow');
    assert.equal(sharedSessionAccess(owner, session, 'terminal', [], []).verdict, 'allow');
    assert.equal(sharedSessionAccess(owner, session, 'members', [], []).verdict, 'allow');
    assert.equal(sharedSessionAccess(as('zed'), session, 'view', [], []).verdict, 'hidden');
    assert.equal(sharedSessionAccess(owner, session, 'seat', [], []).verdict, 'allow', 'then refused as a bad request: no team');
    assert.equal(sharedSessionAccess(as('zed'), session, 'seat', [], []).verdict, 'hidden');
  });

  it('an owner inside the team (a drill team’s first member) is a member like the others: no rewriting the team, no ending it', () => {
    const seated: Member[] = [
      { userId: session.ownerId, role: 'driver' },
      { userId: 'cam', role: 'commander' },
    ];
    assert.equal(sharedSessionAccess(owner, session, 'members', [], seated).verdict, 'forbidden');
    assert.equal(sharedSessionAccess(owner, session, 'end', [], seated).verdict, 'forbidden');
    assert.equal(sharedSessionAccess(owner, session, 'terminal', [], seated).verdict, 'allow', 'they still drive');
    assert.equal(sharedSessionAccess(owner, session, 'members', [], team).verdict, 'allow', 'an owner outside the team still sets it');
  });

  it('with members, splits the work by role and keeps strangers out', () => {
    const scribe = sharedSessionAccess(as('sam'), session, 'diagnose', [], team);
    assert.deepEqual(scribe, { verdict: 'forbidden', message: 'you are the scribe: only the commander submits the diagnosis and decision' });
    assert.equal(sharedSessionAccess(as('cam'), session, 'diagnose', [], team).verdict, 'allow');
    assert.equal(sharedSessionAccess(as('sam'), session, 'update', [], team).verdict, 'allow');
    assert.equal(sharedSessionAccess(as('wes'), session, 'view', [], team).verdict, 'allow');
    assert.equal(sharedSessionAccess(as('wes'), session, 'terminal', [], team).verdict, 'allow', 'a watcher connects; the gateway gives it no input');
    assert.equal(sharedSessionAccess(as('zed'), session, 'view', [], team).verdict, 'hidden');
    assert.equal(sharedSessionAccess(as('dee'), session, 'members', [], team).verdict, 'forbidden');
  });

  it('leaves the owner of a team session viewing, watching and ending, not working', () => {
    assert.equal(sharedSessionAccess(owner, session, 'view', [], team).verdict, 'allow');
    assert.equal(sharedSessionAccess(owner, session, 'end', [], team).verdict, 'allow');
    assert.equal(sharedSessionAccess(owner, session, 'members', [], team).verdict, 'allow');
    assert.equal(sharedSessionAccess(owner, session, 'terminal', [], team).verdict, 'forbidden');
    assert.equal(sharedSessionAccess(owner, session, 'diagnose', [], team).verdict, 'forbidden');
  });

  it('gives a drill’s facilitator view, watch and end of a team session its first member owns, through the drill alone', () => {
    const teamSession = { id: 's2', ownerId: 'dee' };
    const seated: Member[] = [
      { userId: 'dee', role: 'driver' },
      { userId: 'cam', role: 'commander' },
    ];
    const link = (as: 'facilitator' | 'teammate', watcherId: string, sessionId = 's2'): WatchLink => ({ via: 'drill', as, ref: 'd1', watcherId, learnerId: 'dee', sessionId });
    const fay = { id: 'fay', role: 'facilitator' as const };
    const runs = [link('facilitator', 'fay')];
    for (const members of [seated, []]) {
      for (const action of ['view', 'watch', 'end'] as const) assert.equal(sharedSessionAccess(fay, teamSession, action, runs, members).verdict, 'allow', `${action}, ${members.length} members`);
      for (const action of ['members', 'terminal', 'diagnose', 'check'] as const) assert.equal(sharedSessionAccess(fay, teamSession, action, runs, members).verdict, 'forbidden', `${action}, ${members.length} members`);
    }
    assert.equal(sharedSessionAccess(fay, teamSession, 'end', [link('facilitator', 'fay', 'other')], seated).verdict, 'hidden', 'another drill’s session');
    assert.equal(sharedSessionAccess({ id: 'fay', role: 'learner' }, teamSession, 'end', runs, seated).verdict, 'hidden', 'a facilitator demoted to learner');
    assert.equal(sharedSessionAccess(as('cam'), teamSession, 'end', [link('teammate', 'cam')], seated).verdict, 'forbidden', 'a teammate does not end it');
    assert.equal(sharedSessionAccess(as('wes'), teamSession, 'end', [link('teammate', 'wes')], []).verdict, 'forbidden', 'nor a watching teammate of an unseated team');
  });
});

describe('credit by person', () => {
  const at = (id: number, body: Record<string, unknown>) => ({ id, sessionId: 's', t: id * 1000, at: id, ...body }) as unknown as SessionEvent;
  it('credits each action to the person who did it, and ignores events without an actor', () => {
    const events = [
      at(1, { kind: 'lifecycle', status: 'ready' }),
      at(2, { kind: 'typed', where: 'console', line: 'docker ps', approximate: false, actor: 'dee' }),
      at(3, { kind: 'docker', action: 'ps', method: 'GET', path: '/containers/json', allowed: true, actor: 'dee' }),
      at(4, { kind: 'team', action: 'handover', by: 'dee', from: 'dee', to: 'wes', detail: 'Dee → Wes' }),
      at(5, { kind: 'docker', action: 'restart', method: 'POST', path: '/containers/x/restart', allowed: false, reason: 'sickbay: no', actor: 'wes' }),
      at(6, { kind: 'update', text: 'looking into it', actor: 'sam' }),
      at(7, { kind: 'diagnosis', category: 'a', culprit: 'x', evidence: [3], decision: 'restart', reason: 'r', actor: 'cam' }),
      at(8, { kind: 'terminal', action: 'open', actor: 'wes' }),
    ];
    const credit = creditByPerson(events, { dee: 'Dee', wes: 'Wes', sam: 'Sam' });
    assert.deepEqual(
      credit.map((p) => [p.name, p.commands, p.dockerCalls, p.refusedCalls, p.handovers, p.updates, p.diagnoses]),
      [
        ['Dee', 1, 1, 0, 1, 0, 0],
        ['Wes', 0, 1, 1, 0, 0, 0],
        ['Sam', 0, 0, 0, 0, 1, 0],
        ['cam', 0, 0, 0, 0, 0, 1],
      ],
    );
    assert.deepEqual(credit[0]?.actions.map((a) => a.id), [2, 3, 4]);
    assert.match(credit[0]?.actions[2]?.what ?? '', /driver seat handed over: Dee → Wes/);
  });
});
