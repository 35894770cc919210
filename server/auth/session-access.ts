/**
 * The engine as one user may see it: every route, page and the terminal WebSocket reach
 * sessions through `access.as(principal)`, which asks lib/auth/access.ts before each call.
 * A session the user may not see answers 404 exactly like one that does not exist; a session
 * they watch but may not work in answers 403 with the reason. Per-user limits apply here, in
 * team mode only.
 */
import { SickbayError } from '@/lib/errors';
import { sessionAccess, type WatchLink } from '@/lib/auth/access';
import { sharedSessionAccess, type SharedAction } from '@/lib/auth/team-access';
import type { Member, TeamRole } from '@/lib/auth/team';
import type { Principal } from '@/lib/auth/roles';
import type { SessionEvent } from '@/lib/audit/events';
import type { NextStep } from '@/lib/scoring/next-step';
import { creditByPerson, type PersonCredit } from '@/lib/scoring/credit';
import type { StoredReport } from '@/lib/scoring/session-report';
import type { SessionEngine, SessionListItem, SessionView, GoalReport } from '../engine/engine';
import type { CustomerView } from '../engine/customer-view';
import type { DiagnosisInput } from '../engine/learner-input';
import type { SessionHistoryItem } from '../engine/views';
import type { Store } from '../store/store';
import type { SessionMembers, TeamView } from '../sessions/members';
import type { AuthService } from './auth';
import { checkStartLimits } from './start-limits';

export interface AccessDeps {
  engine: SessionEngine;
  store: Store;
  auth: AuthService;
  members: SessionMembers;
  clock?: () => number;
}

/**
 * What the terminal gateway does with an upgrade: go on (null: the owner's terminal), go on as
 * this member of the session's team (input only while they drive), or refuse with this status.
 */
export type TerminalVerdict = null | { member: string } | { status: 403 | 404; message: string };

export class SessionAccess {
  constructor(private readonly deps: AccessDeps) {}

  as(principal: Principal): ScopedSessions {
    return new ScopedSessions(this.deps, principal);
  }
}

export class ScopedSessions {
  private links: WatchLink[] | null = null;

  constructor(
    private readonly deps: AccessDeps,
    readonly principal: Principal,
  ) {}

  private get actor() {
    return { id: this.principal.user.id, role: this.principal.user.role };
  }

  private watchLinks(): WatchLink[] {
    this.links ??= this.deps.auth.watchLinks.of(this.principal.user.id);
    return this.links;
  }

  /** Throws 404 (hidden) or 403 (seen but not allowed); returns the owner's id. */
  private require(id: string, action: SharedAction, team = this.deps.members.of(id)): string {
    const ownerId = this.deps.engine.ownerOf(id);
    const { verdict, message } = sharedSessionAccess(this.actor, { id, ownerId }, action, this.watchLinks(), team);
    if (verdict === 'hidden') throw new SickbayError('not_found', `no session ${id}`);
    if (verdict === 'forbidden') throw new SickbayError('forbidden', message);
    return ownerId;
  }

  /** What this user does in an action: the event's actor in a team session, none otherwise. */
  private credit(id: string, action: SharedAction): { actor?: string } {
    const team = this.deps.members.of(id);
    this.require(id, action, team);
    return team.length ? { actor: this.principal.user.id } : {};
  }

  /** True when this user works the session's terminal: its owner, or a member of its team. */
  owns(id: string): boolean {
    const team = this.deps.members.of(id);
    if (team.length) return team.some((m) => m.userId === this.principal.user.id);
    return this.deps.engine.ownerOf(id) === this.principal.user.id;
  }

  /** The session's team with names, the driver, and this user's role (null: not a member). */
  team(id: string): TeamView {
    this.require(id, 'view');
    const members = this.deps.members.views(id);
    return {
      me: this.principal.user.id,
      members,
      driver: members.find((m) => m.role === 'driver')?.userId ?? null,
      you: members.find((m) => m.userId === this.principal.user.id)?.role ?? null,
    };
  }

  /** Sets the session's team (its owner or an admin; drills call SessionMembers directly). */
  setTeam(id: string, members: Member[]): Member[] {
    this.require(id, 'members');
    return this.deps.members.set(id, members, this.principal.user.id);
  }

  /** Changes one member's role (its owner or an admin). */
  setRole(id: string, userId: string, role: TeamRole): Member[] {
    this.require(id, 'members');
    return this.deps.members.setRole(id, userId, role, this.principal.user.id);
  }

  /** Hands the driver seat to another member (the driver or the commander). */
  handOver(id: string, to: string): { from: string; to: string; members: Member[] } {
    this.require(id, 'seat');
    return this.deps.members.handOver(id, this.principal.user.id, to);
  }

  /**
   * A session's view. Only the view of whoever works it (its owner, or in a team session a
   * member) carries the terminal token, and only their reading counts as activity (a watcher's
   * polling must not keep a session alive).
   */
  get(id: string, options: { touch?: boolean } = {}): SessionView {
    this.require(id, 'view');
    const view = this.deps.engine.get(id);
    // A team member's page opens the terminal too: the gateway gives input to the driver only.
    if (!this.owns(id)) return { ...view, terminal: null };
    if (options.touch && this.deps.engine.isLive(id)) this.deps.engine.touch(id);
    return view;
  }

  /** The sessions this user may see: everyone's for admins, else their own and those they watch. */
  list(): SessionListItem[] {
    const { engine } = this.deps;
    if (this.principal.user.role === 'admin') return engine.list();
    const links = this.watchLinks();
    const owners = [this.principal.user.id, ...links.filter((l) => l.sessionId === undefined).map((l) => l.learnerId)];
    const ids = links.flatMap((l) => (l.sessionId === undefined ? [] : [l.sessionId]));
    const teams = new Set(this.deps.members.sessionsOf(this.principal.user.id));
    return engine
      .list({ owners: [...new Set(owners)], ids: [...ids, ...teams] })
      .filter((s) => teams.has(s.id) || sessionAccess(this.actor, { id: s.id, ownerId: s.ownerId }, 'view', links) === 'allow');
  }

