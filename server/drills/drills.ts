/**
 * Team drills as facilitators run them and participants join them. A facilitator (or admin)
 * sets one up and gets a join code; signed-in participants join with it and pick (or are given)
 * a team. A team's first member owns its session, started at once and *held* fully provisioned
 * (server/engine/holding.ts); the facilitator's Start releases every team's session at the same
 * instant. Drills need team mode: in personal mode there is nobody to keep apart.
 */
import crypto from 'node:crypto';
import { SickbayError } from '@/lib/errors';
import type { Principal } from '@/lib/auth/roles';
import { assignTeam, drillClock, drillPhase, drillSeats, ownTeamRefusal, startRefusal, teamReadiness, type DrillPhase, type TeamReadiness } from '@/lib/drills/rules';
import type { SessionStatus } from '@/lib/lifecycle/status';
import type { AuthService } from '../auth/auth';
import { checkStartLimits } from '../auth/start-limits';
import type { Catalogue } from '../engine/catalogue';
import type { SessionEngine } from '../engine/engine';
import { debriefTeam, type DebriefTeam } from '@/lib/drills/debrief';
import type { StoredReport } from '@/lib/scoring/session-report';
import type { Store } from '../store/store';
import type { SessionMembers } from '../sessions/members';
import { drillBoard, type Board } from './board';
import type { Drill, DrillStore, DrillTeam, NewDrill } from './store';
import type { CodeGuesses } from './code-guesses';

export interface DrillDeps {
  auth: AuthService;
  engine: SessionEngine;
  catalogue: Catalogue;
  store: Store;
  drills: DrillStore;
  /** The team sessions' seats (server/sessions/members.ts): a drill team works as one team. */
  members: SessionMembers;
  clock?: () => number;
  log?: (message: string) => void;
  /** Unknown join codes per user (code-guesses.ts); without it, codes are not throttled (unit tests). */
  guesses?: CodeGuesses;
}

/** The drill a join code opens; an unknown code counts against the user, who is refused while guessing. */
function byCode(deps: DrillDeps, userId: string, code: string): Drill {
  deps.guesses?.check(userId);
  const drill = deps.drills.byCode(code);
  if (drill) return drill;
  deps.guesses?.miss(userId);
  throw new SickbayError('not_found', 'no drill has this code: check it with your facilitator');
}

export interface TeamState extends DrillTeam {
  readiness: TeamReadiness;
  sessionStatus: SessionStatus | null;
}

/** A drill as its facilitator sees it: every team's readiness, the phase and the clock. */
export interface DrillState extends Omit<Drill, 'teams'> {
  phase: DrillPhase;
  elapsedMs: number;
  remainingMs: number;
  teams: TeamState[];
  /** Why Start cannot go now (null when it can). */
  startBlocked: string | null;
}

/** What a participant sees: the drill without the other teams' members, their own team in full. */
export interface ParticipantState {
  id: string;
  name: string;
  scenario: string;
  phase: DrillPhase;
  timeLimitMin: number;
  startedAt: string | null;
  elapsedMs: number;
  remainingMs: number;
  teams: { id: string; name: string; members: number }[];
  team: (TeamState & { owner: boolean }) | null;
}

const now = (deps: DrillDeps) => (deps.clock ?? Date.now)();

function sessionStatus(deps: DrillDeps, sessionId: string | null): SessionStatus | null {
  return sessionId ? (deps.store.getSession(sessionId)?.status ?? null) : null;
}

/** The facilitator's view of a drill (also what the board polls). */
export function drillState(deps: DrillDeps, drill: Drill): DrillState {
  const timing = { startedAt: drill.startedAt ? Date.parse(drill.startedAt) : null, endedAt: drill.endedAt ? Date.parse(drill.endedAt) : null, timeLimitMin: drill.timeLimitMin };
  const t = now(deps);
  const phase = drillPhase(timing, t);
  const teams = drill.teams.map((team) => {
    const status = sessionStatus(deps, team.sessionId);
    return { ...team, sessionStatus: status, readiness: teamReadiness(status) };
  });
  const blocked = startRefusal(phase, teams.map((x) => ({ name: x.name, members: x.members.length, readiness: x.readiness })));
  return { ...drill, phase, ...drillClock(timing, t), teams, startBlocked: blocked };
}

