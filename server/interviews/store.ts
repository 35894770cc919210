/**
 * Interviews in SQLite. The candidate is an account with no e-mail and no password (nobody can
 * sign in as it); the single-use link and the browser cookie are `<interview id>.<secret>`
 * credentials whose secrets are stored hashed (server/auth/secrets.ts). Opening the link binds
 * it to one browser in a single UPDATE ... WHERE claimed_at IS NULL, so two browsers racing
 * for it cannot both win.
 */
import crypto from 'node:crypto';
import { SickbayError } from '@/lib/errors';
import type { WatchLink } from '@/lib/auth/access';
import type { CandidateScope } from '@/lib/auth/roles';
import { INTERVIEW_LINK_TTL_MS, linkState, type LinkState } from '@/lib/interviews/rules';
import type { Recommendation, Rubric, RubricOverride, RubricStatus } from '@/lib/interviews/rubric';
import type { Db } from '../store/db';
import { hashSecret, newId, parseCredential, secretMatches } from '../auth/secrets';

export interface Interview {
  id: string;
  scenario: string;
  seed: string;
  candidateId: string;
  candidateName: string;
  timeLimitMin: number;
  hints: boolean;
  createdBy: string;
  createdAt: string;
  linkExpiresAt: string;
  /** When the candidate opened the link (their time starts then); null before. */
  startedAt: string | null;
  sessionId: string | null;
  watchers: { userId: string; email: string | null; name: string }[];
}

interface Row {
  id: string;
  scenario: string;
  seed: string;
  candidate_id: string;
  candidate_name: string;
  time_limit_min: number;
  hints: number;
  created_by: string;
  created_at: number;
  link_hash: string;
  link_expires_at: number;
  claimed_at: number | null;
  browser_hash: string | null;
  session_id: string | null;
}

/** An interviewer's private note, pinned to the session clock. */
export interface InterviewNote {
  id: number;
  interviewId: string;
  author: { userId: string; name: string; email: string | null };
  /** ms since the session was ready. */
  atMs: number;
  text: string;
  createdAt: string;
}

export interface NewInterview {
  scenario: string;
  seed: string;
  candidateName: string;
  timeLimitMin: number;
  hints: boolean;
  linkTtlMs?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function secret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export class InterviewStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  private row(id: string): Row | undefined {
    return /^[0-9a-f]{16}$/.test(id) ? (this.db.prepare('SELECT * FROM interviews WHERE id = ?').get(id) as Row | undefined) : undefined;
  }

  private toInterview(row: Row): Interview {
    const watchers = this.db
      .prepare('SELECT w.user_id, u.email, u.name FROM interview_watchers w JOIN users u ON u.id = w.user_id WHERE w.interview_id = ? ORDER BY w.added_at')
      .all(row.id) as { user_id: string; email: string | null; name: string }[];
    return {
      id: row.id,
      scenario: row.scenario,
      seed: row.seed,
      candidateId: row.candidate_id,
      candidateName: row.candidate_name,
      timeLimitMin: row.time_limit_min,
      hints: row.hints === 1,
      createdBy: row.created_by,
      createdAt: iso(row.created_at),
      linkExpiresAt: iso(row.link_expires_at),
      startedAt: row.claimed_at === null ? null : iso(row.claimed_at),
      sessionId: row.session_id,
      watchers: watchers.map((w) => ({ userId: w.user_id, email: w.email, name: w.name })),
    };
  }

  get(id: string): Interview | null {
    const row = this.row(id);
    return row ? this.toInterview(row) : null;
  }

