/**
 * Interviews as facilitators and admins set them up, and the candidate link as the candidate's
 * browser opens it. A facilitator sees the interviews they watch (others answer 404); admins
 * all of them. Interviews need team mode: in personal mode there is nobody to keep apart.
 */
import crypto from 'node:crypto';
import { SickbayError } from '@/lib/errors';
import { normalizeEmail } from '@/lib/auth/accounts';
import type { Principal } from '@/lib/auth/roles';
import { candidateLink, linkRefusal } from '@/lib/interviews/rules';
import type { AuthService } from '../auth/auth';
import type { Catalogue } from '../engine/catalogue';
import type { SessionEngine } from '../engine/engine';
import { clockZero } from '@/lib/display/clock';
import type { Interview, InterviewNote, NewInterview } from './store';

export interface InterviewDeps {
  auth: AuthService;
  engine: SessionEngine;
  catalogue: Catalogue;
}

export class InterviewAdmin {
  constructor(
    private readonly deps: InterviewDeps,
    private readonly principal: Principal,
  ) {
    const { role } = principal.user;
    if (principal.candidate || (role !== 'admin' && role !== 'facilitator')) throw new SickbayError('forbidden', 'only facilitators and admins set up interviews');
  }

  private get admin(): boolean {
    return this.principal.user.role === 'admin';
  }

  list(): Interview[] {
    return this.deps.auth.interviews.list(this.admin ? null : this.principal.user.id);
  }

  /** An interview this user watches (any, for admins); 404 for any other. */
  get(id: string): Interview {
    const interview = this.deps.auth.interviews.get(id);
    if (!interview || (!this.admin && !this.deps.auth.interviews.isWatcher(id, this.principal.user.id))) {
      throw new SickbayError('not_found', `no interview ${JSON.stringify(id.slice(0, 40))}`);
    }
    return interview;
  }

  /** Sets one up; the candidate link is in the answer only (its secret is stored hashed). */
  create(input: Omit<NewInterview, 'seed'> & { seed?: string }): { interview: Interview; link: string } {
    if (!this.deps.auth.teamMode()) throw new SickbayError('conflict', 'interviews need team mode (an admin account or SICKBAY_PUBLIC_URL): a candidate must not share your personal lab');
    this.deps.catalogue.get(input.scenario);
    // Random unless given, so candidates cannot pass the answer on to each other.
    const seed = input.seed ?? crypto.randomBytes(6).toString('hex');
    const { interview, token } = this.deps.auth.interviews.create({ ...input, seed }, this.principal.user.id);
    this.deps.auth.audit.record(this.principal.user.id, 'interview.create', interview.id, `${input.scenario} for ${input.candidateName}`);
    return { interview, link: candidateLink(this.deps.auth.baseUrl(), token) };
  }

  /** The interviewers' private notes (any interviewer of this interview reads them all). */
  notes(id: string): InterviewNote[] {
    this.get(id);
    return this.deps.auth.interviews.notes(id);
  }

  /**
   * Pins a note to the session clock: now, or `atMs` (when the interviewer began typing) if
   * earlier; never before ready or after the session's end.
   */
  addNote(id: string, text: string, atMs?: number, now = Date.now()): InterviewNote {
    const interview = this.get(id);
    const body = text.trim();
    if (!body) throw new SickbayError('bad_request', 'a note needs some text');
    if (!interview.sessionId) throw new SickbayError('conflict', 'the candidate has not opened the link yet: notes are pinned to their session clock, which starts with their session');
    const view = this.deps.engine.get(interview.sessionId);
    const zero = clockZero(view);
    const stop = view.endedAt ? Date.parse(view.endedAt) : now;
    // Before ready the session clock has not started: such a note sits at 0:00.
    const current = zero === null ? 0 : Math.max(0, stop - Date.parse(view.createdAt) - zero);
    const pinned = atMs === undefined ? current : Math.max(0, Math.min(atMs, current));
    return this.deps.auth.interviews.addNote(id, this.principal.user.id, pinned, body);
  }

  /** Adds another interviewer by e-mail (a facilitator or admin account). */
  addWatcher(id: string, email: string): Interview {
    this.get(id);
    const user = this.deps.auth.users.byEmail(normalizeEmail(email));
    if (!user || user.disabled) throw new SickbayError('not_found', `no account for ${email.slice(0, 80)}: an admin invites people first`);
    if (user.role === 'learner') throw new SickbayError('conflict', `${user.email} is a learner: only facilitators and admins watch interviews`);
    this.deps.auth.interviews.addWatcher(id, user.id);
    this.deps.auth.audit.record(this.principal.user.id, 'interview.watcher', id, user.email ?? user.id);
    return this.get(id);
  }
}

export type JoinResult = { kind: 'joined'; cookie: string | null } | { kind: 'refused'; message: string };

/**
 * Opens a candidate link from a browser holding `cookie` (its candidate cookie, if any). The
 * first browser gets a new cookie and the interview's session is started for it; the same
 * browser again is simply let back in; any other browser is refused with the reason.
 */
export function joinInterview(deps: InterviewDeps, token: string, cookie: string | null): JoinResult {
  const { interviews } = deps.auth;
  const { state, row } = interviews.linkState(token, cookie);
  if (state.kind === 'mine') return { kind: 'joined', cookie: null };
  const refusal = linkRefusal(state);
  if (refusal || !row) return { kind: 'refused', message: refusal ?? 'This interview link is not valid.' };
  let value: string;
  try {
    value = interviews.claim(row.id);
  } catch {
    return { kind: 'refused', message: linkRefusal({ kind: 'taken' }) as string };
  }
  try {
    const session = deps.engine.create({ scenario: row.scenario, seed: row.seed, ownerId: row.candidate_id });
    interviews.setSession(row.id, session.id);
  } catch (err) {
    interviews.unclaim(row.id);
    throw err;
  }
  deps.auth.audit.record(row.candidate_id, 'interview.join', row.id, null);
  return { kind: 'joined', cookie: value };
}
