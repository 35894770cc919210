/**
 * Grades a stakeholder update by four things a reader needs: the impact (who is affected and
 * how), the cause, what was done, and what happens next (or when). Keyword heuristics, kept
 * deliberately simple and explainable; each missing part is named in the notes.
 */
import type { DiagnosisTruth } from '../scenario/types';

export interface UpdateTruth {
  /** Names that count as naming the culprit (the truth's culprit and its accepted spellings). */
  culprit: string[];
  /** Words that describe the cause without naming it ("memory leak", "background job"): partial credit. */
  causeHints?: string[];
  /** Scenario words for the impact ("orders", "checkout") besides the generic ones. */
  impactTerms?: string[];
  /** Secret values that must not appear in an update. */
  secrets?: string[];
}

export interface UpdateGrade {
  impact: boolean;
  cause: boolean;
  action: boolean;
  next: boolean;
  /** 0-100. */
  score: number;
  notes: string[];
}

const IMPACT = /\b(customers?|users?|clients?|impact(ed|ing)?|affect(s|ed|ing)?|errors?|5\d\d|fail(s|ed|ing|ures?)?|outage|degraded|downtime|latency|slow(ness)?|time-?outs?|unavailable|down|requests?)\b/i;
// A verb glued to a word by a hyphen describes, it does not report an action: "OOM-killed".
const ACTION = /(?<![-\w])(changed|switched|edited|updated|reconfigured|replaced|cancell?ed|resized|emptied|rotated|(we|i|has|have) set|killed|stopped|terminated|ended|restarted|rolled back|reverted|fixed|mitigated|resolved|removed|created|added|applied|disabled|scaled|raised|increased|freed|cleaned( up)?|patched|deployed|blocked|isolated|paused|resumed|restored|unfroze|reconnected|truncated|reduced|lowered|corrected|snapshotted|(we|i) (have|'ve|had)|has been|have been|was (killed|stopped|removed|restarted)|now (healthy|stable|recovered|back|normal))\b/i;
const NEXT = /\b(next|will|going to|plan(ning)?|follow[- ]?up|monitor(ing)?|keep (an eye|watching)|eta|by \d{1,2}(:\d\d)?|within \d+|in \d+ ?(min(ute)?s?|h(ou)?rs?|days?)|tomorrow|today|post-?mortem|root[- ]cause|permanent|long[- ]term|ticket|update (you|again)|keep you)\b/i;

function norm(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9/]+/g, ' ').trim();
}

/** Does `text` name `name` (case, dashes and underscores ignored)? */
export function namesIt(text: string, name: string): boolean {
  const n = norm(name);
  if (n.length < 3) return false;
  return ` ${norm(text)} `.includes(` ${n} `);
}

export function updateTruthFrom(truth: DiagnosisTruth, extra: Omit<UpdateTruth, 'culprit'> = {}): UpdateTruth {
  return { culprit: [truth.culprit, ...(truth.accept ?? [])], ...extra };
}

export function gradeUpdate(text: string, truth: UpdateTruth): UpdateGrade {
  const notes: string[] = [];
  const t = text.trim();
  if (t === '') return { impact: false, cause: false, action: false, next: false, score: 0, notes: ['The update is empty.'] };
  const impact = IMPACT.test(t) || (truth.impactTerms ?? []).some((w) => namesIt(t, w));
  const named = truth.culprit.some((c) => namesIt(t, c));
  const hinted = !named && (truth.causeHints ?? []).some((h) => namesIt(t, h));
  const action = ACTION.test(t);
  const next = NEXT.test(t);
  let score = 0;
  if (impact) score += 25;
  else notes.push('Say who is affected and how (customers, errors, latency).');
  if (named) score += 25;
  else if (hinted) {
    score += 15;
    notes.push('The cause is described but not named precisely.');
  } else notes.push('Name the cause that was found.');
  if (action) score += 25;
  else notes.push('Say what has been done so far.');
  if (next) score += 25;
  else notes.push('Give the next step or an ETA.');
  const leaked = (truth.secrets ?? []).filter((s) => s !== '' && t.includes(s));
  if (leaked.length > 0) {
    score = Math.max(0, score - 50);
    notes.push('The update contains a secret value.');
  }
  if (t.length > 1500) notes.push('Long for a status update: lead with the impact and the ETA.');
  return { impact, cause: named || hinted, action, next, score, notes };
}
