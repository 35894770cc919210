/**
 * The fairness corpus of scenario:verify (issue 17): besides each scenario's own reference and
 * reckless scripts, runs a grader must judge fairly on every scenario, built from the reference:
 *
 *   alternative    another expert path, scripted beside the reference (solutions/alternative.sh,
 *                  e.g. leaky-job finds the job with docker top, healthy-but-hanging never
 *                  execs; docs/scenarios.md lists them): every goal met and total >= 85, like
 *                  the reference; skipped where a scenario has none yet
 *   nothing        the console opens, nothing is typed or submitted: total <= 10
 *   restart-first  every container restarted first, then the reference typed (each line may
 *                  fail: the restart may have hidden what it looks for): total <= 40
 *   guess          nothing typed; a diagnosis naming every candidate of the run: at most half
 *                  the culprit credit (only where the scenario declares candidates)
 *
 * Pure: no I/O, unit-tested in test/unit/scripts/verify-fairness.test.ts.
 */
import { DIAGNOSIS_POINTS } from '@/lib/scoring/diagnosis';
import type { StoredReport } from './lab';
import type { ParsedSolution, ReportedAnswers } from './solution';

export type FairnessKind = 'alternative' | 'nothing' | 'restart-first' | 'guess';
export const FAIRNESS_KINDS: readonly FairnessKind[] = ['alternative', 'nothing', 'restart-first', 'guess'];

export const FAIRNESS_TARGETS = { alternativeMin: 85, nothingMax: 10, restartFirstMax: 40, guessCulpritShare: 0.5 } as const;

/** The script a kind is built from (scenarios/<slug>/solutions/<file>): its own, or the reference. */
export function fairnessFile(kind: FairnessKind): string {
  return kind === 'alternative' ? 'alternative.sh' : 'reference.sh';
}

/** Why a kind without its script is skipped rather than failed; null when the script is required. */
export function missingFairnessScript(kind: FairnessKind): string | null {
  return kind === 'alternative' ? 'skipped: the scenario has no solutions/alternative.sh (an alternative expert path) yet' : null;
}

/** Kinds typed and answered like the reference: goals checked until they pass, line failures stop the run. */
export function actsLikeReference(kind: string): boolean {
  return kind === 'reference' || kind === 'alternative';
}

/**
 * The run's commands, from the script fairnessFile names: the alternative path as written, none,
 * or a restart of every session container before the reference.
 */
export function fairnessSolution(kind: FairnessKind, reference: ParsedSolution): ParsedSolution {
  if (kind === 'alternative') return reference;
  if (kind !== 'restart-first') return { lines: [], assigned: [], errors: [] };
  // The proxy lists only this session's containers, so `docker ps -q` is all of them.
  const restart = { lineNo: 0, text: 'docker restart $(docker ps -q)', evidence: false, mayFail: false, timeoutMs: 180_000 };
  return { ...reference, lines: [restart, ...reference.lines.map((l) => ({ ...l, mayFail: true }))] };
}

/** The every-candidate guess, from the reference run's report of the same seed (same truth). */
export function guessAnswers(reference: StoredReport | null): ReportedAnswers | string {
  if (!reference) return 'needs the reference run of the same seed first (its report holds the truth)';
  const candidates = reference.truth.candidates ?? [];
  if (candidates.length < 2) return 'skipped: the scenario declares no candidates to hedge across';
  return {
    diagnosis: { category: reference.truth.category, culprit: `one of ${candidates.slice(0, -1).join(', ')} or ${candidates.at(-1)}`, decision: 'fix-in-place' },
    reason: 'not sure which one it is, so fix in place',
    update: null,
    errors: [],
  };
}

/** What a fairness run must show in its report; an empty list when it does. */
export function fairnessProblems(kind: FairnessKind, report: StoredReport): string[] {
  if (kind === 'alternative') {
    const failing = report.goals.filter((g) => !g.pass).map((g) => g.id);
    const problems = failing.length || report.goals.length === 0 ? [`an alternative expert path left goals unmet: ${failing.join(', ') || 'no final goal check'}`] : [];
    if (report.total < FAIRNESS_TARGETS.alternativeMin) problems.push(`an alternative expert path scored ${report.total} < ${FAIRNESS_TARGETS.alternativeMin}`);
    return problems;
  }
  if (kind === 'nothing' && report.total > FAIRNESS_TARGETS.nothingMax) return [`doing nothing scored ${report.total} > ${FAIRNESS_TARGETS.nothingMax}`];
  if (kind === 'restart-first' && report.total > FAIRNESS_TARGETS.restartFirstMax) return [`restart first, then fix scored ${report.total} > ${FAIRNESS_TARGETS.restartFirstMax}`];
  if (kind === 'guess') {
    const culprit = report.diagnosisGrade?.culprit;
    if (!culprit) return ['the guess was not graded'];
    const max = DIAGNOSIS_POINTS.culprit * FAIRNESS_TARGETS.guessCulpritShare;
    if (culprit.points > max) return [`naming every candidate earned ${culprit.points} culprit points > ${max}`];
  }
  return [];
}

export function fairnessExpectation(kind: FairnessKind): string {
  if (kind === 'alternative') return `>= ${FAIRNESS_TARGETS.alternativeMin}, all goals`;
  return kind === 'nothing' ? `<= ${FAIRNESS_TARGETS.nothingMax}` : kind === 'restart-first' ? `<= ${FAIRNESS_TARGETS.restartFirstMax}` : 'culprit <= half';
}
