/**
 * Access to a session that may be shared by a team: lib/auth/access.ts decides for a session
 * worked by its owner alone; once a session has members (lib/auth/team.ts), the work in it is
 * split by role and its owner only views, watches and ends it. A drill's facilitator owns none of
 * its teams' sessions (each team's first member does): the drill gives them view, watch and end.
 */
import { mayWatch, refusalMessage, sessionAccess, type AccessVerdict, type Actor, type OwnedSession, type SessionAction, type WatchLink } from './access';
import { roleOf, teamMay, teamRefusal, type Member, type TeamAction } from './team';

/**
 * What is done to a session, finer than SessionAction's `work`:
 *   terminal — open the terminal WebSocket (a member's: input only while driving)
 *   check, diagnose, update, hint — the learner's forms, split by role in a team
 *   seat     — hand the driver seat over (team sessions only)
 *   members  — set the team (the owner or an admin)
 */
export type SharedAction = Exclude<SessionAction, 'work'> | 'terminal' | 'members' | Exclude<TeamAction, 'type'>;

export interface SharedVerdict {
  verdict: AccessVerdict;
  /** The 403's message when forbidden. */
  message: string;
}

const MEMBERS_REFUSAL = 'only the session’s owner or an admin may change its team';
const allow: SharedVerdict = { verdict: 'allow', message: '' };

/** The facilitator of the drill this session is a team's session of (a drill link `as: 'facilitator'`, from the drill's creator). */
function runsDrillOf(actor: Actor, session: OwnedSession, links: readonly WatchLink[]): boolean {
  const drillLinks = links.filter((l) => l.via === 'drill' && l.as === 'facilitator');
  return drillLinks.length > 0 && mayWatch(actor, session, drillLinks);
}
const forbid = (message: string): SharedVerdict => ({ verdict: 'forbidden', message });

export function sharedSessionAccess(actor: Actor, session: OwnedSession, action: SharedAction, links: readonly WatchLink[], members: readonly Member[]): SharedVerdict {
  const owner = actor.id === session.ownerId;
  // Without a team the owner works alone; a handover they ask for fails as a bad request (no team).
  if (members.length === 0) {
    if (action === 'end' && runsDrillOf(actor, session, links)) return allow;
    const plain: SessionAction = action === 'view' || action === 'watch' || action === 'end' ? action : action === 'members' ? 'end' : 'work';
    const verdict = sessionAccess(actor, session, plain, links);
    if (verdict !== 'forbidden') return { verdict, message: '' };
    return forbid(action === 'members' ? MEMBERS_REFUSAL : refusalMessage(plain));
  }
  const member = roleOf(members, actor.id) !== null;
  if (!owner && !member && !mayWatch(actor, session, links)) return { verdict: 'hidden', message: '' };
  switch (action) {
    case 'view':
    case 'watch':
      return allow;
    // The owner steers the team from outside it: an owner who is also a member (a drill team's
    // first member) is a member like the others, and cannot rewrite the team or end its session.
    // The drill's facilitator ends a team's session too (its member-owner may not).
    case 'end':
      return (owner && !member) || actor.role === 'admin' || runsDrillOf(actor, session, links) ? allow : forbid(refusalMessage('end'));
    case 'members':
      return (owner && !member) || actor.role === 'admin' ? allow : forbid(MEMBERS_REFUSAL);
    case 'terminal':
      return member ? allow : forbid('you are not in this team: open the read-only mirror instead');
    default:
      return teamMay(members, actor.id, action) ? allow : forbid(teamRefusal(members, actor.id, action));
  }
}