export class DrillAdmin {
  constructor(
    private readonly deps: DrillDeps,
    private readonly principal: Principal,
  ) {
    const { role } = principal.user;
    if (principal.candidate || (role !== 'admin' && role !== 'facilitator')) throw new SickbayError('forbidden', 'only facilitators and admins run drills');
  }

  private get admin(): boolean {
    return this.principal.user.role === 'admin';
  }

  list(): DrillState[] {
    return this.deps.drills.list(this.admin ? null : this.principal.user.id).map((d) => drillState(this.deps, d));
  }

  /** A drill this user created (any, for admins); 404 for any other. */
  private drill(id: string): Drill {
    const drill = this.deps.drills.get(id);
    if (!drill || (!this.admin && drill.createdBy !== this.principal.user.id)) throw new SickbayError('not_found', `no drill ${JSON.stringify(id.slice(0, 40))}`);
    return drill;
  }

  get(id: string): DrillState {
    return drillState(this.deps, this.drill(id));
  }

  create(input: Omit<NewDrill, 'seed'> & { seed?: string }): DrillState {
    if (!this.deps.auth.teamMode()) throw new SickbayError('conflict', 'drills need team mode (an admin account or SICKBAY_PUBLIC_URL): participants join with their own accounts');
    this.deps.catalogue.get(input.scenario);
    if (input.mode === 'teams' && input.teams.length < 1) throw new SickbayError('bad_request', 'teams: name at least one team (or choose individuals)');
    // Random unless given, so nobody can pass the answer on from an earlier drill.
    const seed = input.seed ?? crypto.randomBytes(6).toString('hex');
    const drill = this.deps.drills.create({ ...input, seed, teams: input.mode === 'teams' ? input.teams : [] }, this.principal.user.id);
    this.deps.auth.audit.record(this.principal.user.id, 'drill.create', drill.id, `${input.scenario}, ${drill.teams.length} team(s)`);
    return drillState(this.deps, drill);
  }

  /**
   * Starts (again) the held session of every team that has members but no live one. The teams
   * a limit refuses are named in a 409, after the others were started.
   */
  prepare(id: string): DrillState {
    const drill = this.drill(id);
    if (drill.startedAt || drill.endedAt) throw new SickbayError('conflict', 'the drill has already started: sessions are prepared in the lobby only');
    const refused: string[] = [];
    for (const team of drill.teams) {
      const first = team.members[0];
      if (!first) continue;
      try {
        provisionTeam(this.deps, drill, team, first.userId, first.email ?? first.name);
      } catch (err) {
        this.deps.log?.(`drill ${drill.id}: could not prepare the session of team "${team.name}": ${(err as Error).message}`);
        refused.push(`"${team.name}": ${(err as Error).message}`);
      }
    }
    if (refused.length) throw new SickbayError('conflict', `could not prepare the session of ${refused.join('; ')}`);
    return this.get(id);
  }

  /**
   * Start: every team with members must be ready (held); their sessions are released at one
   * instant, which is also the drill's start. Teams nobody joined are left out.
   */
  start(id: string): DrillState {
    const state = this.get(id);
    if (state.startBlocked) throw new SickbayError('conflict', `cannot start: ${state.startBlocked}`);
    const ids = state.teams.filter((t) => t.members.length > 0 && t.sessionId).map((t) => t.sessionId as string);
    const { readyAt } = this.deps.engine.release(ids, `released by the drill's start (${state.name})`);
    this.deps.drills.markStarted(id, readyAt);
    this.deps.auth.audit.record(this.principal.user.id, 'drill.start', id, `${ids.length} session(s)`);
    return this.get(id);
  }

  /** Every team's final report side by side (lib/drills/debrief.ts); once the drill is over. */
  debrief(id: string): { drill: DrillState; teams: DebriefTeam[] } {
    const drill = this.get(id);
    if (drill.phase !== 'over') throw new SickbayError('conflict', 'the debrief is made when the drill is over: end it first');
    const { store, catalogue } = this.deps;
    const teams = drill.teams.flatMap((t) => {
      const record = t.sessionId ? store.getSession(t.sessionId) : null;
      const report = record ? store.getReport<StoredReport>(record.id) : null;
      if (!record || !report || !catalogue.has(record.scenario)) return [];
      const services = Object.keys(catalogue.get(record.scenario).definition.services(record.params));
      return [debriefTeam({ id: t.id, name: t.name, sessionId: record.id }, store.listEvents(record.id), report, services)];
    });
    return { drill, teams };
  }

