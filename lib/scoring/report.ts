/**
 * The session report: four subscores combined with documented weights.
 *
 *   outcome        30  the scenario's goals at the final check (passed / total; a goal a restart
 *                      meets by itself, met only after the learner's restart, counts half or nothing)
 *   diagnosis      20  gradeDiagnosis: category, culprit, evidence
 *   protocol       40  scoreProtocol: how the debugging was done
 *   communication  10  gradeUpdate of the last stakeholder update
 *
 * Protocol weighs most because it is what Sickbay teaches; an outcome reached by restarting
 * everything still fails the goals that guard the running state and most protocol rules.
 * A cap (blindRestartCap: state thrown away before the service was looked at) bounds the total
 * whatever the sum: the report says so and cites the events.
 */
import type { GoalOutcome } from '../audit/events';
import type { DiagnosisGrade } from './diagnosis';
import type { GoalCredit, ScoreCap } from './restart-credit';
import type { ProtocolScore, RuleResult } from './types';
import type { UpdateGrade } from './update';

export interface ReportWeights {
  outcome: number;
  diagnosis: number;
  protocol: number;
  communication: number;
}

export const REPORT_WEIGHTS: ReportWeights = { outcome: 30, diagnosis: 20, protocol: 40, communication: 10 };

export interface Subscore {
  /** 0-100. */
  score: number;
  /** Share of the total, in percent. */
  weight: number;
  /** score * weight / 100: what it adds to the total. */
  points: number;
  notes: string[];
}

export interface SessionReport {
  ruleSetVersion: string;
  classifierVersion: number;
  /** 0-100. */
  total: number;
  weights: ReportWeights;
  subscores: { outcome: Subscore; diagnosis: Subscore; protocol: Subscore; communication: Subscore };
  /** Broken rules with what they cost and the events that caused it, largest loss first. */
  deductions: { rule: string; title: string; lost: number; citations: number[]; note: string }[];
  protocol: ProtocolScore;
  /** Present when a cap applied: the total is at most `max` (absent in reports stored before protocol/8). */
  cap?: ScoreCap & { uncapped: number };
}

export interface ReportInput {
  /** The final goal check's results (empty or missing: no final check ran). */
  goals?: GoalOutcome[];
  diagnosis?: DiagnosisGrade | null;
  protocol: ProtocolScore;
  communication?: UpdateGrade | null;
  weights?: Partial<ReportWeights>;
  /** Ids of goals that only check nothing else was broken (Goal.guard). */
  guards?: readonly string[];
  /** Whether the learner changed anything in the lab; default true. Guards need it to count. */
  touched?: boolean;
  /**
   * Passing goals a restart alone meets, met only after the learner's evidence-losing restart:
   * the share of their credit that counts and why (lib/scoring/restart-credit.ts).
   */
  afterLoss?: ReadonlyMap<string, GoalCredit>;
  /** A ceiling on the total and why (lib/scoring/restart-credit.ts); null or absent: none. */
  cap?: ScoreCap | null;
}

function subscore(score: number, weight: number, notes: string[]): Subscore {
  const s = Math.max(0, Math.min(100, Math.round(score)));
  return { score: s, weight, points: Math.round(s * weight) / 100, notes };
}

export function assembleReport(input: ReportInput): SessionReport {
  const raw = { ...REPORT_WEIGHTS, ...input.weights };
  const sum = raw.outcome + raw.diagnosis + raw.protocol + raw.communication;
  // Weights are shares of 100; custom ones that do not add up are scaled to.
  const k = sum > 0 ? 100 / sum : 0;
  const weights: ReportWeights = { outcome: raw.outcome * k, diagnosis: raw.diagnosis * k, protocol: raw.protocol * k, communication: raw.communication * k };

  const goals = input.goals ?? [];
  // "Nothing else was broken" holds for an untouched system: it is credit only for someone who acted.
  const guards = new Set(input.guards ?? []);
  const idle = input.touched === false;
  const counts = (g: GoalOutcome) => g.pass && !(idle && guards.has(g.id));
  const afterLoss = input.afterLoss ?? new Map<string, GoalCredit>();
  const credit = (g: GoalOutcome) => (counts(g) ? (afterLoss.get(g.id)?.share ?? 1) : 0);
  const passed = goals.reduce((sum, g) => sum + credit(g), 0);
  const goalNote = (g: GoalOutcome) => {
    if (g.pass && !counts(g)) return `no credit: ${g.title} (it only checks nothing else was broken, and nothing was changed)`;
    return (g.pass && afterLoss.get(g.id)?.note) || `${g.pass ? 'passed' : 'failed'}: ${g.title}`;
  };
  const outcome = subscore(goals.length ? (100 * passed) / goals.length : 0, weights.outcome, goals.length ? goals.map(goalNote) : ['No final goal check ran.']);
  const diagnosis = input.diagnosis ? subscore(input.diagnosis.score, weights.diagnosis, input.diagnosis.reasons) : subscore(0, weights.diagnosis, ['No diagnosis was submitted.']);
  const protocol = subscore(
    input.protocol.total,
    weights.protocol,
    input.protocol.results.filter((r) => r.status === 'broken').map((r) => `${r.title}: ${r.note}`),
  );
  const communication = input.communication ? subscore(input.communication.score, weights.communication, input.communication.notes) : subscore(0, weights.communication, ['No stakeholder update was sent.']);

  const sumTotal = Math.round(outcome.points + diagnosis.points + protocol.points + communication.points);
  // A cap only lowers: a run already under it keeps its sum, and the report still says why it was capped.
  const total = input.cap ? Math.min(sumTotal, input.cap.max) : sumTotal;
  const deductions = input.protocol.results
    .filter((r): r is RuleResult => r.status === 'broken')
    .map((r) => ({ rule: r.id, title: r.title, lost: Math.round((r.weight - r.points) * 10) / 10, citations: r.citations, note: r.note }))
    .sort((a, b) => b.lost - a.lost);
  return {
    ruleSetVersion: input.protocol.ruleSetVersion,
    classifierVersion: input.protocol.classifierVersion,
    total,
    weights,
    subscores: { outcome, diagnosis, protocol, communication },
    deductions,
    protocol: input.protocol,
    ...(input.cap ? { cap: { ...input.cap, uncapped: sumTotal } } : {}),
  };
}