  /** A new interview, its candidate account, the creator as its first watcher; and the link token (shown once). */
  create(input: NewInterview, createdBy: string): { interview: Interview; token: string } {
    const id = newId();
    const candidateId = newId();
    const linkSecret = secret();
    const now = this.clock();
    this.db.transaction(() => {
      this.db
        .prepare(`INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES (?, NULL, ?, 'learner', ?, ?)`)
        .run(candidateId, `${input.candidateName} (candidate)`, now, now);
      this.db
        .prepare(
          `INSERT INTO interviews (id, scenario, seed, candidate_id, candidate_name, time_limit_min, hints, created_by, created_at, link_hash, link_expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, input.scenario, input.seed, candidateId, input.candidateName, input.timeLimitMin, input.hints ? 1 : 0, createdBy, now, hashSecret(linkSecret), now + (input.linkTtlMs ?? INTERVIEW_LINK_TTL_MS));
      this.db.prepare('INSERT INTO interview_watchers (interview_id, user_id, added_at) VALUES (?, ?, ?)').run(id, createdBy, now);
    })();
    return { interview: this.get(id) as Interview, token: `${id}.${linkSecret}` };
  }

  /** Every interview (admins), or those the user watches. */
  list(watcherId: string | null): Interview[] {
    const rows = (
      watcherId === null
        ? this.db.prepare('SELECT * FROM interviews ORDER BY created_at DESC').all()
        : this.db
            .prepare('SELECT i.* FROM interviews i JOIN interview_watchers w ON w.interview_id = i.id WHERE w.user_id = ? ORDER BY i.created_at DESC')
            .all(watcherId)
    ) as Row[];
    return rows.map((r) => this.toInterview(r));
  }

  isWatcher(interviewId: string, userId: string): boolean {
    return this.db.prepare('SELECT 1 FROM interview_watchers WHERE interview_id = ? AND user_id = ?').get(interviewId, userId) !== undefined;
  }

  addWatcher(interviewId: string, userId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO interview_watchers (interview_id, user_id, added_at) VALUES (?, ?, ?)').run(interviewId, userId, this.clock());
  }

  /** What opening this link from a browser holding `cookie` (maybe none) means now. */
  linkState(token: string, cookie: string | null): { state: LinkState; row: Row | null } {
    const parsed = parseCredential(token);
    const row = parsed ? (this.row(parsed.id) ?? null) : null;
    const state = linkState({
      found: row !== null,
      secretOk: row !== null && parsed !== null && secretMatches(parsed.secret, row.link_hash),
      claimed: row?.claimed_at != null,
      thisBrowser: row !== null && this.browserMatches(row, cookie),
      expiresAt: row?.link_expires_at ?? 0,
      now: this.clock(),
    });
    return { state, row };
  }

  private browserMatches(row: Row, cookie: string | null): boolean {
    const parsed = parseCredential(cookie);
    return parsed !== null && parsed.id === row.id && row.browser_hash !== null && secretMatches(parsed.secret, row.browser_hash);
  }

  /**
   * Binds an open link to this browser; returns the cookie value, or throws 409 when another
   * browser won the race. The session is attached afterwards (setSession).
   */
  claim(interviewId: string): string {
    const browserSecret = secret();
    const changes = this.db
      .prepare('UPDATE interviews SET claimed_at = ?, browser_hash = ? WHERE id = ? AND claimed_at IS NULL')
      .run(this.clock(), hashSecret(browserSecret), interviewId).changes;
    if (changes !== 1) throw new SickbayError('conflict', 'this interview link was already opened in another browser');
    return `${interviewId}.${browserSecret}`;
  }

  /** Undoes a claim whose session could not be started, so the link can be tried again. */
  unclaim(interviewId: string): void {
    this.db.prepare('UPDATE interviews SET claimed_at = NULL, browser_hash = NULL WHERE id = ? AND session_id IS NULL').run(interviewId);
  }

  setSession(interviewId: string, sessionId: string): void {
    this.db.prepare('UPDATE interviews SET session_id = ? WHERE id = ?').run(sessionId, interviewId);
  }

  /**
   * Sessions of interviews whose time is up (the limit counts from when the candidate opened the
   * link, as the countdown does): the sweep ends them if they are still live.
   */
  overdue(): { interviewId: string; sessionId: string }[] {
    const rows = this.db
      .prepare('SELECT id, session_id FROM interviews WHERE session_id IS NOT NULL AND claimed_at IS NOT NULL AND claimed_at + time_limit_min * 60000 <= ?')
      .all(this.clock()) as { id: string; session_id: string }[];
    return rows.map((r) => ({ interviewId: r.id, sessionId: r.session_id }));
  }

  addNote(interviewId: string, authorId: string, atMs: number, text: string): InterviewNote {
    const id = this.db
      .prepare('INSERT INTO interview_notes (interview_id, author_id, session_ms, text, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(interviewId, authorId, Math.round(atMs), text, this.clock()).lastInsertRowid;
    return this.notes(interviewId).find((n) => n.id === Number(id)) as InterviewNote;
  }

  /** An interview's notes, in session-clock order (the order they were typed when equal). */
  notes(interviewId: string): InterviewNote[] {
    const rows = this.db
      .prepare(
        `SELECT n.id, n.author_id, u.name, u.email, n.session_ms, n.text, n.created_at FROM interview_notes n JOIN users u ON u.id = n.author_id
         WHERE n.interview_id = ? ORDER BY n.session_ms, n.id`,
      )
      .all(interviewId) as { id: number; author_id: string; name: string; email: string | null; session_ms: number; text: string; created_at: number }[];
    return rows.map((r) => ({ id: r.id, interviewId, author: { userId: r.author_id, name: r.name, email: r.email }, atMs: r.session_ms, text: r.text, createdAt: iso(r.created_at) }));
  }

  addOverride(interviewId: string, authorId: string, itemId: string, status: RubricStatus, reason: string): void {
    this.db
      .prepare('INSERT INTO interview_overrides (interview_id, item_id, status, reason, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(interviewId, itemId, status, reason, authorId, this.clock());
  }

  /** The latest override of each item (earlier ones stay in the table). */
  overrides(interviewId: string): Map<string, RubricOverride> {
    const rows = this.db
      .prepare(
        `SELECT o.item_id, o.status, o.reason, o.created_at, u.email, u.name FROM interview_overrides o JOIN users u ON u.id = o.author_id
         WHERE o.interview_id = ? ORDER BY o.id`,
      )
      .all(interviewId) as { item_id: string; status: RubricStatus; reason: string; created_at: number; email: string | null; name: string }[];
    return new Map(rows.map((r) => [r.item_id, { status: r.status, reason: r.reason, by: r.email ?? r.name, at: iso(r.created_at) }]));
  }

  recommend(interviewId: string, authorId: string, value: Recommendation, text: string): void {
    this.db
      .prepare('INSERT INTO interview_recommendations (interview_id, value, text, author_id, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(interviewId, value, text, authorId, this.clock());
  }

  recommendation(interviewId: string): Rubric['recommendation'] {
    const r = this.db
      .prepare(
        `SELECT r.value, r.text, r.created_at, u.email, u.name FROM interview_recommendations r JOIN users u ON u.id = r.author_id
         WHERE r.interview_id = ? ORDER BY r.id DESC LIMIT 1`,
      )
      .get(interviewId) as { value: Recommendation; text: string; created_at: number; email: string | null; name: string } | undefined;
    return r ? { value: r.value, text: r.text, by: r.email ?? r.name, at: iso(r.created_at) } : null;
  }

  /** The interview whose candidate works in this session, if any. */
  bySession(sessionId: string): string | null {
    const row = this.db.prepare('SELECT id FROM interviews WHERE session_id = ?').get(sessionId) as { id: string } | undefined;
    return row?.id ?? null;
  }

  /** The candidate a browser cookie stands for, or null. */
  candidateOf(cookie: string | null): { userId: string; name: string; scope: CandidateScope } | null {
    const parsed = parseCredential(cookie);
    const row = parsed ? this.row(parsed.id) : undefined;
    if (!row || !this.browserMatches(row, cookie)) return null;
    return { userId: row.candidate_id, name: row.candidate_name, scope: { interviewId: row.id, sessionId: row.session_id, hints: row.hints === 1 } };
  }

  /** The interview ties of a watcher: the one session of each interview they watch that has started. */
  watchLinks(watcherId: string): WatchLink[] {
    const rows = this.db
      .prepare(
        `SELECT i.id, i.candidate_id, i.session_id FROM interview_watchers w JOIN interviews i ON i.id = w.interview_id
         WHERE w.user_id = ? AND i.session_id IS NOT NULL`,
      )
      .all(watcherId) as { id: string; candidate_id: string; session_id: string }[];
    return rows.map((r) => ({ via: 'interview', ref: r.id, watcherId, learnerId: r.candidate_id, sessionId: r.session_id }));
  }
}
