/** Protocol scoring: rules as data, diagnosis and update grading, report assembly. */
export * from './types';
export { buildActions, resolveService, actionParts, orderedParts, hasTier, affects, isInside, formatClock, CLAIM_WINDOW_MS, PREAMBLE_MS } from './actions';
export * from './rules';
export * from './impact';
export { customerImpact } from './impact-rule';
export { scoreProtocol, scoreRules, ruleContext, readyAtOf } from './protocol';
export { gradeDiagnosis, REVEALED_BY, SUPPORTED_BY, DIAGNOSIS_POINTS } from './diagnosis';
export type { DiagnosisGrade, DiagnosisOptions } from './diagnosis';
export { gradeUpdate, updateTruthFrom, namesIt } from './update';
export type { UpdateGrade, UpdateTruth } from './update';
export { assembleReport, REPORT_WEIGHTS } from './report';
export type { ReportInput, ReportWeights, SessionReport, Subscore } from './report';
export { buildSessionReport } from './session-report';
export { coachedMoments } from './coached';
export { nextProtocolStep } from './next-step';
export type { NextStep } from './next-step';
export type { CoachedMoment } from './coached';
export type { SessionReportSource, StoredReport } from './session-report';
