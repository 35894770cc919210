/**
 * The interview rubric (#13 item 4), pure: pre-filled from the stored report — one item per
 * protocol rule with the moments it cites, then diagnosis, communication and outcome — with
 * the interviewers' overrides laid over it (the original stays beside each one), their
 * overall recommendation and their notes. Rendered to Markdown here; JSON is the object itself.
 */
import type { SessionEvent } from '../audit/events';
import { describeEvent } from '../display/describe';
import { formatClock } from '../display/clock';
import type { StoredReport } from '../scoring/session-report';

export const RUBRIC_STATUSES = ['met', 'broken', 'not-applicable'] as const;
export type RubricStatus = (typeof RUBRIC_STATUSES)[number];

export const RECOMMENDATIONS = ['strong-hire', 'hire', 'no-hire', 'strong-no-hire'] as const;
export type Recommendation = (typeof RECOMMENDATIONS)[number];

const RECOMMENDATION_LABEL: Record<Recommendation, string> = {
  'strong-hire': 'Strong hire',
  hire: 'Hire',
  'no-hire': 'No hire',
  'strong-no-hire': 'Strong no hire',
};

const STATUS_LABEL: Record<RubricStatus, string> = { met: '✓ met', broken: '✗ broken', 'not-applicable': '– not applicable' };

export interface RubricCitation {
  eventId: number;
  /** ms on the session clock (since ready). */
  atMs: number;
  text: string;
}

export interface RubricOverride {
  status: RubricStatus;
  reason: string;
  by: string;
  /** ISO time it was made. */
  at: string;
}

export interface RubricItem {
  /** `rule:<rule id>`, `diagnosis`, `communication` or `outcome`. */
  id: string;
  section: 'protocol' | 'diagnosis' | 'communication' | 'outcome';
  title: string;
  /** What the report said. */
  status: RubricStatus;
  detail: string;
  /** "7.5/10 points", "80/100". */
  score: string;
  citations: RubricCitation[];
  /** The latest interviewer override, if any; `status` above stays the report's. */
  override: RubricOverride | null;
}

export interface RubricNote {
  atMs: number;
  text: string;
  by: string;
}

export interface Rubric {
  interviewId: string;
  candidateName: string;
  scenario: string;
  seed: string;
  sessionId: string;
  /** The report's total, 0-100 (the interviewers' overrides do not change it). */
  reportTotal: number;
  /** Why the report capped its total below what its parts add up to (restart before looking); absent when it did not. */
  reportCap?: string;
  items: RubricItem[];
  recommendation: { value: Recommendation; text: string; by: string; at: string } | null;
  notes: RubricNote[];
}

export interface RubricSource {
  interview: { id: string; candidateName: string; scenario: string; seed: string };
  report: StoredReport;
  events: readonly SessionEvent[];
  /** Latest override per item id. */
  overrides: ReadonlyMap<string, RubricOverride>;
  recommendation: Rubric['recommendation'];
  notes: readonly RubricNote[];
}

/** Diagnosis counts as met when category and culprit were both right (at least partly). */
const DIAGNOSIS_MET = 70;
/** Communication counts as met with three of the four parts of a good update. */
const COMMUNICATION_MET = 75;

export function rubricItemIds(report: StoredReport): string[] {
  return [...report.protocol.results.map((r) => `rule:${r.id}`), 'diagnosis', 'communication', 'outcome'];
}

export function buildRubric(src: RubricSource): Rubric {
  const { report } = src;
  const zero = report.readyAt ?? 0;
  const byId = new Map(src.events.map((e) => [e.id, e]));
  const cite = (ids: readonly number[]): RubricCitation[] =>
    [...new Set(ids)]
      .flatMap((id) => {
        const e = byId.get(id);
        return e ? [{ eventId: id, atMs: e.t - zero, text: describeEvent(e) }] : [];
      })
      .sort((a, b) => a.atMs - b.atMs || a.eventId - b.eventId);
  const item = (i: Omit<RubricItem, 'override'>): RubricItem => ({ ...i, override: src.overrides.get(i.id) ?? null });
  const items: RubricItem[] = report.protocol.results.map((r) =>
    item({
      id: `rule:${r.id}`,
      section: 'protocol',
      title: r.title,
      status: r.status,
      detail: r.note,
      score: r.status === 'not-applicable' ? '—' : `${Math.round(r.points * 10) / 10}/${r.weight} points`,
      citations: cite(r.citations),
    }),
  );
  const { diagnosis, communication, outcome } = report.subscores;
  const grade = report.diagnosisGrade;
  items.push(
    item({
      id: 'diagnosis',
      section: 'diagnosis',
      title: 'Diagnosis: cause, culprit and evidence',
      status: grade && grade.score >= DIAGNOSIS_MET ? 'met' : 'broken',
      detail: diagnosis.notes.join(' '),
      score: `${diagnosis.score}/100`,
      citations: cite(grade ? [...grade.evidence.revealing, ...grade.evidence.supporting] : []),
    }),
    item({
      id: 'communication',
      section: 'communication',
      title: 'Communication: the stakeholder update',
      status: report.updateGrade && report.updateGrade.score >= COMMUNICATION_MET ? 'met' : 'broken',
      detail: communication.notes.join(' '),
      score: `${communication.score}/100`,
      citations: [],
    }),
    item({
      id: 'outcome',
      section: 'outcome',
      title: 'Outcome: the service is healthy again',
      status: outcome.score === 100 ? 'met' : 'broken',
      detail: outcome.notes.join('; '),
      score: `${outcome.score}/100`,
      citations: [],
    }),
  );
  return {
    interviewId: src.interview.id,
    candidateName: src.interview.candidateName,
    scenario: src.interview.scenario,
    seed: src.interview.seed,
    sessionId: report.sessionId,
    reportTotal: report.total,
    ...(report.cap && report.cap.uncapped > report.total ? { reportCap: report.cap.note } : {}),
    items,
    recommendation: src.recommendation,
    notes: [...src.notes].sort((a, b) => a.atMs - b.atMs),
  };
}

