/**
 * A session shared by a team (issue #14): besides its owner, a session may have members, each
 * with one role. Pure rules of who may do what; server/sessions/members.ts stores the members
 * and server/auth/session-access.ts enforces these rules on every route and the terminal.
 *
 *   commander — decides: submits the diagnosis and decision
 *   driver    — the only one whose terminal input reaches the shell (exactly one per team)
 *   scribe    — writes the stakeholder updates
 *   watcher   — a read-only mirror of the team's terminal
 *
 * A small team may leave a seat empty: without a commander the driver decides, without a scribe
 * the commander (or, failing that, the driver) writes the updates, so no team is ever stuck.
 */

export const TEAM_ROLES = ['commander', 'driver', 'scribe', 'watcher'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface Member {
  userId: string;
  role: TeamRole;
}

/** What a member does in the session. `seat`: hand the driver seat to another member. */
export type TeamAction = 'type' | 'diagnose' | 'update' | 'check' | 'hint' | 'seat';

/** The largest team a session takes (a drill's team; more people watch through cohorts). */
export const MAX_MEMBERS = 12;

export function isTeamRole(value: unknown): value is TeamRole {
  return typeof value === 'string' && (TEAM_ROLES as readonly string[]).includes(value);
}

function holder(members: readonly Member[], role: TeamRole): string | null {
  return members.find((m) => m.role === role)?.userId ?? null;
}

/** The member in the driver seat (null: not a team session). */
export function driverOf(members: readonly Member[]): string | null {
  return holder(members, 'driver');
}

/** Who may do this, in order of the seats that fill in for an empty one. */
function actorsFor(members: readonly Member[], action: TeamAction): string[] {
  const commander = holder(members, 'commander');
  const driver = holder(members, 'driver');
  const scribe = holder(members, 'scribe');
  const pick = (...ids: (string | null)[]) => ids.filter((id): id is string => id !== null);
  switch (action) {
    case 'type':
      return pick(driver);
    case 'diagnose':
      return pick(commander ?? driver);
    case 'update':
      return pick(scribe ?? commander ?? driver);
    case 'check':
    case 'hint':
    case 'seat':
      return pick(commander, driver);
  }
}

export function roleOf(members: readonly Member[], userId: string): TeamRole | null {
  return members.find((m) => m.userId === userId)?.role ?? null;
}

export function teamMay(members: readonly Member[], userId: string, action: TeamAction): boolean {
  return actorsFor(members, action).includes(userId);
}

const DOES: Record<TeamAction, string> = {
  type: 'types in the terminal',
  diagnose: 'submits the diagnosis and decision',
  update: 'writes the stakeholder updates',
  check: 'runs the goal checks',
  hint: 'takes hints',
  seat: 'hands the driver seat over',
};

const WHO: Record<TeamAction, string> = {
  type: 'the driver',
  diagnose: 'the commander',
  update: 'the scribe',
  check: 'the commander or the driver',
  hint: 'the commander or the driver',
  seat: 'the driver or the commander',
};

/** The 403's message for a member refused an action, naming their role and who does it. */
export function teamRefusal(members: readonly Member[], userId: string, action: TeamAction): string {
  const role = roleOf(members, userId);
  const you = role ? `you are the ${role}` : 'you are not in this team';
  return `${you}: only ${WHO[action]} ${DOES[action]}`;
}

/** Checks a whole team; returns the reason it is not valid, or null. */
export function invalidTeam(members: readonly Member[]): string | null {
  if (members.length === 0) return 'a team needs at least one member (the driver)';
  if (members.length > MAX_MEMBERS) return `a team has at most ${MAX_MEMBERS} members`;
  const ids = new Set<string>();
  for (const m of members) {
    if (!isTeamRole(m.role)) return `unknown role "${String(m.role)}" (one of ${TEAM_ROLES.join(', ')})`;
    if (ids.has(m.userId)) return `user ${m.userId} is listed twice: one role per member`;
    ids.add(m.userId);
  }
  const count = (role: TeamRole) => members.filter((m) => m.role === role).length;
  if (count('driver') !== 1) return 'a team has exactly one driver';
  if (count('commander') > 1) return 'a team has at most one commander';
  if (count('scribe') > 1) return 'a team has at most one scribe';
  return null;
}

export type Handover = { ok: true; members: Member[]; from: string; to: string } | { ok: false; reason: string; status: 'forbidden' | 'bad_request' };

/**
 * The driver seat goes from the current driver to `to`, asked by `by` (the driver or the
 * commander). The two swap roles, so every other seat stays filled: a commander who takes the
 * seat leaves the old driver commanding.
 */
export function handOver(members: readonly Member[], by: string, to: string): Handover {
  const from = driverOf(members);
  if (from === null) return { ok: false, status: 'bad_request', reason: 'this session has no team' };
  if (!teamMay(members, by, 'seat')) return { ok: false, status: 'forbidden', reason: teamRefusal(members, by, 'seat') };
  const target = roleOf(members, to);
  if (target === null) return { ok: false, status: 'bad_request', reason: `user ${to} is not a member of this team` };
  if (to === from) return { ok: false, status: 'bad_request', reason: 'that member already has the driver seat' };
  const next = members.map((m) => (m.userId === from ? { ...m, role: target } : m.userId === to ? { ...m, role: 'driver' as const } : m));
  return { ok: true, members: next, from, to };
}
