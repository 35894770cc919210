/**
 * Interviews (#13), the pure part: what an interview may be set up with, where the candidate's
 * browser may go, what a candidate link answers when opened, and the countdown.
 *
 * The candidate has no account to sign in with: the single-use link binds one browser (an
 * httpOnly cookie), and that browser reaches only the candidate page and its one session's
 * learner routes. No report, recording, events, mirror or any other page: those answer 404,
 * as for something that does not exist.
 */
import type { CandidateScope } from '../auth/roles';

export const INTERVIEW_LINK_TTL_MS = 24 * 3600_000;
export const MIN_TIME_LIMIT_MIN = 5;
export const MAX_TIME_LIMIT_MIN = 240;
export const DEFAULT_TIME_LIMIT_MIN = 45;

/** Where the candidate opens the link (a page that asks before using it up) and works. */
export const CANDIDATE_JOIN_PATH = '/interview/join';
export const CANDIDATE_PAGE_PATH = '/interview';

/** The candidate link for a token. */
export function candidateLink(baseUrl: string, token: string): string {
  return `${baseUrl}${CANDIDATE_JOIN_PATH}?token=${encodeURIComponent(token)}`;
}

const SESSION_WORK = new Set(['check', 'diagnosis', 'update']);

/**
 * Whether the candidate's browser may make this request. Static files, the candidate page and
 * the join route always; the session's own view, its terminal, its learner forms, its event log
 * (filtered to the candidate's own typed lines and Docker calls: the evidence a diagnosis cites)
 * and ending it (the "submit" at the end) once there is a session; hints only when the
 * interview allows them. Everything else is hidden.
 */
export function candidateMayReach(scope: CandidateScope, method: string, pathname: string): boolean {
  const m = method.toUpperCase();
  const read = m === 'GET' || m === 'HEAD';
  if (pathname.startsWith('/_next/static/') || pathname === '/icon.svg' || pathname === '/favicon.ico') return read;
  if (pathname === CANDIDATE_PAGE_PATH || pathname === CANDIDATE_JOIN_PATH) return read;
  if (pathname === '/api/interviews/join') return m === 'POST';
  const sid = scope.sessionId;
  if (sid === null) return false;
  if (pathname === `/ws/terminal/${sid}`) return read;
  if (pathname === `/api/sessions/${sid}`) return read || m === 'DELETE';
  const prefix = `/api/sessions/${sid}/`;
  if (!pathname.startsWith(prefix)) return false;
  const rest = pathname.slice(prefix.length);
  if (SESSION_WORK.has(rest)) return m === 'POST';
  // Their own steps only (ScopedSessions.events filters): the evidence their diagnosis cites.
  if (rest === 'events') return read;
  if (rest === 'hints') return scope.hints && (read || m === 'POST');
  return false;
}

export type LinkState = { kind: 'unknown' } | { kind: 'expired' } | { kind: 'open' } | { kind: 'mine' } | { kind: 'taken' };

/**
 * What opening a candidate link means. `unknown`: not a link of ours (or a wrong secret).
 * `mine`: this browser already holds it (reopening goes back to the interview). `taken`: another
 * browser holds it. `expired`: never opened in time. `open`: this browser may take it now.
 */
export function linkState(input: { found: boolean; secretOk: boolean; claimed: boolean; thisBrowser: boolean; expiresAt: number; now: number }): LinkState {
  if (!input.found || !input.secretOk) return { kind: 'unknown' };
  if (input.claimed) return input.thisBrowser ? { kind: 'mine' } : { kind: 'taken' };
  if (input.now >= input.expiresAt) return { kind: 'expired' };
  return { kind: 'open' };
}

/** The message a refused browser reads (the join page shows it). */
export function linkRefusal(state: LinkState): string | null {
  switch (state.kind) {
    case 'unknown':
      return 'This interview link is not valid. Check that you copied all of it, or ask your interviewer for a new one.';
    case 'expired':
      return 'This interview link has expired. Ask your interviewer for a new one.';
    case 'taken':
      return 'This interview link was already opened in another browser, and it works in that browser only. If that was not you, tell your interviewer.';
    default:
      return null;
  }
}

/** Seconds left of the candidate's time (never negative); the countdown and the server agree. */
export function secondsLeft(startedAt: number, timeLimitMin: number, now: number): number {
  return Math.max(0, Math.ceil((startedAt + timeLimitMin * 60_000 - now) / 1000));
}
