/**
 * The rubric after an interview (#13 item 4): built from the stored report with the
 * interviewers' overrides, recommendation and notes (lib/interviews/rubric.ts), and exported
 * as JSON, Markdown or PDF. Interviewers of the interview only (InterviewAdmin decides).
 */
import { SickbayError } from '@/lib/errors';
import { buildRubric, type Recommendation, replayAnnotations, type ReplayAnnotation, type Rubric, rubricItemIds, type RubricStatus } from '@/lib/interviews/rubric';
import { InterviewAdmin, type InterviewDeps } from './interviews';
import type { Interview } from './store';
import type { Principal } from '@/lib/auth/roles';
import type { StoredReport } from '@/lib/scoring/session-report';

/** A stored note as the rubric and the replay show it: when, what, who. */
const rubricNote = (n: { atMs: number; text: string; author: { email: string | null; name: string } }) => ({ atMs: n.atMs, text: n.text, by: n.author.email ?? n.author.name });

export class InterviewRubrics {
  private readonly admin: InterviewAdmin;

  constructor(
    private readonly deps: InterviewDeps,
    private readonly principal: Principal,
  ) {
    this.admin = new InterviewAdmin(deps, principal);
  }

  /** The interview and its session's report; 409 until the session is over. */
  private source(id: string) {
    const interview = this.admin.get(id);
    if (!interview.sessionId) throw new SickbayError('conflict', 'the candidate has not started yet: the rubric is made from the report when the interview ends');
    const report = this.deps.engine.report(interview.sessionId);
    return { interview: interview as Interview & { sessionId: string }, report };
  }

  get(id: string): Rubric {
    return this.build(id, this.source(id));
  }

  /** The rubric from a source already looked up (one interview and report read per call). */
  private build(id: string, { interview, report }: { interview: Interview & { sessionId: string }; report: StoredReport }): Rubric {
    const store = this.deps.auth.interviews;
    return buildRubric({
      interview,
      report,
      events: this.deps.engine.events(interview.sessionId),
      overrides: store.overrides(id),
      recommendation: store.recommendation(id),
      notes: store.notes(id).map(rubricNote),
    });
  }

  /** Overrides one item with a reason; the report's own verdict stays beside it. */
  override(id: string, itemId: string, status: RubricStatus, reason: string): Rubric {
    const src = this.source(id);
    if (!rubricItemIds(src.report).includes(itemId)) throw new SickbayError('not_found', `the rubric has no item ${JSON.stringify(itemId.slice(0, 80))}`);
    const why = reason.trim();
    if (!why) throw new SickbayError('bad_request', 'an override needs a reason');
    this.deps.auth.interviews.addOverride(id, this.principal.user.id, itemId, status, why);
    return this.build(id, src);
  }

  recommend(id: string, value: Recommendation, text: string): Rubric {
    const src = this.source(id);
    this.deps.auth.interviews.recommend(id, this.principal.user.id, value, text.trim());
    return this.build(id, src);
  }

  /**
   * Notes and overrides to show in the replay of this session, when it is an interview's and
   * this user is one of its interviewers; null otherwise (no interview, or not theirs).
   */
  replayMarks(sessionId: string): ReplayAnnotation[] | null {
    const id = this.deps.auth.interviews.bySession(sessionId);
    if (!id) return null;
    let notes;
    try {
      notes = this.admin.notes(id);
    } catch {
      return null; // watching the session is not interviewing it
    }
    const rubricNotes = notes.map(rubricNote);
    let items: Rubric['items'] = [];
    let end = 0;
    try {
      const src = this.source(id);
      items = this.build(id, src).items;
      end = Math.max(0, src.report.endedAt - (src.report.readyAt ?? 0));
    } catch {
      // Still running, or no report: the notes alone.
    }
    return replayAnnotations(rubricNotes, items, end);
  }
}