  /** Only the user's own sessions (their history, "my sessions"). */
  own(): SessionListItem[] {
    return this.deps.engine.list({ owners: [this.principal.user.id] });
  }

  /** This user's own sessions with report summaries, newest first (their progress). */
  history(): SessionHistoryItem[] {
    return this.deps.engine.history(this.principal.user.id);
  }

  create(input: { scenario: string; seed?: string; newCulprit?: boolean; coach?: boolean }): SessionView {
    this.checkLimits();
    return this.deps.engine.create({ ...input, ownerId: this.principal.user.id, learnerStart: true });
  }

  /** SICKBAY_USER_MAX_SESSIONS and SICKBAY_USER_STARTS_PER_MINUTE (start-limits.ts); not in personal mode. */
  private checkLimits(): void {
    if (this.principal.via !== 'personal') checkStartLimits(this.deps, this.principal.user.id);
  }

  async end(id: string): Promise<SessionView> {
    const ownerId = this.require(id, 'end');
    const mine = ownerId === this.principal.user.id;
    if (!mine) this.deps.auth.audit.record(this.principal.user.id, 'session.end', id, `owner ${ownerId}`);
    // Besides the owner, only an admin or a drill's facilitator gets here (lib/auth/team-access.ts).
    const by = this.principal.user.role === 'admin' ? 'an admin' : 'the drill’s facilitator';
    const view = await this.deps.engine.end(id, mine ? 'ended by the learner' : `ended by ${by} (${this.principal.user.email ?? this.principal.user.name})`);
    return mine ? view : { ...view, terminal: null };
  }

  events(id: string, afterId = 0): SessionEvent[] {
    this.require(id, 'view');
    const events = this.deps.engine.events(id, afterId);
    // An interview candidate sees their own steps only (the evidence their diagnosis may cite):
    // no goal checks, faults, coach or lifecycle events that would hint at a score.
    return this.principal.candidate ? events.filter((e) => e.kind === 'typed' || e.kind === 'docker') : events;
  }

  customers(id: string, since?: number): CustomerView {
    this.require(id, 'view');
    return this.deps.engine.customers(id, since);
  }

  /** The report; in a team session with `credit`, each action credited to its person. */
  report(id: string): StoredReport & { credit?: PersonCredit[] } {
    this.require(id, 'view');
    const report = this.deps.engine.report(id);
    const events = this.deps.engine.events(id);
    const actors = [...new Set(events.flatMap((e) => (e.kind === 'team' ? [e.by] : e.actor ? [e.actor] : [])))];
    if (actors.length === 0) return report;
    return { ...report, credit: creditByPerson(events, this.deps.members.namesOf(actors)) };
  }

  recordingPath(id: string): string {
    this.require(id, 'view');
    return this.deps.engine.recordingPath(id);
  }

  hintsTaken(id: string): string[] {
    this.require(id, 'view');
    return this.deps.engine.hintsTaken(id);
  }

  /** Coach mode's next protocol step (null in exam mode). */
  coachStep(id: string): NextStep | null {
    this.require(id, 'view');
    return this.deps.engine.coachStep(id);
  }

  checkGoals(id: string): Promise<GoalReport> {
    this.require(id, 'check');
    return this.deps.engine.checkGoals(id);
  }

  submitDiagnosis(id: string, input: DiagnosisInput): SessionEvent {
    return this.deps.engine.submitDiagnosis(id, { ...input, ...this.credit(id, 'diagnose') });
  }

  submitUpdate(id: string, text: string): SessionEvent {
    return this.deps.engine.submitUpdate(id, text, this.credit(id, 'update').actor);
  }

  takeHint(id: string): { index: number; text: string; remaining: number } {
    return this.deps.engine.takeHint(id, this.credit(id, 'hint').actor);
  }

  /** Where a watcher opens the read-only mirror of the terminal (never the learner's own page). */
  mirror(id: string): { path: string; token: string } {
    this.require(id, 'watch');
    return this.deps.engine.mirror(id);
  }

  /**
   * The session and its whole log for a watcher's live view (the interviewer's timeline): never
   * its learner, who gets 403 here (and a candidate 404 before this, lib/interviews/rules.ts).
   */
  watched(id: string): { view: SessionView; events: SessionEvent[] } {
    this.require(id, 'watch');
    // A team member watches the terminal, never the risk-tagged timeline (drills are exams).
    if (this.deps.members.of(id).some((m) => m.userId === this.principal.user.id)) {
      throw new SickbayError('forbidden', 'the live timeline is for watchers; team members work on the session page');
    }
    return { view: { ...this.deps.engine.get(id), terminal: null }, events: this.deps.engine.events(id, 0) };
  }

  /**
   * The terminal WebSocket: the owner types; a watcher gets the mirror; anyone else a 404. In a
   * team session every member connects, and the gateway gives input to the driver only.
   */
  terminalVerdict(id: string, mirror: boolean): TerminalVerdict {
    try {
      const team = this.deps.members.of(id);
      this.require(id, mirror ? 'watch' : 'terminal', team);
      return !mirror && team.length ? { member: this.principal.user.id } : null;
    } catch (err) {
      const e = err as SickbayError;
      if (e.code === 'forbidden') return { status: 403, message: e.message };
      return { status: 404, message: 'this session has no terminal (unknown, not ready yet, or ended)' };
    }
  }
}
