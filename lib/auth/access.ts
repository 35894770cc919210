/**
 * Who may see and touch a session. One place decides, for every route, page and WebSocket.
 *
 *   - The owner sees their session and works in it (terminal, goal checks, diagnosis, hints).
 *   - A watcher (mayWatch) sees it — view, events, report, recording, the read-only mirror —
 *     but never types into it or answers for the learner.
 *   - Admins may end any session (the admin page's "end" and "end all").
 *   - Everyone else is told nothing: 404, exactly as for a session that does not exist.
 *
 * mayWatch is the extension point for new ways of watching: a WatchLink says "this watcher is
 * tied to this learner (optionally: to this one session) through that thing", and WATCH_RULES
 * says, per kind of link, which watchers it admits: cohorts, interviews (#13) and drills (#14),
 * each with a source registered in server/auth/watch-links.ts.
 */
import type { Role } from './roles';

export interface Actor {
  id: string;
  role: Role;
}

export interface OwnedSession {
  id: string;
  ownerId: string;
}

/** One tie between a watcher and a learner, loaded by server/auth/watch-links.ts. */
export type WatchLink =
  | {
      via: 'cohort';
      /** The cohort's id. */
      ref: string;
      watcherId: string;
      learnerId: string;
      /** Set when the link covers one session only; a cohort covers them all. */
      sessionId?: string;
    }
  | {
      via: 'interview';
      /** The interview's id. */
      ref: string;
      watcherId: string;
      /** The interview's candidate (an account without sign-in, server/interviews/store.ts). */
      learnerId: string;
      /** An interview covers exactly the one session its candidate works in. */
      sessionId: string;
    }
  | {
      via: 'drill';
      /** The drill's facilitator, or a member of the team whose session another member owns. */
      as: 'facilitator' | 'teammate';
      /** The drill's id. */
      ref: string;
      watcherId: string;
      /** The team's first member, who owns its session (server/drills/store.ts). */
      learnerId: string;
      /** A drill link covers exactly one team's session. */
      sessionId: string;
    };

export type WatchVia = WatchLink['via'];

/** Per kind of link: whether this watcher may use it. A demoted facilitator loses their cohorts. */
export const WATCH_RULES: { readonly [K in WatchVia]: (watcher: Actor, link: Extract<WatchLink, { via: K }>) => boolean } = {
  cohort: (watcher) => watcher.role === 'facilitator' || watcher.role === 'admin',
  // An interviewer demoted to learner stops watching the interviews they were added to.
  interview: (watcher) => watcher.role === 'facilitator' || watcher.role === 'admin',
  // Teammates of any role watch their own team's session; a facilitator demoted to learner stops
  // watching the drills they ran.
  drill: (watcher, link) => link.as === 'teammate' || watcher.role === 'facilitator' || watcher.role === 'admin',
};

function linkAdmits(watcher: Actor, session: OwnedSession, link: WatchLink): boolean {
  if (link.watcherId !== watcher.id || link.learnerId !== session.ownerId) return false;
  if (link.sessionId !== undefined && link.sessionId !== session.id) return false;
  const rule = WATCH_RULES[link.via] as (w: Actor, l: WatchLink) => boolean;
  return rule(watcher, link);
}

/** Admins watch everyone; others through a link that admits them. */
export function mayWatch(watcher: Actor, session: OwnedSession, links: readonly WatchLink[]): boolean {
  if (watcher.role === 'admin') return true;
  return links.some((link) => linkAdmits(watcher, session, link));
}

/**
 * What is being done to a session:
 *   view  — read it (view, events, report, recording, hints taken)
 *   watch — open the read-only mirror of its terminal (watchers only, never the owner's page)
 *   work  — act as the learner (terminal, goal checks, diagnosis, update, hints)
 *   end   — end it (the owner, or an admin)
 */
export type SessionAction = 'view' | 'watch' | 'work' | 'end';

export type AccessVerdict = 'allow' | 'forbidden' | 'hidden';

export function sessionAccess(actor: Actor, session: OwnedSession, action: SessionAction, links: readonly WatchLink[]): AccessVerdict {
  const owner = actor.id === session.ownerId;
  const watcher = mayWatch(actor, session, links);
  if (!owner && !watcher) return 'hidden';
  switch (action) {
    case 'view':
      return 'allow';
    case 'watch':
      return watcher ? 'allow' : 'forbidden';
    case 'work':
      return owner ? 'allow' : 'forbidden';
    case 'end':
      return owner || actor.role === 'admin' ? 'allow' : 'forbidden';
  }
}

/** Why an action was refused to someone who may see the session (the 403's message). */
export function refusalMessage(action: SessionAction): string {
  switch (action) {
    case 'watch':
      return 'the mirror is for the people watching this learner; open the session itself instead';
    case 'work':
      return 'you are watching this session: only its learner may work in it';
    case 'end':
      return 'only the learner or an admin may end this session';
    case 'view':
      return 'you may not see this session';
  }
}
