/**
 * A session's whole report from its event log, the scenario and the per-run truth: pure, so
 * it is unit-tested with hand-written event lists. The engine calls it once when a session
 * ends and stores the result as is (never recomputed under a newer rule set).
 */
import type { GoalOutcome, SessionEvent } from '../audit/events';
import { classifyEvents } from '../audit/classify';
import type { ScenarioDefinition } from '../scenario/types';
import { coachedMoments, type CoachedMoment } from './coached';
import { gradeDiagnosis, type DiagnosisGrade } from './diagnosis';
import { summarizeImpact, type ImpactSummary, type ServiceBucket } from './impact';
import { ruleContext, scoreRules } from './protocol';
import { relabelSafeSignals } from './safe-signals';
import { assembleReport, type SessionReport } from './report';
import { madeChanges, timelineSteps } from './rules';
import { blindRestartCap, goalsAfterLoss, restartMeetsOf } from './restart-credit';
import { protocolExpectations, type UiEvent } from './types';
import { gradeUpdate, updateTruthFrom, type UpdateGrade } from './update';

export interface StoredReport extends SessionReport {
  sessionId: string;
  scenario: string;
  /** The per-run answer, revealed now that the session is over. */
  truth: { category: string; categoryLabel: string; culprit: string; culpritKind: string; candidates?: string[] };
  goals: GoalOutcome[];
  diagnosisGrade: DiagnosisGrade | null;
  updateGrade: UpdateGrade | null;
  submittedDiagnosis: (UiEvent & { kind: 'diagnosis' }) | null;
  submittedUpdate: (UiEvent & { kind: 'update' }) | null;
  hintsTaken: number;
  /**
   * Coach mode's warnings and what the learner chose (lib/scoring/coached.ts); the protocol
   * score above judges what happened regardless. Absent in reports stored before coach mode.
   */
  coached?: CoachedMoment[];
  /**
   * The emergency timeline: each milestone's deadline and when it was reached (ms after ready).
   * budgetMs is the deadline: fromMs (when the budgets started counting; absent before it
   * existed: 0) plus the milestone's budget.
   */
  timeline: { name: string; budgetMs: number; atMs: number | null; miss: string; fromMs?: number }[];
  readyAt: number | null;
  endedAt: number;
  /** The incident clock (time to mitigate, impact, what the learner caused); null without a customer signal. */
  impact?: ImpactSummary | null;
}

export interface SessionReportSource {
  sessionId: string;
  scenario: string;
  definition: ScenarioDefinition<unknown>;
  params: unknown;
  events: SessionEvent[];
  /** ms since creation when the session became ready. */
  readyAt: number | null;
  endedAt: number;
  /** The customers' per-second buckets, when the session recorded them. */
  buckets?: ServiceBucket[];
}

export function buildSessionReport(src: SessionReportSource): StoredReport {
  const def = src.definition;
  const truth = def.diagnosis.truth(src.params);
  const services = Object.keys(def.services(src.params));
  // A diagnostic signal the scenario declares safe is an observation for the diagnosis too.
  const classified = relabelSafeSignals(classifyEvents(src.events), def.protocol.safeSignals, services);
  const ui: UiEvent[] = src.events.flatMap((e) => (e.kind === 'diagnosis' || e.kind === 'update' ? [e] : []));
  // Everything in the scenario's protocol block but the update grader's cause words: a field
  // added to the block reaches the rules without being listed here (snapshotEvidence was not).
  const { causeHints: _causeHints, ...scenarioProtocol } = def.protocol;
  const expectations = protocolExpectations(scenarioProtocol);
  const protocolInput = {
    events: classified,
    ui,
    expectations,
    timing: { readyAt: src.readyAt ?? undefined, endedAt: src.endedAt },
    services,
    ...(src.buckets?.length ? { customers: { buckets: src.buckets, servedNormally: def.servedNormally } } : {}),
  };
  const ctx = ruleContext(protocolInput);
  const protocol = scoreRules(ctx);
  const timeline = timelineSteps(ctx).map((s) => ({ name: s.name, budgetMs: s.from + s.budget, atMs: s.elapsed ?? null, miss: s.miss, fromMs: s.from }));
  let diagnosis: (UiEvent & { kind: 'diagnosis' }) | null = null;
  let update: (UiEvent & { kind: 'update' }) | null = null;
  for (const e of ui) {
    if (e.kind === 'diagnosis') diagnosis = e; // the last submission counts
    else update = e;
  }
  const diagnosisGrade = diagnosis
    ? gradeDiagnosis(diagnosis, truth, classified, { affectedServices: def.protocol.affectedServices, services, at: diagnosis.t, readyAt: src.readyAt ?? undefined, revealedBy: def.protocol.revealedBy, supportedBy: def.protocol.supportedBy })
    : null;
  const updateGrade = update ? gradeUpdate(update.text, updateTruthFrom(truth, { causeHints: def.protocol.causeHints })) : null;
  const finalGoals = [...src.events].reverse().find((e) => e.kind === 'goals' && e.final);
  const goals = finalGoals?.kind === 'goals' ? finalGoals.results : [];
  const guards = def.goals.filter((g) => g.guard).map((g) => g.id);
  // Resolved once for this run: which services' restart meets which goal depends on the variant.
  const restartMeets = restartMeetsOf(def.goals, src.params, def.protocol.affectedServices);
  const afterLoss = goalsAfterLoss(ctx, goals, src.events, restartMeets);
  const report = assembleReport({ goals, diagnosis: diagnosisGrade, protocol, communication: updateGrade, guards, touched: madeChanges(ctx).length > 0, afterLoss, cap: blindRestartCap(ctx) });
  return {
    ...report,
    sessionId: src.sessionId,
    scenario: src.scenario,
    truth: {
      category: truth.category,
      categoryLabel: def.diagnosis.categories.find((c) => c.id === truth.category)?.label ?? truth.category,
      culprit: truth.culprit,
      culpritKind: truth.culpritKind,
      ...(truth.candidates?.length ? { candidates: truth.candidates } : {}),
    },
    goals,
    diagnosisGrade,
    updateGrade,
    submittedDiagnosis: diagnosis,
    submittedUpdate: update,
    hintsTaken: src.events.filter((e) => e.kind === 'hint').length,
    coached: coachedMoments(src.events, protocol.results),
    timeline,
    readyAt: src.readyAt,
    endedAt: src.endedAt,
    impact: src.buckets?.length ? summarizeImpact(src.buckets, ctx.actions, ctx.readyAt, def.servedNormally) : null,
  };
}