/** The replay at a moment of the session clock. */
export function replayLink(baseUrl: string, sessionId: string, atMs: number): string {
  return `${baseUrl}/sessions/${sessionId}/replay?t=${Math.max(0, Math.round(atMs))}`;
}

export function recommendationLabel(r: Recommendation): string {
  return RECOMMENDATION_LABEL[r];
}

export function statusLabel(s: RubricStatus): string {
  return STATUS_LABEL[s];
}

/** Markdown text never breaks out of its line or table cell. */
function inline(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>|])/g, '\\$1').trim();
}

const SECTIONS: { key: RubricItem['section']; title: string }[] = [
  { key: 'protocol', title: 'Protocol' },
  { key: 'diagnosis', title: 'Diagnosis' },
  { key: 'communication', title: 'Communication' },
  { key: 'outcome', title: 'Outcome' },
];

/** The rubric as Markdown for a hiring committee; every cited moment and note links to the replay. */
export function renderRubricMarkdown(rubric: Rubric, baseUrl: string): string {
  const at = (ms: number) => `[${formatClock(ms)}](${replayLink(baseUrl, rubric.sessionId, ms)})`;
  const out: string[] = [
    `# Interview rubric: ${inline(rubric.candidateName)}`,
    '',
    `- Scenario: ${inline(rubric.scenario)} (seed ${inline(rubric.seed)})`,
    `- Session: ${rubric.sessionId} — [replay](${replayLink(baseUrl, rubric.sessionId, 0)})`,
    `- Report total: ${rubric.reportTotal}/100 (before any override)`,
    ...(rubric.reportCap ? [`- ${inline(rubric.reportCap)}`] : []),
    '',
    '## Recommendation',
    '',
    rubric.recommendation
      ? `**${recommendationLabel(rubric.recommendation.value)}** — ${inline(rubric.recommendation.text) || '(no reason given)'} (${inline(rubric.recommendation.by)}, ${rubric.recommendation.at})`
      : '_No recommendation yet._',
  ];
  for (const section of SECTIONS) {
    const items = rubric.items.filter((i) => i.section === section.key);
    if (!items.length) continue;
    out.push('', `## ${section.title}`);
    for (const i of items) {
      const shown = i.override?.status ?? i.status;
      out.push('', `### ${statusLabel(shown)} — ${inline(i.title)}`, '');
      out.push(`- Report: ${statusLabel(i.status)}, ${i.score}. ${inline(i.detail)}`);
      if (i.override) out.push(`- Override: ${statusLabel(i.override.status)} — ${inline(i.override.reason)} (${inline(i.override.by)}, ${i.override.at})`);
      if (i.citations.length) out.push(`- Cited moments: ${i.citations.map((c) => `${at(c.atMs)} \`${c.text.replace(/`/g, "'")}\``).join('; ')}`);
    }
  }
  out.push('', '## Interviewers’ notes', '');
  if (!rubric.notes.length) out.push('_No notes._');
  for (const n of rubric.notes) out.push(`- ${at(n.atMs)} ${inline(n.text)} — ${inline(n.by)}`);
  return `${out.join('\n')}\n`;
}

/** A replay marker that is not a session event: an interviewer's note or override, on the session clock. */
export interface ReplayAnnotation {
  atMs: number;
  kind: 'note' | 'override';
  label: string;
}

/**
 * The interviewers' notes and overrides for the replay: a note at its moment; an override at
 * each moment its item cites (or at the end of the session when it cites none).
 */
export function replayAnnotations(notes: readonly RubricNote[], items: readonly RubricItem[], endMs: number): ReplayAnnotation[] {
  const out: ReplayAnnotation[] = notes.map((n) => ({ atMs: n.atMs, kind: 'note', label: `note: ${n.text} — ${n.by}` }));
  for (const i of items) {
    if (!i.override) continue;
    const label = `override: ${i.title} → ${statusLabel(i.override.status)} (report: ${statusLabel(i.status)}) — ${i.override.reason} — ${i.override.by}`;
    const moments = i.citations.length ? [...new Set(i.citations.map((c) => c.atMs))] : [endMs];
    for (const atMs of moments) out.push({ atMs, kind: 'override', label });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