  /** The same drill again with a new seed (same scenario, teams, limit): a new code, teams join afresh. */
  rerun(id: string): DrillState {
    const old = this.get(id);
    if (old.phase !== 'over') throw new SickbayError('conflict', 'a drill is re-run once it is over');
    return this.create({
      name: old.name,
      scenario: old.scenario,
      seedMode: old.seedMode,
      mode: old.mode,
      teams: old.mode === 'teams' ? old.teams.map((t) => t.name) : [],
      timeLimitMin: old.timeLimitMin,
      rerunOf: old.id,
    });
  }

  /** Ends the drill and every team's session still live (each gets its report). */
  async end(id: string): Promise<DrillState> {
    const drill = this.drill(id);
    await endDrill(this.deps, drill.id, 'the facilitator ended the drill');
    this.deps.auth.audit.record(this.principal.user.id, 'drill.end', id, null);
    return this.get(id);
  }
}

/** Ends a drill's live sessions, then the drill (the sweep calls this at the time limit). */
export async function endDrill(deps: DrillDeps, drillId: string, reason: string): Promise<void> {
  const drill = deps.drills.require(drillId);
  for (const team of drill.teams) {
    if (team.sessionId && deps.engine.isLive(team.sessionId)) {
      await deps.engine.end(team.sessionId, reason).catch((err) => deps.log?.(`ending drill session ${team.sessionId}: ${(err as Error).message}`));
    }
  }
  deps.drills.markEnded(drillId, now(deps));
}

/**
 * Starts a team's held session, owned by `ownerId`, unless it has one that is live. It obeys the
 * limits of every other start: the owner's (start-limits.ts, `who` names them when they are not
 * the one asking) and the lab's (the engine); a refusal is thrown as it is.
 */
function provisionTeam(deps: DrillDeps, drill: Drill, team: DrillTeam, ownerId: string, who?: string): void {
  if (team.sessionId && deps.engine.isLive(team.sessionId)) return;
  checkStartLimits(deps, ownerId, who);
  const session = deps.engine.create({ scenario: drill.scenario, seed: team.seed, ownerId, coach: false, hold: true });
  if (!deps.drills.setTeamSession(team.id, session.id, ownerId, team.sessionId)) {
    // Another member's join attached one first: this one is not needed.
    void deps.engine.end(session.id, 'not needed: the team already has a session').catch(() => {});
    return;
  }
  seatTeam(deps, { ...team, sessionId: session.id }, ownerId);
}

/** Gives every member of a team its seat in the team's session (by order of joining), when it has one. */
function seatTeam(deps: DrillDeps, team: DrillTeam, by: string): void {
  if (!team.sessionId || !deps.engine.isLive(team.sessionId)) return;
  try {
    deps.members.set(team.sessionId, drillSeats(team.members.map((m) => m.userId)), by);
  } catch (err) {
    deps.log?.(`drill team "${team.name}": could not seat its members: ${(err as Error).message}`);
  }
}

/** The drill a join code opens, as a participant may see it before joining (teams and their sizes). */
export function drillByCode(deps: DrillDeps, principal: Principal, code: string): { id: string; name: string; scenario: string; mode: Drill['mode']; phase: DrillPhase; teams: { id: string; name: string; members: number }[] } {
  const drill = byCode(deps, principal.user.id, code);
  const timing = deps.drills.timing(drill.id)!;
  return { id: drill.id, name: drill.name, scenario: drill.scenario, mode: drill.mode, phase: drillPhase(timing, now(deps)), teams: drill.teams.map((t) => ({ id: t.id, name: t.name, members: t.members.length })) };
}

/**
 * A signed-in participant joins with the code, into the team they picked or the smallest one
 * (their own, in individuals mode). Joining twice keeps the first team. The team's first member
 * starts its held session, under the same limits as any start: when one refuses it, the join is
 * undone and refused with the limit's reason. Only in the lobby: a running drill has its teams.
 */
