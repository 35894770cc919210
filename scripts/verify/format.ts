/** What scenario:verify prints: a report in a few lines, and the table of runs with what failed. */
import path from 'node:path';
import { formatClock } from '@/lib/display/clock';
import type { StoredReport } from './lab';
import { fairnessExpectation, FAIRNESS_KINDS, type FairnessKind } from './fairness';
import type { RunResult } from './verify';

export interface Expectations {
  /** The reference must score at least this (and meet every goal). */
  referenceMin: number;
  /** The reckless script must score at most this. */
  recklessMax: number;
}
export const DEFAULT_EXPECTATIONS: Expectations = { referenceMin: 85, recklessMax: 40 };

/** A command shortened for one line of the table or log. */
export const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

export const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);

/** The incident clock of a report: when customers were served normally again ("never"; "-" without a signal). */
export function mitigatedAt(report: StoredReport | null): string {
  const impact = report?.impact;
  if (!impact) return '-';
  return impact.timeToMitigateMs === null ? 'never' : formatClock(impact.timeToMitigateMs);
}

/** What the learner's actions cost the customers: "none", or the outage and the extra failed requests. */
export function learnerCaused(report: StoredReport | null): string {
  const learner = report?.impact?.learner;
  if (!learner) return '-';
  const parts = [
    ...(learner.outageMs > 0 ? [`${formatClock(learner.outageMs)} outage`] : []),
    // Which action each is blamed on: a failed verify says what to look at.
    ...learner.errors.map((e) => `${e.excess} extra errors after ${clip(e.actionText, 60)}`),
  ];
  return parts.length ? parts.join(', ') : 'none';
}

/** The report in a few lines: total, subscores, every rule that is not met, goals, grades. */
export function summariseReport(report: StoredReport): string {
  const rules = report.protocol.results
    .filter((r) => r.status === 'broken' || (r.status === 'met' && r.points < r.weight))
    .map((r) => `    ${r.id}: ${r.status} ${r.points}/${r.weight} — ${r.note}`);
  return [
    `  total ${report.total}: ${Object.entries(report.subscores)
      .map(([k, v]) => `${k} ${v.score}`)
      .join(', ')}`,
    `  goals: ${report.goals.map((g) => `${g.id}=${g.pass ? 'pass' : 'FAIL'}`).join(', ')}`,
    `  customers: served normally again from ${mitigatedAt(report)}; caused by the learner: ${learnerCaused(report)}`,
    ...(rules.length ? ['  protocol rules not fully met:', ...rules] : ['  protocol: every applicable rule met in full']),
    `  diagnosis: ${report.diagnosisGrade ? `${report.diagnosisGrade.score} — ${report.diagnosisGrade.reasons.join(' ')}` : 'none submitted'}`,
    `  update: ${report.updateGrade ? `${report.updateGrade.score}${report.updateGrade.notes.length ? ` — ${report.updateGrade.notes.join(' ')}` : ''}` : 'none submitted'}`,
  ].join('\n');
}

/** One row per run, then the problems of each failed run and its report. */
export function formatResults(results: RunResult[], expect: Expectations = DEFAULT_EXPECTATIONS): string {
  const header = ['scenario', 'seed', 'solution', 'culprit', 'symptoms', 'ready', 'script', 'lines', 'goals', 'mitigated', 'caused', 'total', 'expected', 'result'];
  const rows = results.map((r) => [
    r.scenario,
    r.seed,
    r.solution,
    r.culprit ?? '-',
    r.symptoms ? `${r.symptoms.failing}/${r.symptoms.total} fail` : '-',
    secs(r.ms.ready),
    secs(r.ms.script),
    `${r.lines.length}/${r.linesTotal}`,
    r.goals ? `${r.goals.passed}/${r.goals.total}` : '-',
    mitigatedAt(r.report),
    learnerCaused(r.report),
    r.total === null ? '-' : String(r.total),
    r.solution === 'reference'
      ? `>= ${expect.referenceMin}, all goals`
      : (FAIRNESS_KINDS as readonly string[]).includes(r.solution)
        ? fairnessExpectation(r.solution as FairnessKind)
        : `<= ${expect.recklessMax}`,
    r.ok ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  const out = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
  for (const r of results.filter((x) => !x.ok)) {
    out.push('', `${r.scenario} ${r.seed} ${r.solution}${r.sessionId ? ` (session ${r.sessionId})` : ''}:`);
    for (const p of r.problems) out.push(`  - ${p}`);
    if (r.report) out.push(summariseReport(r.report));
    if (r.transcript) out.push(`  transcript: ${path.relative(process.cwd(), r.transcript)}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  out.push('', failed ? `${failed} of ${results.length} run(s) failed` : `all ${results.length} run(s) passed`);
  return out.join('\n');
}
