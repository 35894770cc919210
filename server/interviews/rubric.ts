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
    const { interview, report } = this.source(id);
    const store = this.deps.auth.interviews;
    return buildRubric({
      interview,
      report,
      events: this.deps.engine.events(interview.sessionId),
      overrides: store.overrides(id),
      recommendation: store.recommendation(id),
      notes: store.notes(id).map((n) => ({ atMs: n.atMs, text: n.text, by: n.author.email ?? n.author.name })),
    });
  }

  /** Overrides one item with a reason; the report's own verdict stays beside it. */
  override(id: string, itemId: string, status: RubricStatus, reason: string): Rubric {
    const { report } = this.source(id);
    if (!rubricItemIds(report).includes(itemId)) throw new SickbayError('not_found', `the rubric has no item ${JSON.stringify(itemId.slice(0, 80))}`);
    const why = reason.trim();
    if (!why) throw new SickbayError('bad_request', 'an override needs a reason');
    this.deps.auth.interviews.addOverride(id, this.principal.user.id, itemId, status, why);
    return this.get(id);
  }

  recommend(id: string, value: Recommendation, text: string): Rubric {
    this.source(id);
    this.deps.auth.interviews.recommend(id, this.principal.user.id, value, text.trim());
    return this.get(id);
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
    const rubricNotes = notes.map((n) => ({ atMs: n.atMs, text: n.text, by: n.author.email ?? n.author.name }));
    let items: Rubric['items'] = [];
    let end = 0;
    try {
      const rubric = this.get(id);
      items = rubric.items;
      const { report } = this.source(id);
      end = Math.max(0, report.endedAt - (report.readyAt ?? 0));
    } catch {
      // Still running, or no report: the notes alone.
    }
    return replayAnnotations(rubricNotes, items, end);
  }
}