export function joinDrill(deps: DrillDeps, principal: Principal, code: string, teamId?: string): ParticipantState {
  if (principal.candidate || principal.via === 'personal') throw new SickbayError('forbidden', 'join a drill with your own account');
  const userId = principal.user.id;
  const found = byCode(deps, userId, code);
  if (found.teams.some((t) => t.members.some((m) => m.userId === userId))) return participantState(deps, principal, found.id);
  if (drillPhase(deps.drills.timing(found.id)!, now(deps)) !== 'lobby') throw new SickbayError('conflict', 'this drill has already started: ask your facilitator to add you to the next one');
  if (found.createdBy === userId) throw new SickbayError('conflict', 'you run this drill: open it from your drills page, and join with another account to take part');
  let team: DrillTeam | undefined;
  if (found.mode === 'individuals') {
    const full = ownTeamRefusal(found.teams.length);
    if (full) throw new SickbayError('conflict', full);
    const id = deps.drills.addOwnTeam(found, principal.user.name);
    team = deps.drills.require(found.id).teams.find((t) => t.id === id);
  } else if (teamId !== undefined) {
    team = found.teams.find((t) => t.id === teamId);
    if (!team) throw new SickbayError('bad_request', 'teamId: no such team in this drill');
  } else {
    const pick = assignTeam(found.teams.map((t) => ({ id: t.id, members: t.members.length })));
    team = found.teams.find((t) => t.id === pick?.id);
  }
  if (!team) throw new SickbayError('conflict', 'this drill has no team to join');
  deps.drills.join(found.id, team.id, userId);
  const fresh = deps.drills.require(found.id).teams.find((t) => t.id === team.id) as DrillTeam;
  // The first member owns the team's session and drives; the others take the team's seats.
  if (fresh.members[0]?.userId !== userId) seatTeam(deps, fresh, userId);
  else {
    try {
      provisionTeam(deps, found, fresh, userId);
    } catch (err) {
      deps.drills.leave(found.id, userId, found.mode === 'individuals' ? team.id : null);
      if (!(err instanceof SickbayError)) throw err;
      throw new SickbayError(err.code, `you cannot join yet: as your team’s first member you would start its session, and ${err.message}`, { cause: err });
    }
  }
  return participantState(deps, principal, found.id);
}

/** A participant's view of a drill they joined; 404 for one they did not join. */
export function participantState(deps: DrillDeps, principal: Principal, drillId: string): ParticipantState {
  const drill = deps.drills.get(drillId);
  const team = drill?.teams.find((t) => t.members.some((m) => m.userId === principal.user.id));
  if (!drill || !team) throw new SickbayError('not_found', `no drill ${JSON.stringify(drillId.slice(0, 40))}`);
  const state = drillState(deps, drill);
  const mine = state.teams.find((t) => t.id === team.id) as TeamState;
  return {
    id: drill.id,
    name: drill.name,
    scenario: drill.scenario,
    phase: state.phase,
    timeLimitMin: drill.timeLimitMin,
    startedAt: drill.startedAt,
    elapsedMs: state.elapsedMs,
    remainingMs: state.remainingMs,
    teams: drill.teams.map((t) => ({ id: t.id, name: t.name, members: t.members.length })),
    team: { ...mine, owner: mine.ownerId === principal.user.id },
  };
}

/** The drill as whoever asks may see it: its facilitator (or an admin not taking part) the whole of it, a participant their view. */
export function drillFor(deps: DrillDeps, principal: Principal, drillId: string): { role: 'facilitator'; drill: DrillState; board: Board } | { role: 'participant'; drill: ParticipantState } {
  const { role, id } = principal.user;
  const drill = deps.drills.get(drillId);
  // A member sees their team's view, even an admin taking part; its creator and admins the whole.
  const member = drill?.teams.some((t) => t.members.some((m) => m.userId === id)) ?? false;
  const runs = (role === 'facilitator' && drill?.createdBy === id) || (role === 'admin' && !member);
  if (drill && !principal.candidate && runs) {
    const state = drillState(deps, drill);
    return { role: 'facilitator', drill: state, board: drillBoard(deps, state) };
  }
  return { role: 'participant', drill: participantState(deps, principal, drillId) };
}
