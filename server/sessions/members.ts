/**
 * The members of team sessions (lib/auth/team.ts has the rules): set a team, change one
 * member's role, hand the driver seat over. Drills call this directly; the routes reach it
 * through ScopedSessions, which checks who asks. Every change is logged as a `team` event, and
 * a change of driver is passed to the terminal gateway, which turns the old driver's connection
 * into a mirror and the new driver's into the input connection of the same shell.
 */
import { SickbayError } from '@/lib/errors';
import { driverOf, handOver, invalidTeam, isTeamRole, type Member, type TeamRole } from '@/lib/auth/team';
import type { Store } from '../store/store';

/** A member as the session page shows them. */
export interface MemberView extends Member {
  name: string;
  email: string | null;
}

/** A session's team as its page shows it: the members, the driver, and the role of the user looking. */
export interface TeamView {
  members: MemberView[];
  driver: string | null;
  you: TeamRole | null;
  /** The user looking. */
  me: string;
}

/**
 * Told after every change of a session's team (the terminal gateway re-seats its connections):
 * the driver now (null: no team) and every member (a removed member's connections are closed).
 */
export type SeatListener = (sessionId: string, driverId: string | null, memberIds: string[]) => void;

export class SessionMembers {
  private readonly listeners: SeatListener[] = [];

  constructor(
    private readonly store: Pick<Store, 'db' | 'atomically' | 'appendEvent'>,
    private readonly clock: () => number = Date.now,
  ) {}

  onSeatChange(listener: SeatListener): void {
    this.listeners.push(listener);
  }

  /** The team of a session; empty when it is worked by its owner alone. */
  of(sessionId: string): Member[] {
    return this.store.db.prepare('SELECT user_id AS userId, role FROM session_members WHERE session_id = ? ORDER BY added_at, user_id').all(sessionId) as Member[];
  }

  /** The team with names, for the session page. */
  views(sessionId: string): MemberView[] {
    return this.store.db
      .prepare(
        `SELECT m.user_id AS userId, m.role, u.name, u.email FROM session_members m JOIN users u ON u.id = m.user_id
         WHERE m.session_id = ? ORDER BY m.added_at, m.user_id`,
      )
      .all(sessionId) as MemberView[];
  }

  /** The member in the driver seat, null when the session has no team. */
  driverOf(sessionId: string): string | null {
    const row = this.store.db.prepare(`SELECT user_id FROM session_members WHERE session_id = ? AND role = 'driver'`).get(sessionId) as { user_id: string } | undefined;
    return row?.user_id ?? null;
  }

  /** The sessions this user is a member of (their list shows them). */
  sessionsOf(userId: string): string[] {
    return (this.store.db.prepare('SELECT session_id FROM session_members WHERE user_id = ?').all(userId) as { session_id: string }[]).map((r) => r.session_id);
  }

  /**
   * Replaces the team (an empty list makes it the owner's alone again). Every member must be
   * an enabled account; the team must be valid (exactly one driver, lib/auth/team.ts).
   */
  set(sessionId: string, members: readonly Member[], by: string): Member[] {
    if (members.length > 0) {
      const problem = invalidTeam(members);
      if (problem) throw new SickbayError('bad_request', problem);
      for (const m of members) this.requireUser(m.userId);
    }
    const now = this.clock();
    this.store.atomically(() => {
      this.store.db.prepare('DELETE FROM session_members WHERE session_id = ?').run(sessionId);
      const insert = this.store.db.prepare('INSERT INTO session_members (session_id, user_id, role, added_at) VALUES (?, ?, ?, ?)');
      for (const m of members) insert.run(sessionId, m.userId, m.role, now);
      const detail = members.map((m) => `${this.nameOf(m.userId)} (${m.role})`).join(', ') || 'no team: the owner works alone';
      this.store.appendEvent(sessionId, { kind: 'team', action: 'members', by, detail }, now);
    });
    this.notify(sessionId, driverOf(members), members);
    return this.of(sessionId);
  }

  /** Changes one member's role; the result must still be a valid team. */
  setRole(sessionId: string, userId: string, role: TeamRole, by: string): Member[] {
    if (!isTeamRole(role)) throw new SickbayError('bad_request', `unknown role "${String(role)}"`);
    const team = this.of(sessionId);
    if (!team.some((m) => m.userId === userId)) throw new SickbayError('bad_request', `user ${userId} is not a member of this team`);
    return this.set(
      sessionId,
      team.map((m) => (m.userId === userId ? { ...m, role } : m)),
      by,
    );
  }

  /** Hands the driver seat to `to` (asked by the driver or the commander): one click, logged. */
  handOver(sessionId: string, by: string, to: string): { from: string; to: string; members: Member[] } {
    const result = handOver(this.of(sessionId), by, to);
    if (!result.ok) throw new SickbayError(result.status, result.reason);
    const now = this.clock();
    this.store.atomically(() => {
      const update = this.store.db.prepare('UPDATE session_members SET role = ? WHERE session_id = ? AND user_id = ?');
      // The old driver leaves the seat first: one driver per session, also in the index.
      const old = result.members.find((m) => m.userId === result.from) as Member;
      update.run(old.role, sessionId, result.from);
      update.run('driver', sessionId, result.to);
      const detail = `${this.nameOf(result.from)} → ${this.nameOf(result.to)}`;
      this.store.appendEvent(sessionId, { kind: 'team', action: 'handover', by, from: result.from, to: result.to, detail }, now);
    });
    this.notify(sessionId, result.to, result.members);
    return result;
  }

  /** Names of these users (the report's credit); an unknown id stands for itself. */
  namesOf(ids: readonly string[]): Record<string, string> {
    return Object.fromEntries(ids.map((id) => [id, this.nameOf(id)]));
  }

  /** A member's name as the log keeps it (names may change later; the event says who it was then). */
  private nameOf(id: string): string {
    const row = this.store.db.prepare('SELECT name, email FROM users WHERE id = ?').get(id) as { name: string; email: string | null } | undefined;
    return row?.name || row?.email || id;
  }

  private requireUser(id: string): void {
    const row = this.store.db.prepare('SELECT disabled FROM users WHERE id = ?').get(id) as { disabled: number } | undefined;
    if (!row) throw new SickbayError('bad_request', `no user ${id}`);
    if (row.disabled === 1) throw new SickbayError('bad_request', `user ${id} is disabled`);
  }

  private notify(sessionId: string, driverId: string | null, members: readonly Member[]): void {
    for (const listener of this.listeners) listener(sessionId, driverId, members.map((m) => m.userId));
  }
}
